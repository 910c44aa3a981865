import type { RunEvent } from '@trellis/schema';
import type { CheckpointStore, Commit, RunRecord, RunSnapshot } from './checkpoint.js';
import type { PromptResolver, ResolvedPrompt } from './prompts.js';

/** Checkpoints in memory: for the CLI, tests and benchmarks. Copies on the way in and out, like a real store. */
export class MemoryCheckpointStore implements CheckpointStore {
  private readonly runs = new Map<string, { run: RunRecord; nodes: Record<string, string>; events: RunEvent[] }>();

  async createRun(run: RunRecord): Promise<void> {
    if (this.runs.has(run.id)) throw new Error(`run ${run.id} already exists`);
    this.runs.set(run.id, { run: structuredClone(run), nodes: {}, events: [] });
  }

  async commit(runId: string, commit: Commit): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry) throw new Error(`run ${runId} does not exist`);
    if (commit.run) Object.assign(entry.run, structuredClone(commit.run));
    // Node states are kept serialized: what survives is what a database would keep.
    for (const [id, state] of Object.entries(commit.nodes ?? {})) entry.nodes[id] = JSON.stringify(state);
    const last = entry.events.at(-1)?.seq ?? 0;
    commit.events.forEach((event, i) => {
      if (event.seq !== last + i + 1) throw new Error(`event seq ${event.seq} breaks the sequence after ${last + i}`);
    });
    entry.events.push(...commit.events);
  }

  async load(runId: string): Promise<RunSnapshot | undefined> {
    const entry = this.runs.get(runId);
    if (!entry) return undefined;
    const nodes = Object.fromEntries(Object.entries(entry.nodes).map(([id, json]) => [id, JSON.parse(json)]));
    return { run: structuredClone(entry.run), nodes, lastSeq: entry.events.at(-1)?.seq ?? 0 };
  }

  /** The committed trace of a run. */
  events(runId: string): RunEvent[] {
    return [...(this.runs.get(runId)?.events ?? [])];
  }
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
