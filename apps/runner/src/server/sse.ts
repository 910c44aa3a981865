import type { Context } from 'hono';
import { hasEnded } from '@trellis/schema';
import { streamSSE } from 'hono/streaming';
import type { Store } from '../store/types.js';
import type { RunBus } from './bus.js';

const BATCH = 500;
const HEARTBEAT_MS = 15_000;
/** A follower never outlives this, whatever the run does; the client reconnects with Last-Event-ID. */
const MAX_STREAM_MS = 60 * 60_000;

export interface FollowOptions {
  /** Send events with a seq above this one (from Last-Event-ID on a reconnect). */
  after: number;
  /** End the stream when the run waits for a person, too (published endpoints), not only when it ends. */
  endOnWaiting: boolean;
  /**
   * With `endOnWaiting`, the last event sent before the stream ends on a wait (no `id`, so a
   * reconnect's Last-Event-ID stays the last run event's): what the caller needs to answer it.
   */
  onWaiting?: () => Promise<{ event: string; data: unknown }>;
}

/**
 * A run's events as Server-Sent Events, `id` being the event's seq. The store is read after
 * each commit the bus announces, so a reconnect with Last-Event-ID continues with no gap and no
 * duplicate, whichever process runs the run.
 */
export function followRun(c: Context, store: Store, bus: RunBus, runId: string, options: FollowOptions): Response {
  return streamSSE(c, async (stream) => {
    const aborted = new AbortController();
    stream.onAbort(() => aborted.abort());
    // Followed, the run's model calls stream their text (RunBus.isFollowed).
    const unfollow = bus.follow(runId);
    try {
      const until = Date.now() + MAX_STREAM_MS;
      let last = options.after;
      let quietSince = Date.now();
      while (!aborted.signal.aborted && Date.now() < until) {
        // Listen before reading, so a commit between the read and the wait still wakes us.
        const woken = bus.next(runId, bus.pollMs, aborted.signal);
        const run = await store.getRun(runId);
        if (!run) break;
        const events = await store.listEvents(runId, { afterSeq: last, limit: BATCH });
        for (const event of events) {
          await stream.writeSSE({ id: String(event.seq), event: event.type, data: JSON.stringify(event) });
          last = event.seq;
        }
        if (events.length === BATCH) continue;
        if (events.length) quietSince = Date.now();
        if (hasEnded(run.status)) break;
        if (options.endOnWaiting && run.status === 'waiting') {
          const closing = await options.onWaiting?.();
          if (closing) await stream.writeSSE({ event: closing.event, data: JSON.stringify(closing.data) });
          break;
        }
        if (Date.now() - quietSince >= HEARTBEAT_MS) {
          await stream.write(': keep-alive\n\n');
          quietSince = Date.now();
        }
        await woken;
      }
    } finally {
      unfollow();
    }
  });
}

/** The seq a follower resumes after: the Last-Event-ID header, or `?after=` for clients that cannot set headers. */
export function resumePoint(c: Context): number | string {
  const raw = c.req.header('Last-Event-ID') ?? c.req.query('after') ?? '0';
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 ? n : raw;
}
