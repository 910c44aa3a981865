import type { ApprovalStatus, RunEvent } from '@trellis/schema';
import { TrellisError } from '@trellis/nodes/server';
import type { ApprovalChange, CheckpointStore, Commit, RunRecord, RunSnapshot } from './checkpoint.js';
import type { PromptResolver, ResolvedPrompt } from './prompts.js';

/** Checkpoints in memory: for the CLI, tests and benchmarks. Copies on the way in and out, like a real store. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly runs = new Map<string, { run: RunRecord; nodes: Record<string, string>; events: RunEvent[]; waits: Map<string, WaitEntry> }>();

  async createRun(run: RunRecord): Promise<void> {
    if (this.runs.has(run.id)) throw new TrellisError('run_conflict', `run ${run.id} already exists`);
    this.runs.set(run.id, { run: copyRun(run), nodes: {}, events: [], waits: new Map() });
  }

  async commit(runId: string, commit: Commit): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry) throw new TrellisError('run_conflict', `run ${runId} does not exist`);
    // Checked before anything changes: a refused commit stores nothing, as a transaction would.
    // The approvals first, as in the SQL store: a second answer hears it was second.
    const waits = commit.approvals?.length ? applyApprovals(runId, new Map(entry.waits), commit.approvals) : entry.waits;
    const last = entry.events.at(-1)?.seq ?? 0;
    commit.events.forEach((event, i) => {
      if (event.seq !== last + i + 1) throw new TrellisError('run_conflict', `event seq ${event.seq} breaks the sequence after ${last + i}`);
    });
    entry.waits = waits;
    // Plain JSON (status, output, usage, times): a round trip copies it as a database would keep it.
    if (commit.run) Object.assign(entry.run, JSON.parse(JSON.stringify(commit.run)) as Commit['run']);
    // Node states are kept serialized: what survives is what a database would keep.
    for (const [id, state] of Object.entries(commit.nodes ?? {})) entry.nodes[id] = JSON.stringify(state);
    entry.events.push(...commit.events);
  }

  /** Where a wait of a run stands, as the approvals table of a database would say. */
  wait(runId: string, waitId: string): WaitEntry | undefined {
    const found = this.runs.get(runId)?.waits.get(waitId);
    return found && { ...found };
  }

  async load(runId: string): Promise<RunSnapshot | undefined> {
    const entry = this.runs.get(runId);
    if (!entry) return undefined;
    const nodes = Object.fromEntries(Object.entries(entry.nodes).map(([id, json]) => [id, JSON.parse(json)]));
    return { run: copyRun(entry.run), nodes, lastSeq: entry.events.at(-1)?.seq ?? 0 };
  }

  /** Drops a run and its trace: a long-lived process that will not read them again (a benchmark) keeps no heap for them. */
  forget(runId: string): void {
    this.runs.delete(runId);
  }

  /** The committed trace of a run. */
  events(runId: string): RunEvent[] {
    return [...(this.runs.get(runId)?.events ?? [])];
  }
}

/**
 * A copy of a run record that shares its flow document: a loaded flow is never changed (the
 * engine keeps it for every run of it), and a database keeps a reference to the flow's version
 * rather than a copy per run, handing back one parsed document per version (SqlStore.versionDocument).
 */
function copyRun(run: RunRecord): RunRecord {
  const { flow, ...rest } = run;
  return { ...structuredClone(rest), flow };
}

export interface WaitEntry {
  status: ApprovalStatus;
  at: string;
  by?: string;
}

/** The approval changes of a commit, applied like the SQL store does: a decision only of a pending wait. */
function applyApprovals(runId: string, waits: Map<string, WaitEntry>, changes: readonly ApprovalChange[]): Map<string, WaitEntry> {
  for (const change of changes) {
    if (change.kind === 'open') {
      if (!waits.has(change.waitId)) waits.set(change.waitId, { status: 'pending', at: change.at });
    } else if (change.kind === 'decide') {
      const wait = waits.get(change.waitId);
      if (wait?.status !== 'pending') {
        const what = wait ? `${wait.status.replace('_', ' ')}${wait.by ? ` by ${wait.by}` : ''} at ${wait.at}` : 'decided';
        throw new TrellisError('already_decided', `the wait "${change.waitId}" of run ${runId} was already ${what}`);
      }
      waits.set(change.waitId, { status: change.status, at: change.at, ...(change.by ? { by: change.by } : {}) });
    } else {
      for (const [id, wait] of waits) if (wait.status === 'pending') waits.set(id, { status: 'cancelled', at: change.at });
    }
  }
  return waits;
}

/** A prompt library in memory, for tests and benchmarks: every save is the next version of its name. */
export class MemoryPromptLibrary implements PromptResolver {
  private readonly versions = new Map<string, string[]>();
  /** Every resolve asked, as `name@version`: how tests see that a reference is resolved once. */
  readonly asked: string[] = [];

  /** Saves a template as the next version of `name`; returns its number. */
  save(name: string, template: string): number {
    const versions = this.versions.get(name) ?? [];
    versions.push(template);
    this.versions.set(name, versions);
    return versions.length;
  }

  delete(name: string): void {
    this.versions.delete(name);
  }

  async resolve(name: string, version: number | 'latest'): Promise<ResolvedPrompt | undefined> {
    this.asked.push(`${name}@${version}`);
    const versions = this.versions.get(name);
    if (!versions?.length) return undefined;
    const number = version === 'latest' ? versions.length : version;
    const template = versions[number - 1];
    return template === undefined ? undefined : { name, version: number, template };
  }
}
