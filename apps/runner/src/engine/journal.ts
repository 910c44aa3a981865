import type { EventOf, RunEvent, RunEventType } from '@trellis/schema';
import { TrellisError, type Nesting } from '@trellis/nodes/server';
import type { ApprovalChange, CheckpointStore, Commit, NodeState, RunRecord } from './checkpoint.js';
import { sleep } from './step-signal.js';
import type { StoreFault, StoreRetry } from './types.js';

export type EventData<T extends RunEventType> = EventOf<T>['data'];

/** Streamed text is held back at most this long, so a live viewer of the store sees it arrive. */
const DELTA_FLUSH_MS = 100;

export interface JournalOptions {
  record: RunRecord;
  nodes: ReadonlyMap<string, NodeState>;
  lastSeq: number;
  store: CheckpointStore;
  retry: StoreRetry;
  onEvent: ((event: RunEvent) => void) | undefined;
  onFault: ((fault: StoreFault) => void) | undefined;
  /** Called once when a write fails for good: the run must stop, since nothing more of it can be stored. */
  onLost: (error: unknown) => void;
}

/**
 * What a run has to say, on its way to the store: its events (numbered), its changed nodes and
 * run fields, its approval changes, gathered between commits and handed over in order. A
 * refused write is tried again with a backoff (a dropped connection usually heals at once);
 * one that keeps failing, or is refused for good, stops the run's writing, and every later
 * commit rejects with it.
 */
export class Journal {
  private seq: number;
  private events: RunEvent[] = [];
  private readonly dirty = new Set<string>();
  private runChanges: NonNullable<Commit['run']> = {};
  private approvals: ApprovalChange[] = [];
  private commits: Promise<void> = Promise.resolve();
  /** The usage last handed to the store, as a comparable key. */
  private committedUsage: string | undefined;
  /** Consecutive text deltas of one node, merged; they get a seq only when flushed. */
  private delta: { nodeId: string; text: string; ts: string; nesting: Nesting; key: string; path: (string | number)[] | undefined } | undefined;
  private deltaTimer: NodeJS.Timeout | undefined;
  /** Given up (a drain out of time, or a lost store): like a dead process, it says and writes nothing more. */
  private silenced = false;
  /** The run has settled: late pieces of text from its steps have nowhere to go. */
  private sealed = false;
  /** The write that failed for good, if one did. */
  lost: unknown;

  constructor(private readonly options: JournalOptions) {
    this.seq = options.lastSeq;
  }

  get isSilenced(): boolean {
    return this.silenced;
  }

  setRun(changes: NonNullable<Commit['run']>): void {
    Object.assign(this.options.record, changes);
    Object.assign(this.runChanges, changes);
  }

  /** The node's state changed: its next commit carries it whole. */
  touch(nodeId: string): void {
    this.dirty.add(nodeId);
  }

  approval(change: ApprovalChange): void {
    if (!this.silenced) this.approvals.push(change);
  }

  /** `path`: where a step inside a container's body ran (see RunEvent). */
  emit<T extends RunEventType>(type: T, nodeId: string | undefined, data: EventData<T>, path?: (string | number)[]): RunEvent | undefined {
    if (this.silenced) return undefined;
    this.flushDelta(); // streamed text goes first: it came before this event
    // Built field by field, in the order the trace is written: no spread of a temporary object per event.
    const event: Record<string, unknown> = { runId: this.options.record.id, seq: ++this.seq, ts: isoNow(), type };
    if (nodeId) event.nodeId = nodeId;
    if (path) event.path = path;
    event.data = data;
    this.push(event as RunEvent);
    return event as RunEvent;
  }

  /**
   * Streamed text arrives in many small pieces; one event each would bloat the trace and the
   * store. Consecutive pieces of one node are merged and flushed when any other event is
   * emitted, or by a timer that also commits them, so the text shows while the step runs.
   */
  bufferDelta(nodeId: string, text: string, nesting: Nesting = {}, path?: (string | number)[]): void {
    if (this.silenced || this.sealed) return;
    // Text of one attached agent (a worker, a handoff target), or of one round of a body, is merged only with its own.
    const key = nesting.agent === undefined && !path ? '' : JSON.stringify([nesting.path, nesting.call, path]);
    if (this.delta && (this.delta.nodeId !== nodeId || this.delta.key !== key)) this.flushDelta();
    if (this.delta) {
      this.delta.text += text;
      return;
    }
    this.delta = { nodeId, text, ts: isoNow(), nesting, key, path };
    this.deltaTimer = setTimeout(() => {
      this.deltaTimer = undefined;
      this.flushDelta();
      // A failed write is reported by onLost, and the step's own next commit rejects with it.
      this.commit().catch(() => {});
    }, DELTA_FLUSH_MS);
  }

  /** Stops writing, as a crashed process would: what is not committed yet never will be. */
  silence(): void {
    this.silenced = true;
    this.clearDeltaTimer();
    this.delta = undefined;
  }

  /** The run settled: a pending flush must not keep it (or the process) alive. */
  seal(): void {
    this.sealed = true;
    this.clearDeltaTimer();
  }

  /** Hands the changes since the last commit to the store, in order; resolves once stored. */
  commit(): Promise<void> {
    if (this.silenced) return this.lost === undefined ? Promise.resolve() : this.commits;
    if (this.events.length === 0 && this.dirty.size === 0 && this.approvals.length === 0 && Object.keys(this.runChanges).length === 0) return this.commits;
    const nodes: Record<string, NodeState> = {};
    for (const id of this.dirty) nodes[id] = { ...this.options.nodes.get(id)! };
    // Usage goes with a commit only when it moved: most steps use no model, and a run row not rewritten is time saved.
    const usage = this.options.record.usage;
    const usageKey = `${usage.inputTokens}/${usage.outputTokens}/${usage.totalTokens}/${usage.modelCalls}/${usage.costUsd}`;
    const run: NonNullable<Commit['run']> = { ...this.runChanges, ...(usageKey === this.committedUsage ? {} : { usage: { ...usage } }) };
    this.committedUsage = usageKey;
    const commit: Commit = { ...(Object.keys(run).length ? { run } : {}), nodes, events: this.events, ...(this.approvals.length ? { approvals: this.approvals } : {}) };
    this.events = [];
    this.dirty.clear();
    this.runChanges = {};
    this.approvals = [];
    this.commits = this.commits.then(() => this.write(commit));
    return this.commits;
  }

  private async write(commit: Commit): Promise<void> {
    const runId = this.options.record.id;
    const { retries, backoffMs } = this.options.retry;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1 && this.silenced) return; // abandoned while the write waited to be retried: a dead process writes nothing
      try {
        await this.options.store.commit(runId, commit);
        return;
      } catch (error) {
        // A deliberate refusal (a conflict, an answer that came second) will not change on a retry.
        const willRetry = !(TrellisError.isInstance(error) && !error.retryable) && attempt <= retries;
        const retryInMs = willRetry ? backoffMs * 2 ** (attempt - 1) : undefined;
        this.options.onFault?.({ runId, error, attempt, willRetry, ...(retryInMs === undefined ? {} : { retryInMs }) });
        if (!willRetry) {
          this.lost = error;
          this.silence();
          this.options.onLost(error);
          throw error;
        }
        await sleep(retryInMs!);
      }
    }
  }

  private push(event: RunEvent): void {
    this.events.push(event);
    this.options.onEvent?.(event);
  }

  private flushDelta(): void {
    const delta = this.delta;
    if (!delta) return;
    this.delta = undefined;
    this.clearDeltaTimer();
    this.push({ runId: this.options.record.id, seq: ++this.seq, ts: delta.ts, type: 'node.delta', nodeId: delta.nodeId, ...(delta.path ? { path: delta.path } : {}), data: { text: delta.text, ...delta.nesting } });
  }

  private clearDeltaTimer(): void {
    if (this.deltaTimer === undefined) return;
    clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
  }
}

/**
 * The time as an ISO string, formatted once per millisecond: a run writes several events a
 * millisecond, and formatting a date costs about as much as the rest of an event.
 */
let lastMs = 0;
let lastIso = '';
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
