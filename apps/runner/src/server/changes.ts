import { randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { RUN_CHANGES_KEPT, type RunChange } from '@trellis/schema';
import { BoundedMap } from '../store/rows.js';

/** A change as the stream sends it: `id` is its SSE id, `<epoch>.<seq>`. */
export interface NumberedChange {
  id: string;
  change: RunChange;
}

/**
 * The status changes of the runs this runner executes, across flows, for the Runs page's live
 * view (GET /api/runs/changes). Fed by the same commits that wake the RunBus, once they are
 * durable. The last RUN_CHANGES_KEPT changes are kept, so a client that reconnects with
 * Last-Event-ID gets what it missed; one that missed more (or whose id is from another process
 * life: the epoch tells) is told to reload its list instead. Runs executed by another runner
 * sharing the database are not seen here: their pages show them on the next reload.
 */
export class RunChangeFeed {
  /** Tells ids of this process life from those of an earlier one. */
  readonly epoch = randomBytes(4).toString('hex');
  private seq = 0;
  private readonly kept: Array<{ seq: number; change: RunChange }> = [];
  private waiters = new Set<() => void>();
  /** Each run's flow and parent, noted when it is created or loaded: a commit does not carry them. */
  private readonly runs = new BoundedMap<string, { flowId: string; parentRunId?: string }>(20_000);

  noteRun(runId: string, flowId: string, parentRunId: string | undefined): void {
    this.runs.set(runId, { flowId, ...(parentRunId ? { parentRunId } : {}) });
  }

  /** What is known of a run's flow, or undefined (the caller reads it from the store). */
  runInfo(runId: string): { flowId: string; parentRunId?: string } | undefined {
    return this.runs.get(runId);
  }

  publish(change: RunChange): void {
    this.kept.push({ seq: ++this.seq, change });
    if (this.kept.length > RUN_CHANGES_KEPT) this.kept.splice(0, this.kept.length - RUN_CHANGES_KEPT);
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  /** The id of the newest change, where a new follower starts. */
  get head(): string {
    return `${this.epoch}.${this.seq}`;
  }

  /**
   * The changes after the one with this id; `reset` when some of them are no longer kept (or the
   * id is not one of this process life), in which case the follower should reload its list.
   */
  after(id: string): { changes: NumberedChange[]; reset: boolean; last: string } {
    const [epoch, text] = id.split('.');
    const seq = Number(text);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq < 0 || seq > this.seq) return { changes: [], reset: true, last: this.head };
    const oldest = this.kept[0]?.seq ?? this.seq + 1;
    const reset = seq + 1 < oldest && seq < this.seq;
    // The kept seqs are consecutive: the ones after `seq` are a slice, whatever the stream's lag.
    const changes = this.kept.slice(Math.max(0, seq + 1 - oldest)).map((k) => ({ id: `${this.epoch}.${k.seq}`, change: k.change }));
    return { changes, reset, last: this.head };
  }

  /** Resolves at the next change, after `timeoutMs`, or when the signal aborts. */
  next(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}

const HEARTBEAT_MS = 15_000;
/** A follower never outlives this; the client reconnects with Last-Event-ID. */
const MAX_STREAM_MS = 60 * 60_000;

/**
 * The feed as Server-Sent Events: `event: run` for each change (data: a RunChange, `id` to resume
 * after), `event: reset` when a reconnect missed changes no longer kept (reload the list, then go
 * on), a comment every 15 s as a heartbeat. Starts after `from` (a Last-Event-ID), or with what
 * comes next. At most RUN_CHANGE_STREAMS_MAX at once (the caller counts).
 */
export function followChanges(c: Context, feed: RunChangeFeed, options: { from?: string; flowId?: string; onClose: () => void }): Response {
  return streamSSE(c, async (stream) => {
    const aborted = new AbortController();
    stream.onAbort(() => aborted.abort());
    try {
      const until = Date.now() + MAX_STREAM_MS;
      let last = options.from ?? feed.head;
      const first = feed.after(last);
      if (first.reset) {
        await stream.writeSSE({ id: first.last, event: 'reset', data: JSON.stringify({ reason: 'some changes since that id are no longer kept: reload the list' }) });
        last = first.last;
      } else {
        await stream.writeSSE({ id: last, event: 'ready', data: '{}' });
      }
      let quietSince = Date.now();
      while (!aborted.signal.aborted && Date.now() < until) {
        const woken = feed.next(HEARTBEAT_MS, aborted.signal);
        const { changes, reset, last: head } = feed.after(last);
        if (reset) {
          // This follower fell more than the kept changes behind (a slow reader): it reloads.
          await stream.writeSSE({ id: head, event: 'reset', data: JSON.stringify({ reason: 'the stream fell behind: reload the list' }) });
          last = head;
        }
        for (const { id, change } of changes) {
          last = id;
          if (options.flowId !== undefined && change.flowId !== options.flowId) continue;
          await stream.writeSSE({ id, event: 'run', data: JSON.stringify(change) });
          quietSince = Date.now();
        }
        if (Date.now() - quietSince >= HEARTBEAT_MS) {
          await stream.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        await woken;
      }
    } finally {
      options.onClose();
    }
  });
}
