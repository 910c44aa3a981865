import type { Commit, RunRecord, RunSnapshot } from '../engine/checkpoint.js';
import type { Store } from '../store/types.js';

/**
 * Wakes whoever follows a run (SSE streams, synchronous callers) when new events of it are
 * committed. The store stays the source of truth: a follower reads from it after each wake,
 * so a missed wake only delays, never loses, an event.
 */
export class RunBus {
  private readonly waiters = new Map<string, Set<() => void>>();

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

/** The store as the engine sees it, announcing each commit on the bus once it is durable. */
export function notifyingCheckpoints(store: Store, bus: RunBus) {
  return {
    createRun: (run: RunRecord) => store.createRun(run),
    load: (runId: string): Promise<RunSnapshot | undefined> => store.load(runId),
    async commit(runId: string, commit: Commit): Promise<void> {
      await store.commit(runId, commit);
      bus.notify(runId);
    },
  };
}
