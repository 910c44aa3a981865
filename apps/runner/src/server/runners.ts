import { TrellisError, hasEnded } from '@trellis/schema';
import type { RunSnapshot } from '../engine/checkpoint.js';
import type { Engine, RunResult } from '../engine/engine.js';
import { checkAnswerTo, decidedStatus } from '../engine/answers.js';
import type { Answer } from '../engine/types.js';
import type { Approval, Store } from '../store/types.js';
import type { RunBus } from './bus.js';
import { notFound } from './errors.js';
import type { Logger } from './logger.js';
import { RunQueue, queueSchemaOf, type RunJob } from './run-queue.js';

/** How long a new queued run is left to its own job before the sweep queues it again. */
const QUEUED_GRACE_MS = 5000;
/** How many runs no runner holds one runner takes over at a time (per sweep, each second). */
const TAKEOVER_BATCH = 20;
/** How long a cancel or an answer asked through another runner waits to see it done before it answers 202. */
const FORWARDED_WAIT_MS = 5000;

export interface RunnersOptions {
  store: Store;
  engine: Engine;
  log: Logger;
  bus: RunBus;
  /** PostgreSQL: the run queue runners share, and how many runs execute here at once (RunServiceOptions.queue). */
  queue?: { url: string; maxRuns: number };
  /** Watches a run's end in the background (the service logs it, and keeps a run the database lost for later). */
  track(promise: Promise<RunResult>, runId?: string): void;
  /** The runs whose caller only waits for the output (the service's set): a job from the queue may add one. */
  unwatched: Set<string>;
}

/** A run just claimed, to start here: its checkpoint when it came with the claim, a cancel asked meanwhile, and whether it is new. */
interface Claimed {
  runId: string;
  cancel?: string;
  snapshot?: RunSnapshot;
  fresh?: boolean;
}

/**
 * What one runner does with the others on its database: keeps the leases of the runs executing
 * here, takes over the runs nobody holds (through the run queue on PostgreSQL), takes runs from
 * the queue while it has room, and hands cancels and answers to whichever runner holds a run.
 * On SQLite it is the one runner: it only keeps leases and takes over what a previous process left.
 */
export class Runners {
  private readonly store: Store;
  private readonly engine: Engine;
  private readonly log: Logger;
  private queue: RunQueue | undefined;
  private commits: { close(): Promise<void> } | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private renewing = false;
  private takingOver = false;
  private stopping = false;

  constructor(private readonly options: RunnersOptions) {
    this.store = options.store;
    this.engine = options.engine;
    this.log = options.log;
  }

  /** Joins the others: opens the queue, hears of their commits, takes over what nobody holds, and keeps leases from now on. */
  async start(): Promise<void> {
    const { queue, bus } = this.options;
    const schema = this.store.pgSchema;
    if (queue && schema !== undefined) {
      this.queue = await RunQueue.start({
        url: queue.url,
        schema: queueSchemaOf(schema),
        log: this.log,
        room: () => this.room(),
        take: (jobs) => this.take(jobs),
        announce: () => this.store.announceQueued(),
      });
    }
    // Other runners' commits wake this runner's followers (a live trace of a run executing elsewhere).
    this.commits = this.store.listenForCommits({
      onRuns: (runIds) => {
        for (const runId of runIds) bus.notify(runId);
        // Nobody else commits to a run held here: a notice of one is a cancel or an answer asked through another runner.
        const mine = runIds.filter((runId) => this.engine.isActive(runId));
        if (mine.length) void this.applyRequests(mine);
      },
      ...(this.queue ? { onQueued: () => this.queue?.wake() } : {}),
      onError: (error) => this.log.warn({ err: error }, 'lost the connection that hears of other runners\' commits; opening it again (live traces of their runs poll meanwhile)'),
    });
    if (this.commits) bus.pollMs = 5000;
    await this.takeOver();
    // A third of the lease: a renewal that fails once (a dropped connection) leaves two more tries before it runs out.
    this.heartbeat = setInterval(() => void this.keepLeases(), Math.max(100, Math.floor(this.store.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** How many more runs this runner takes on (0 while it stops, or when it leaves queued runs to others). */
  room(): number {
    const maxRuns = this.options.queue?.maxRuns;
    if (maxRuns === undefined) return Number.POSITIVE_INFINITY;
    return this.stopping ? 0 : maxRuns - this.engine.activeCount;
  }

  /** True when a new run should go to the queue rather than start here: there is a queue and no room here. */
  get full(): boolean {
    return this.queue !== undefined && this.room() <= 0;
  }

  /** Queues a new run stored unheld (RunService.queueRun); should that fail, the sweep queues it within a second. */
  async enqueueNew(runId: string, unwatched: boolean): Promise<void> {
    await this.queue?.enqueue([{ runId, fresh: true, ...(unwatched ? { unwatched: true } : {}) }]).catch((error: unknown) => this.log.warn({ runId, err: error }, 'could not queue the run; the next sweep queues it'));
  }

  /** A run here ended: its room may take another from the queue. */
  roomFreed(): void {
    this.queue?.roomFreed();
  }

  /** The sweep's part (each second): takes over, or queues, the runs nobody holds. */
  async sweep(): Promise<void> {
    if (this.takingOver) return;
    this.takingOver = true;
    try {
      await this.takeOver();
    } catch (error) {
      this.log.warn({ err: error }, 'could not look for runs to take over; trying again shortly');
    } finally {
      this.takingOver = false;
    }
  }

  /**
   * Resumes the unfinished runs no runner holds (at most a batch at a time; the next sweep takes
   * the rest). With a run queue, they are queued for whichever runner has room (this one too).
   */
  private async takeOver(): Promise<void> {
    if (this.stopping) return;
    if (this.queue) {
      // A new queued run has its own job: it is queued again only if that job was lost (its runner died first).
      const free = await this.store.freeRuns(TAKEOVER_BATCH, new Date(Date.now() - QUEUED_GRACE_MS).toISOString());
      await this.queue.enqueue(free.map((runId) => ({ runId })));
      return;
    }
    const claimed = await this.store.claimRuns(TAKEOVER_BATCH);
    const cancels = claimed.length ? await this.store.cancelRequests(claimed) : new Map<string, string>();
    this.runClaimed(claimed.map((runId) => ({ runId, ...(cancels.has(runId) ? { cancel: cancels.get(runId)! } : {}) })));
  }

  /** Claims the runs of jobs taken from the queue and starts those this runner got (the others run elsewhere already). */
  private async take(jobs: readonly RunJob[]): Promise<boolean> {
    if (this.stopping) return false;
    const byRun = new Map(jobs.map((job) => [job.runId, job]));
    const claimed = await this.store.claimListed([...byRun.keys()]);
    for (const { runId } of claimed) if (byRun.get(runId)?.unwatched) this.options.unwatched.add(runId);
    this.runClaimed(claimed.map((taken) => ({ ...taken, ...(byRun.get(taken.runId)?.fresh ? { fresh: true } : {}) })));
    return true;
  }

  /** Starts the runs this runner just claimed: resumed from their last checkpoint, or cancelled when that was asked meanwhile. */
  private runClaimed(claimed: readonly Claimed[]): void {
    const { track, unwatched } = this.options;
    for (const { runId, cancel, snapshot, fresh } of claimed) {
      if (this.engine.isActive(runId)) continue;
      if (cancel !== undefined) {
        // Someone cancelled it while its runner was gone: it ends here, without another step.
        this.log.info({ runId }, 'cancelling a run taken over, as was asked while its runner was gone');
        track(this.engine.cancel(runId, cancel), runId);
        continue;
      }
      // A new run from the queue is as ordinary as one started here (its end is logged); a run taken over is news.
      if (fresh) this.log.debug({ runId }, 'starting a run taken from the queue');
      else this.log.info({ runId }, 'taking over a run no runner holds (left by a stopped or lost runner)');
      // Claimed a moment ago: the lease is not taken again, nor a never-started run's checkpoint read again.
      const resumed = this.engine.resume(runId, { claimed: true, ...(snapshot ? { snapshot } : {}) });
      if (unwatched.has(runId)) void resumed.catch(() => undefined).finally(() => unwatched.delete(runId));
      track(resumed, runId);
    }
  }

  /** What was asked through other runners of runs executing here: cancels, then answers. */
  private async applyRequests(runIds: readonly string[]): Promise<void> {
    await this.applyCancelRequests(runIds);
    await this.applyAnswerRequests(runIds);
  }

  /** Takes into the runs executing here the answers given through other runners (Store.requestAnswer). */
  private async applyAnswerRequests(runIds: readonly string[]): Promise<void> {
    try {
      for (const { approvalId, runId, answer } of await this.store.answerRequests(runIds)) {
        if (!this.engine.isActive(runId)) continue;
        try {
          this.options.track((await this.engine.answer(runId, answer)).finished);
          this.log.info({ runId, approvalId }, 'took an answer given through another runner');
        } catch (error) {
          // Not a refusal (the database is away): the next heartbeat tries again.
          if (!TrellisError.isInstance(error)) throw error;
          this.log.info({ runId, approvalId, code: error.code }, 'refused an answer given through another runner');
        }
        await this.store.clearAnswerRequest(approvalId);
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not take the answers given through other runners; the next heartbeat tries again');
    }
  }

  /** Cancels the runs executing here that someone asked to cancel through another runner (Store.requestCancel). */
  private async applyCancelRequests(runIds: readonly string[]): Promise<void> {
    try {
      for (const [runId, reason] of await this.store.cancelRequests(runIds)) {
        if (!this.engine.isActive(runId)) continue;
        this.log.info({ runId }, 'cancelling a run as asked through another runner');
        await this.engine.cancel(runId, reason).catch((error: unknown) => this.log.warn({ runId, err: error }, 'could not cancel the run as asked'));
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not read the cancels asked through other runners; the next heartbeat reads them again');
    }
  }

  /**
   * Renews the leases of the runs executing here; a run whose lease another runner took (this
   * process stalled past it) stops here at once and writes nothing more.
   */
  private async keepLeases(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      const active = this.engine.activeRunIds();
      const lost = await this.store.renewLeases(active);
      for (const runId of lost) {
        if (!this.engine.abandon(runId)) continue;
        this.log.warn({ runId }, 'another runner took this run over (its lease ran out here): it stops here');
      }
      // A cancel or an answer asked through another runner whose notice was lost (or on SQLite, which has none).
      if (active.length) await this.applyRequests(active);
    } catch (error) {
      this.log.warn({ err: error }, 'could not renew the leases of the runs executing here; trying again shortly');
    } finally {
      this.renewing = false;
    }
  }

  /** Takes an answer into its run on this runner (taking the run's lease when nobody holds it); resolves once the answer is stored. */
  async answerHere(runId: string, answer: Answer): Promise<void> {
    try {
      this.options.track((await this.engine.answer(runId, answer)).finished);
    } catch (error) {
      // This runner took the run's lease to answer: a refused answer leaves it as it was, waiting
      // for anyone's answer (a run that went on here meanwhile keeps its lease: it is not waiting).
      if (!this.engine.isActive(runId)) await this.store.releaseLeases([runId]).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Hands an answer to the runner executing its run (Store.requestAnswer), and waits a few seconds
   * to see it taken: the approval as decided, or still pending when that runner has not taken it
   * yet (it does in a moment, or the answer is taken here once the run stops elsewhere and only waits).
   */
  async forwardAnswer(approval: Approval, answer: Answer): Promise<Approval> {
    // Checked here, as the holder would: a wrong answer hears why now, not never.
    checkAnswerTo({ id: approval.waitId, kind: approval.kind, ...(approval.schema ? { schema: approval.schema } : {}) }, answer);
    if (!(await this.store.requestAnswer(approval.id, answer))) {
      // Decided meanwhile, or another answer is already on its way to the holder: the first one wins.
      const current = await this.decidedSoon(approval.id);
      if (current && current.status !== 'pending') throw alreadyDecided(current);
      throw new TrellisError('run_held', `another answer to "${approval.waitId}" is being taken by the runner executing run ${approval.runId}`, { retryable: true, retryAfterMs: 1000 });
    }
    const until = Date.now() + FORWARDED_WAIT_MS;
    let nextTry = Date.now() + 250;
    for (;;) {
      await sleep(50);
      const current = await this.store.getApproval(approval.id);
      if (!current) throw notFound('approval', approval.id);
      if (current.status !== 'pending') {
        if (current.decidedBy === answer.by && current.status === decidedStatus(approval.kind, answer)) return current;
        throw alreadyDecided(current);
      }
      if (Date.now() > until) return current;
      if (Date.now() < nextTry) continue;
      nextTry = Date.now() + 250;
      // The run may have stopped holding meanwhile (it now only waits for this answer): take it here.
      try {
        await this.answerHere(approval.runId, answer);
        await this.store.clearAnswerRequest(approval.id);
      } catch (error) {
        if (!TrellisError.isInstance(error)) throw error;
        // Still held (the holder takes it), or decided (the next read says by whom).
      }
    }
  }

  /** The approval once it is no longer pending, or as it is after a short while. */
  private async decidedSoon(approvalId: string): Promise<Approval | undefined> {
    const end = Date.now() + 2000;
    for (;;) {
      const approval = await this.store.getApproval(approvalId);
      if (!approval || approval.status !== 'pending' || Date.now() > end) return approval;
      await sleep(50);
    }
  }

  /**
   * Asks the runner executing a run to cancel it, through the database (it hears of it at once on
   * PostgreSQL, else at its next heartbeat; a runner taking it over cancels it instead): true once
   * the run has ended, false if it still runs after a few seconds.
   */
  async forwardCancel(runId: string): Promise<boolean> {
    if (!(await this.store.requestCancel(runId, 'cancelled by request (through another runner)'))) {
      const now = await this.store.getRun(runId);
      throw new TrellisError('run_finished', `run ${runId} has already ${now?.status ?? 'ended'}`);
    }
    const until = Date.now() + FORWARDED_WAIT_MS;
    while (Date.now() < until) {
      await sleep(50);
      if (hasEnded((await this.store.getRun(runId))?.status ?? 'cancelled')) return true;
    }
    return false;
  }

  /** Stops taking runs (from the queue and by takeover); the runs executing here go on. */
  async stopTaking(): Promise<void> {
    this.stopping = true;
    await this.queue?.stopTaking();
  }

  /**
   * Leaves the others, once the runs here have drained: no more heartbeat or notices, and what
   * still ran here is let go and queued at once, for another runner to take without waiting for
   * its lease to run out.
   */
  async leave(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.commits?.close();
    const released = await this.store.releaseLeases().catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not let go of the runs held here; other runners take them once their leases run out');
      return 0;
    });
    if (!this.queue) return;
    if (released) await this.handBack(released);
    await this.queue.close();
  }

  /** Queues the runs let go at shutdown, for the other runners to take at once (else their next sweep does). */
  private async handBack(released: number): Promise<void> {
    try {
      await this.queue?.enqueue((await this.store.freeRuns(Math.max(TAKEOVER_BATCH, released))).map((runId) => ({ runId })));
    } catch (error) {
      this.log.warn({ err: error }, 'could not queue the runs let go; the other runners find them at their next sweep');
    }
  }
}

/** The refusal of an answer to an approval that is no longer pending: who decided it and when. */
export function alreadyDecided(approval: Approval): TrellisError {
  const how = approval.status.replace('_', ' ');
  const who = approval.decidedBy ? ` by ${approval.decidedBy}` : '';
  const when = approval.decidedAt ? ` at ${approval.decidedAt}` : '';
  return new TrellisError('already_decided', `approval "${approval.id}" is no longer pending: it was ${how}${who}${when}`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
