import type { Commit, RunRecord, RunSnapshot } from '../engine/checkpoint.js';
import type { RunStatus } from '@trellis/schema';
import type { Store } from '../store/types.js';
import type { RunChangeFeed } from './changes.js';

/**
 * Wakes whoever follows a run (SSE streams, synchronous callers) when new events of it are
 * committed. The store stays the source of truth: a follower reads from it after each wake,
 * so a missed wake only delays, never loses, an event.
 */
export class RunBus {
  private readonly waiters = new Map<string, Set<() => void>>();
  /** How many live traces (SSE streams) follow each run now. */
  private readonly followers = new Map<string, number>();
  /**
   * How long a follower waits for a wake before it reads the store anyway. Short while only this
   * process's commits wake followers; long once other runners' commits do too (LISTEN/NOTIFY),
   * when the read is only a safety net for a notice lost with a connection.
   */
  pollMs = 1000;

  /** Counts a live trace of the run until the returned function is called. */
  follow(runId: string): () => void {
    this.followers.set(runId, (this.followers.get(runId) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.followers.get(runId) ?? 1) - 1;
      if (left > 0) this.followers.set(runId, left);
      else this.followers.delete(runId);
    };
  }

  /** Whether a live trace on this runner follows the run now. */
  isFollowed(runId: string): boolean {
    return this.followers.has(runId);
  }

  notify(runId: string): void {
    const set = this.waiters.get(runId);
    if (!set) return;
    this.waiters.delete(runId);
    for (const wake of set) wake();
  }

  /** Resolves at the next commit of the run, after `timeoutMs`, or when the signal aborts. */
  next(runId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let set = this.waiters.get(runId);
      if (!set) this.waiters.set(runId, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.get(runId)?.delete(done);
        if (this.waiters.get(runId)?.size === 0) this.waiters.delete(runId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref(); // a follower's wait never keeps the process alive
      signal?.addEventListener('abort', done, { once: true });
      set.add(done);
    });
  }
}

/**
 * The store as the engine sees it, announcing each commit on the bus once it is durable, and
 * each change of a run's status on the change feed (the Runs page's live view).
 */
export function notifyingCheckpoints(store: Store, bus: RunBus, changes?: RunChangeFeed) {
  const announce = (runId: string, status: RunStatus, updatedAt: string) => {
    if (!changes) return;
    const known = changes.runInfo(runId);
    if (known) return changes.publish({ id: runId, ...known, status, updatedAt });
    // A run this process neither created nor loaded (rare): its flow is read, off the commit's path.
    void store.getRun(runId).then(
      (run) => run && changes.publish({ id: runId, flowId: run.flowId, status, updatedAt, ...(run.parent ? { parentRunId: run.parent.runId } : {}) }),
      () => undefined,
    );
  };
  return {
    async createRun(run: RunRecord, options?: { held?: boolean }): Promise<void> {
      await store.createRun(run, options);
      changes?.noteRun(run.id, run.flow.id, run.parent?.runId);
      announce(run.id, run.status, run.createdAt);
    },
    async load(runId: string): Promise<RunSnapshot | undefined> {
      const snapshot = await store.load(runId);
      if (snapshot) changes?.noteRun(runId, snapshot.run.flow.id, snapshot.run.parent?.runId);
      return snapshot;
    },
    claimRun: (runId: string) => store.claimRun(runId),
    async commit(runId: string, commit: Commit): Promise<void> {
      await store.commit(runId, commit);
      bus.notify(runId);
      if (commit.run?.status) announce(runId, commit.run.status, new Date().toISOString());
    },
  };
}
