import { createHash } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { withUser } from '../store/db.js';
import type { Logger } from './logger.js';

/*
 * The queue runners share on one PostgreSQL database: a job says "this run needs a runner".
 * pg-boss keeps the jobs (SKIP LOCKED fetches, retries, expiry, archiving); the run's lease
 * (store/types.ts) stays what decides who executes it. A job is done once a runner has claimed
 * its run (or found it held by another): a run executes for as long as it needs, renewed by its
 * heartbeat, rather than inside the job's expiry, and a dead runner's runs come back to the
 * queue when their leases run out (the service's sweep queues them again).
 */

/** pg-boss's queue of runs waiting for a runner. */
export const RUNS_QUEUE = 'trellis-runs';
/** At most this many jobs are fetched at once. */
const FETCH_BATCH = 50;

/** The schema pg-boss keeps its tables in: beside Trellis's own, one per schema (several installs may share a database). */
export function queueSchemaOf(schema: string): string {
  const name = `${schema}_queue`;
  // PostgreSQL cuts names at 63 bytes: a long schema's queue is named by a hash of it instead.
  return name.length <= 63 ? name : `trellis_queue_${createHash('sha256').update(schema).digest('hex').slice(0, 40)}`;
}

/** What a job carries. */
export interface RunJob {
  runId: string;
  /** Nobody watches the run's text as it is written (StartRequest.unwatched). */
  unwatched?: boolean;
  /** A new run queued by its caller (not one whose runner stopped or died). */
  fresh?: boolean;
}

export interface RunQueueOptions {
  url: string;
  /** The schema pg-boss keeps its tables in (created when missing). */
  schema: string;
  log: Logger;
  /** How many more runs this runner takes now (0 when it is busy, or does not take queued runs at all). */
  room(): number;
  /**
   * Claims and starts the runs of these jobs; resolves once each is claimed here or found held
   * elsewhere (true), or at once with false when this runner takes nothing any more (it stops).
   */
  take(jobs: RunJob[]): Promise<boolean>;
  /** Tells the other runners that jobs were queued (LISTEN/NOTIFY), so they look at once. */
  announce(): Promise<void>;
  /** How often the queue is looked at when nobody announced anything; 1 s by default. */
  pollMs?: number;
}

/** The run queue of one runner: queues runs for any runner, and takes runs while it has room. */
export class RunQueue {
  private stopped = false;
  private woken = false;
  /** Jobs fetched whose runs are being claimed. */
  private claiming = 0;
  /** The last look found no room: a run ending here is a reason to look again. */
  private starved = false;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private loop: Promise<void> | undefined;
  /** Jobs to insert with the next flush, and the flush they wait for. */
  private pending: RunJob[] = [];
  private flushing: Promise<void> | undefined;

  private constructor(
    private readonly boss: PgBoss,
    private readonly options: RunQueueOptions,
  ) {}

  /** Opens the queue (creating pg-boss's schema and the runs queue when missing) and starts taking runs. */
  static async start(options: RunQueueOptions): Promise<RunQueue> {
    // Loaded only on PostgreSQL: a runner on SQLite never pays for it.
    const { default: Boss } = await import('pg-boss');
    const boss = new Boss({
      connectionString: withUser(options.url),
      schema: options.schema,
      // Names the queue's connections in pg_stat_activity, per install (its schema), as the store's are.
      application_name: `trellis-queue:${options.schema}`,
      max: 4,
      // Jobs only carry dispatch: a completed one is of no use for long (the run's row is the record).
      archiveCompletedAfterSeconds: 600,
      deleteAfterHours: 24,
      schedule: false,
    });
    boss.on('error', (error) => options.log.warn({ err: error }, 'the run queue reported an error; it goes on'));
    await boss.start();
    // A job nobody completes (its runner died between fetching and claiming) comes back after a minute.
    await boss.createQueue(RUNS_QUEUE, { name: RUNS_QUEUE, policy: 'short', retryLimit: 5, retryDelay: 1, expireInSeconds: 60 });
    const queue = new RunQueue(boss, options);
    queue.loop = queue.work();
    return queue;
  }

  /**
   * Queues these runs for any runner (a run already waiting in the queue is not queued twice: the
   * queue's policy keeps one waiting job per run) and tells the runners to look.
   */
  enqueue(jobs: readonly RunJob[]): Promise<void> {
    if (!jobs.length) return Promise.resolve();
    // Calls within one turn of the event loop share one insert and one NOTIFY (under load, many).
    this.pending.push(...jobs);
    this.flushing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return this.flushing;
  }

  private async flush(): Promise<void> {
    const jobs = this.pending;
    this.pending = [];
    this.flushing = undefined;
    await this.boss.insert(jobs.map((data) => ({ name: RUNS_QUEUE, data, singletonKey: data.runId })));
    this.wake();
    await this.options.announce().catch((error: unknown) => this.options.log.warn({ err: error }, 'could not tell the other runners of queued runs; they find them at their next look'));
  }

  /** Looks at the queue now (runs were queued, or this runner has room again) rather than at the next poll. */
  wake(): void {
    this.woken = true;
    const sleeping = this.sleeping;
    if (!sleeping) return;
    this.sleeping = undefined;
    clearTimeout(sleeping.timer);
    sleeping.resolve();
  }

  /** A run executing here stopped: look again if the last look was refused for want of room. */
  roomFreed(): void {
    if (this.starved) this.wake();
  }

  /** Stops taking runs (runs taken keep running); runs can still be queued for the others until close(). */
  async stopTaking(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
    while (this.claiming > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Stops taking runs and closes pg-boss's connections. */
  async close(): Promise<void> {
    await this.stopTaking();
    await this.boss.stop({ graceful: false, close: true, wait: true }).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not close the run queue cleanly'));
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      this.woken = false;
      // Jobs fetched and still being claimed count against the room.
      const room = Math.min(FETCH_BATCH, this.options.room() - this.claiming);
      this.starved = room <= 0;
      let full = false;
      if (room > 0) {
        try {
          const jobs = await this.boss.fetch<RunJob>(RUNS_QUEUE, { batchSize: room });
          full = jobs.length === room;
          if (jobs.length) {
            // Claimed while the next fetch goes out: under load the two round trips overlap.
            this.claiming += jobs.length;
            void this.settle(jobs).finally(() => {
              this.claiming -= jobs.length;
              this.roomFreed();
            });
          }
        } catch (error) {
          this.options.log.warn({ err: error }, 'could not take runs from the queue; trying again shortly');
        }
      }
      // A full batch may have more behind it: look again at once.
      if (!full && !this.woken && !this.stopped) await this.sleep();
    }
  }

  /** Takes the jobs' runs; the jobs are done once taken, and are tried again (by any runner) when taking failed. */
  private async settle(jobs: PgBoss.Job<RunJob>[]): Promise<void> {
    const ids = jobs.map((job) => job.id);
    try {
      if (!(await this.options.take(jobs.map((job) => job.data)))) {
        // Back to the queue at once, for another runner (pg-boss tries a failed job again after its delay).
        await this.boss.fail(RUNS_QUEUE, ids).catch(() => undefined);
        return;
      }
    } catch (error) {
      this.options.log.warn({ err: error }, 'could not take runs from the queue; they go back to it');
      await this.boss.fail(RUNS_QUEUE, ids).catch(() => undefined);
      return;
    }
    // Not waited for: the runs are claimed, and a job left active comes back only to find its run held.
    this.boss.complete(RUNS_QUEUE, ids).catch((error: unknown) => this.options.log.warn({ err: error }, 'could not mark jobs of the run queue done; they expire and find their runs held'));
  }

  private sleep(): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping = undefined;
        resolve();
      }, this.options.pollMs ?? 1000);
      timer.unref();
      this.sleeping = { timer, resolve };
    });
  }
}
