import { v7 as uuidv7 } from 'uuid';
import { TrellisError, hasEnded, type Flow, type Problem, type PromptPin, type RunEvent, type RunSummary, type StepScope, type StepTestResult } from '@trellis/schema';
import { createModelResolver, type Decision as EngineDecision, type ModelResolver, type NetworkPolicy } from '@trellis/nodes/server';
import type { RunRecord, RunSnapshot } from '../engine/checkpoint.js';
import { Engine, STORE_UNAVAILABLE, type RunResult, type StoreFault, type StoreRetry } from '../engine/engine.js';
import { UnresolvedPromptError } from '../engine/prompts.js';
import { checkAnswerTo, decidedStatus } from '../engine/answers.js';
import type { Answer, StartOptions } from '../engine/types.js';
import { findFlowCycles, flowReferences } from '../engine/subflows.js';
import { kinds } from '@trellis/nodes';
import { storePromptResolver } from '../store/prompt-resolver.js';
import type { Approval, Store } from '../store/types.js';
import { RunBus, notifyingCheckpoints } from './bus.js';
import { RunChangeFeed } from './changes.js';
import { notFound } from './errors.js';
import type { Logger } from './logger.js';
import { checkInput, inputSchemaOf } from './published.js';
import { Credentials } from '../secrets/credentials.js';
import { RunQueue, queueSchemaOf, type RunJob } from './run-queue.js';

export interface RunServiceOptions {
  store: Store;
  log: Logger;
  models?: ModelResolver;
  allowPrivateNetwork?: boolean;
  /** The stdio MCP servers flows may start (the runner's configuration). */
  mcpServers?: NetworkPolicy['mcpServers'];
  /** How often waits with a deadline are checked, and paused runs tried again. */
  sweepIntervalMs?: number;
  /** Provider keys and named secrets (Settings); without them, runs see no credentials and the API cannot store any. */
  credentials?: Credentials;
  /** How a write the database refused is tried again before its run pauses (the engine's default otherwise). */
  storeRetry?: StoreRetry;
  /** The bound of one "Test this step" (all its attempts); 60 s by default. */
  stepTestTimeoutMs?: number;
  /**
   * PostgreSQL: the run queue runners share (server/run-queue.ts), at this URL; `maxRuns` bounds
   * the runs executing here at once for this runner to take another from the queue (0: it takes
   * none, and only queues runs for the others). Without it, runs no runner holds are claimed directly.
   */
  queue?: { url: string; maxRuns: number };
}

export interface StartRequest {
  input: unknown;
  version?: number;
  mocks?: unknown;
  labels?: Record<string, string>;
  /**
   * Refuse (`invalid_input`, naming each field) an input that does not match the flow's input
   * schema before the run exists, rather than creating a run that fails on its first step.
   */
  checkInput?: boolean;
  /**
   * Nobody watches the run's text as it is written (a published endpoint's caller waits for the
   * output): its model calls are made whole, not streamed, unless a live trace follows the run.
   */
  unwatched?: boolean;
  /**
   * The caller hears of the run only when it ends (or after the sync timeout): nobody looks it up by
   * id before, so its record is stored with its first commit (StartOptions.storeWithFirstCommit).
   */
  callerWaits?: boolean;
}

/** A person's answer to a wait, as the engine takes it (a deadline's answer is the engine's own). */
export type Decision = Omit<EngineDecision, 'timedOut'>;

/** A run refused over its library prompts, as the client should hear it; undefined for any other error. */
function promptRefusal(error: unknown): TrellisError | undefined {
  if (error instanceof UnresolvedPromptError) {
    return new TrellisError('unresolved_prompt', error.message, { details: { problems: error.problems } });
  }
  if (TrellisError.isInstance(error) && error.code === 'prompt_unavailable') {
    return new TrellisError('prompt_unavailable', error.message, { retryable: true, retryAfterMs: 1000 });
  }
  return undefined;
}

/** A run record as the store lists it (the document stays in the store). */
function summaryOf(run: RunRecord): RunSummary {
  const { flow, mocks: _mocks, budget: _budget, ...rest } = run;
  return { ...rest, flowId: flow.id };
}

/** The refusal of an answer to an approval that is no longer pending: who decided it and when. */
function alreadyDecided(approval: Approval): TrellisError {
  const how = approval.status.replace('_', ' ');
  const who = approval.decidedBy ? ` by ${approval.decidedBy}` : '';
  const when = approval.decidedAt ? ` at ${approval.decidedAt}` : '';
  return new TrellisError('already_decided', `approval "${approval.id}" is no longer pending: it was ${how}${who}${when}`);
}

/** How long a new queued run is left to its own job before the sweep queues it again. */
const QUEUED_GRACE_MS = 5000;
/** How many runs no runner holds one runner takes over at a time (per sweep, each second). */
const TAKEOVER_BATCH = 20;
/** How long a cancel or an answer asked through another runner waits to see it done before it answers 202. */
const FORWARDED_WAIT_MS = 5000;

/**
 * What the log says of a run: at info one line each time it stops (it ends, or waits for a
 * person) and for a step that fails; at debug every step; deltas and tool chatter never (they
 * stay in the trace). A published endpoint answering 800 runs a second writes 800 lines, not
 * 5,000 (each line costs the hot path about 2 %).
 */
const RUN_LINES = new Set<RunEvent['type']>(['node.failed', 'run.waiting', 'run.completed', 'run.failed', 'run.cancelled']);
const STEP_LINES = new Set<RunEvent['type']>(['run.started', 'node.completed', 'node.skipped', 'run.resumed']);

/**
 * Runs flows stored in the store: starts them, resumes them after a restart or an answer,
 * expires waits, and drains on shutdown. HTTP routes talk to this, never to the engine.
 */
export class RunService {
  readonly bus = new RunBus();
  /** Every status change of the runs this runner executes (GET /api/runs/changes). */
  readonly changes = new RunChangeFeed();
  readonly engine: Engine;
  /** The model resolver the engine was given (it builds the default one when none was): the prompt library's "Try it" uses the same. */
  get models(): ModelResolver | undefined {
    return this.options.models;
  }
  /** What the runner's tools may reach: the engine's, and the MCP tool listing's (/api/mcp/tools). */
  readonly network: NetworkPolicy;
  /** Provider keys and named secrets: the engine's HTTP tools and model resolver read them, the credentials API writes them. */
  readonly credentials: Credentials;
  private readonly store: Store;
  private readonly log: Logger;
  private sweeper: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private commits: { close(): Promise<void> } | undefined;
  private queue: RunQueue | undefined;
  private renewing = false;
  private takingOver = false;
  private stopping = false;
  private readonly background = new Set<Promise<unknown>>();
  /** Runs started for a caller that only waits for the output (StartRequest.unwatched), while they run here. */
  private readonly unwatched = new Set<string>();
  /**
   * Runs stopped because the database could not take their writes, with how often resuming
   * failed and when to try next: the sweeper resumes them once it can, backing off while it cannot.
   */
  private readonly stalled = new Map<string, { failures: number; next: number }>();
  /** The runs' ends already watched: an answer to a live run hands back the end its start watches. */
  private readonly watched = new WeakSet<Promise<RunResult>>();

  constructor(private readonly options: RunServiceOptions) {
    this.store = options.store;
    this.log = options.log;
    this.network = { allowPrivateNetwork: options.allowPrivateNetwork ?? false, ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}) };
    this.credentials = options.credentials ?? new Credentials(options.store, { unavailable: 'this runner was started without a secret key, so it keeps no credentials' });
    const credentials = this.credentials;
    // The environment's keys win; a key entered in Settings serves a provider the environment has none for.
    this.options = { ...options, models: options.models ?? createModelResolver({ storedKey: (provider) => credentials.providerKey(provider) }) };
    this.engine = new Engine({
      store: notifyingCheckpoints(options.store, this.bus, this.changes),
      network: this.network,
      onEvent: (event) => this.logEvent(event),
      onFault: (fault) => this.logFault(fault),
      prompts: storePromptResolver(options.store),
      flows: { version: (flowId, version) => this.findVersion(flowId, version) },
      ...(this.options.models ? { models: this.options.models } : {}),
      secrets: (name) => credentials.secret(name),
      watched: (runId) => !this.unwatched.has(runId) || this.bus.isFollowed(runId),
      ...(options.storeRetry ? { storeRetry: options.storeRetry } : {}),
    });
  }

  /**
   * Takes over the unfinished runs nobody holds (a previous process's, or a dead runner's whose
   * lease ran out), keeps the leases of the runs executing here, and starts watching deadlines.
   */
  async start(): Promise<void> {
    await this.credentials.refresh();
    const { queue } = this.options;
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
        for (const runId of runIds) this.bus.notify(runId);
        // Nobody else commits to a run held here: a notice of one is a cancel or an answer asked through another runner.
        const mine = runIds.filter((runId) => this.engine.isActive(runId));
        if (mine.length) void this.applyRequests(mine);
      },
      ...(this.queue ? { onQueued: () => this.queue?.wake() } : {}),
      onError: (error) => this.log.warn({ err: error }, 'lost the connection that hears of other runners\' commits; opening it again (live traces of their runs poll meanwhile)'),
    });
    if (this.commits) this.bus.pollMs = 5000;
    await this.takeOver();
    for (const parent of await this.store.endedChildrenOfWaitingRuns()) {
      this.log.info({ runId: parent.runId, nodeId: parent.nodeId }, 'waking a run whose sub-flow ended while no runner was up');
      this.engine.wake(parent.runId, parent.nodeId).catch((error: unknown) => this.log.warn({ runId: parent.runId, err: error }, 'could not wake the run'));
    }
    const interval = this.options.sweepIntervalMs ?? 1000;
    this.sweeper = setInterval(() => {
      void this.expireDue();
      this.resumeStalled();
      // Every sweep rather than every beat: a dead runner's runs are taken over within a sweep of its lease running out.
      void this.takeOverQuietly();
    }, interval);
    this.sweeper.unref();
    // A third of the lease: a renewal that fails once (a dropped connection) leaves two more tries before it runs out.
    this.heartbeat = setInterval(() => void this.keepLeases(), Math.max(100, Math.floor(this.store.leaseMs / 3)));
    this.heartbeat.unref();
  }

  /** How many more runs this runner takes on (0 while it stops, or when it leaves queued runs to others). */
  private room(): number {
    const maxRuns = this.options.queue?.maxRuns;
    if (maxRuns === undefined) return Number.POSITIVE_INFINITY;
    return this.stopping ? 0 : maxRuns - this.engine.activeCount;
  }

  private async takeOverQuietly(): Promise<void> {
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
    for (const { runId } of claimed) if (byRun.get(runId)?.unwatched) this.unwatched.add(runId);
    this.runClaimed(claimed.map((taken) => ({ ...taken, ...(byRun.get(taken.runId)?.fresh ? { fresh: true } : {}) })));
    return true;
  }

  /**
   * Starts the runs this runner just claimed: resumed from their last checkpoint (`snapshot`, when
   * it came with the claim), or cancelled when that was asked meanwhile (`cancel`). `fresh`: a new
   * run from the queue rather than one taken over.
   */
  private runClaimed(claimed: readonly { runId: string; cancel?: string; snapshot?: RunSnapshot; fresh?: boolean }[]): void {
    for (const { runId, cancel, snapshot, fresh } of claimed) {
      if (this.engine.isActive(runId)) continue;
      if (cancel !== undefined) {
        // Someone cancelled it while its runner was gone: it ends here, without another step.
        this.log.info({ runId }, 'cancelling a run taken over, as was asked while its runner was gone');
        this.track(this.engine.cancel(runId, cancel), runId);
        continue;
      }
      // A new run from the queue is as ordinary as one started here (its end is logged); a run taken over is news.
      if (fresh) this.log.debug({ runId }, 'starting a run taken from the queue');
      else this.log.info({ runId }, 'taking over a run no runner holds (left by a stopped or lost runner)');
      // Claimed a moment ago: the lease is not taken again, nor a never-started run's checkpoint read again.
      const resumed = this.engine.resume(runId, { claimed: true, ...(snapshot ? { snapshot } : {}) });
      if (this.unwatched.has(runId)) void resumed.catch(() => undefined).finally(() => this.unwatched.delete(runId));
      this.track(resumed, runId);
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
          this.track((await this.engine.answer(runId, answer)).finished);
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

  /** The stored document of a flow version (latest when none is given). */
  async flowVersion(flowId: string, version?: number): Promise<{ version: number; document: Flow }> {
    let wanted = version;
    if (wanted === undefined) {
      const flow = await this.store.getFlow(flowId);
      if (!flow) throw notFound('flow', flowId);
      wanted = flow.latestVersion;
    }
    const document = await this.store.versionDocument(flowId, wanted);
    if (!document) throw version === undefined ? notFound('flow', flowId) : new TrellisError('not_found', `flow "${flowId}" has no version ${version}`);
    return { version: wanted, document };
  }

  /** Creates a run and starts it; resolves once the run is stored, with the stored run and a promise of its end. */
  async startRun(flowId: string, request: StartRequest): Promise<{ runId: string; version: number; run: RunSummary; finished: Promise<RunResult> }> {
    const { version, document, options } = await this.startOptions(flowId, request);
    // Known as unwatched before its first step can call a model.
    const unwatchedId = request.unwatched ? uuidv7() : undefined;
    if (unwatchedId) this.unwatched.add(unwatchedId);
    const begun = this.engine
      .begin(document, { ...options, ...(unwatchedId ? { runId: unwatchedId } : {}), ...(request.callerWaits ? { storeWithFirstCommit: true } : {}) })
      .catch((error: unknown) => {
        throw promptRefusal(error) ?? error;
      });
    if (unwatchedId) void begun.then(({ finished }) => finished).catch(() => undefined).finally(() => this.unwatched.delete(unwatchedId));
    const { runId, run, finished } = await begun;
    this.track(finished);
    return { runId, version, run: summaryOf(run), finished };
  }

  /** The flow version a request runs, checked, and the engine's options for it (the input checked when asked). */
  private async startOptions(flowId: string, request: StartRequest): Promise<{ version: number; document: Flow; options: StartOptions }> {
    const { version, document } = await this.flowVersion(flowId, request.version);
    const flow = this.checkRunnable(flowId, version, document);
    const input = request.checkInput ? checkInput(inputSchemaOf(flow), request.input) : request.input;
    const options: StartOptions = {
      input,
      flowVersion: version,
      ...(request.mocks === undefined ? {} : { mocks: request.mocks }),
      ...(request.labels ? { labels: request.labels } : {}),
    };
    return { version, document, options };
  }

  /**
   * Starts a run nobody waits for on this connection (an async caller's): here, at once, while
   * this runner has room (as startRun, and as on SQLite, where there is no queue); otherwise it is
   * created for whichever runner takes it from the queue first (a worker, or this one once it has room).
   */
  async queueRun(flowId: string, request: StartRequest): Promise<{ runId: string; version: number; run: RunSummary }> {
    if (!this.queue || this.room() > 0) return this.startRun(flowId, request);
    const { version, document, options } = await this.startOptions(flowId, request);
    const { runId, run } = await this.engine
      .create(document, options)
      .catch((error: unknown) => {
        throw promptRefusal(error) ?? error;
      });
    // The run is stored: should queueing it fail, the sweep queues it within a second.
    await this.queue.enqueue([{ runId, fresh: true, ...(request.unwatched ? { unwatched: true } : {}) }]).catch((error: unknown) => this.log.warn({ runId, err: error }, 'could not queue the run; the next sweep queues it'));
    return { runId, version, run: summaryOf(run) };
  }

  /**
   * Runs one node of a flow on its own (the editor's "Test this step"): of the draft the editor
   * sends, or of the latest saved version. Nothing is stored: no run, no event, no approval.
   */
  async testStep(flowId: string, nodeId: string, request: { document?: unknown; scope?: StepScope; mocks?: unknown }): Promise<StepTestResult> {
    let document = request.document;
    if (document === undefined) document = (await this.flowVersion(flowId)).document;
    else {
      if (!(await this.store.getFlow(flowId))) throw notFound('flow', flowId);
      const id = (document as { id?: unknown }).id;
      if (id !== flowId) throw new TrellisError('id_mismatch', `the document's id is "${String(id)}" but the URL names flow "${flowId}"`);
    }
    const started = performance.now();
    const result = await this.engine
      .testStep(document, nodeId, request.scope ?? {}, { mocks: request.mocks, timeoutMs: this.options.stepTestTimeoutMs ?? 60_000 })
      .catch((error: unknown) => {
        throw promptRefusal(error) ?? error;
      });
    this.log.info({ flowId, nodeId, status: result.status, ms: Math.round(performance.now() - started) }, 'step tested');
    return result;
  }

  /** A saved flow's version (its newest for 'latest'), or undefined when there is none. */
  private async findVersion(flowId: string, version: number | 'latest'): Promise<{ version: number; document: Flow } | undefined> {
    try {
      return await this.flowVersion(flowId, version === 'latest' ? undefined : version);
    } catch (error) {
      if (TrellisError.isInstance(error) && error.code === 'not_found') return undefined;
      throw error;
    }
  }

  /**
   * The problems of a flow's sub-flow nodes that only saved flows can tell: a flow named that does
   * not exist (an error) and a chain of flows that leads back to this one (an error).
   */
  async subflowProblems(document: Flow): Promise<Problem[]> {
    const source = { version: (flowId: string, version: number | 'latest') => this.findVersion(flowId, version) };
    const problems: Problem[] = [];
    const nodeIndex = (id: string) => document.nodes.findIndex((n) => n.id === id);
    for (const { nodeId, ref } of flowReferences(document, kinds)) {
      if (ref.flowId !== document.id && !(await source.version(ref.flowId, ref.version))) {
        const what = ref.version === 'latest' ? `the flow "${ref.flowId}", which does not exist` : `version ${ref.version} of the flow "${ref.flowId}", which has no such version`;
        problems.push({ severity: 'error', code: 'invalid_config', nodeId, path: ['nodes', nodeIndex(nodeId), 'config', 'flow'], message: `runs ${what}` });
      }
    }
    for (const { nodeId, chain } of await findFlowCycles(document, kinds, source)) {
      problems.push({ severity: 'error', code: 'cycle', nodeId, path: ['nodes', nodeIndex(nodeId), 'config', 'flow'], message: `the flows use each other (${chain.join(' → ')}): a flow cannot run itself, even through another` });
    }
    return problems;
  }

  /** Refuses (422) a flow whose sub-flows cannot be found or lead back to it, naming each node. */
  async checkSubflows(document: Flow): Promise<void> {
    const problems = await this.subflowProblems(document);
    if (!problems.length) return;
    const cycle = problems.some((p) => p.code === 'cycle');
    throw new TrellisError(cycle ? 'flow_cycle' : 'unresolved_flow', `node "${problems[0]!.nodeId}" ${problems[0]!.message}`, { details: { problems } });
  }

  /**
   * The library prompt versions a run of this flow would use now; a 422 naming each node, field
   * and reference that cannot be resolved (e.g. before publishing a flow).
   */
  async checkPrompts(document: Flow): Promise<PromptPin[]> {
    try {
      return await this.engine.resolvePrompts(document);
    } catch (error) {
      throw promptRefusal(error) ?? error;
    }
  }

  /**
   * Answers a pending approval or question; resolves once the answer is stored (the run goes on in the
   * background). Of answers given at once, exactly one is taken: every other is refused with
   * 409 `already_decided`, naming who decided and when.
   */
  async decide(approvalId: string, decision: Decision) {
    const approval = await this.store.getApproval(approvalId);
    if (!approval) throw notFound('approval', approvalId);
    if (approval.status !== 'pending') throw alreadyDecided(approval);
    const answer: Answer = {
      waitId: approval.waitId,
      approved: decision.approved,
      ...(decision.by ? { by: decision.by } : {}),
      ...(decision.comment ? { comment: decision.comment } : {}),
      ...(decision.payload === undefined ? {} : { payload: decision.payload }),
      ...(decision.answer === undefined ? {} : { answer: decision.answer }),
    };
    try {
      // The engine checks the answer against what the run waits on: a question's against its schema.
      await this.answerHere(approval.runId, answer);
    } catch (error) {
      // The run goes on on another runner (a branch waits while others run): that runner takes the answer.
      if (TrellisError.isInstance(error) && error.code === 'run_held') return this.forwardAnswer(approval, answer);
      // Another answer was taken first (the run went on, or even ended, meanwhile): say whose.
      if (TrellisError.isInstance(error) && ['already_decided', 'unknown_wait', 'run_finished'].includes(error.code)) {
        const current = await this.store.getApproval(approvalId);
        if (current && current.status !== 'pending') throw alreadyDecided(current);
      }
      throw error;
    }
    return (await this.store.getApproval(approvalId)) ?? approval;
  }

  /** Takes an answer into its run on this runner (taking the run's lease when nobody holds it); resolves once the answer is stored. */
  private async answerHere(runId: string, answer: Answer): Promise<void> {
    try {
      this.track((await this.engine.answer(runId, answer)).finished);
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
  private async forwardAnswer(approval: Approval, answer: Answer): Promise<Approval> {
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
      await new Promise((resolve) => setTimeout(resolve, 50));
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
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /**
   * Cancels a run. One executing on another runner is asked to stop through the database (that
   * runner hears of it at once on PostgreSQL, else at its next heartbeat; a runner taking it
   * over cancels it instead): true once it has ended, false if it still runs after a few seconds.
   */
  async cancel(runId: string): Promise<boolean> {
    const run = await this.store.getRun(runId);
    if (!run) throw notFound('run', runId);
    if (hasEnded(run.status)) throw new TrellisError('run_finished', `run ${runId} has already ${run.status}`);
    try {
      await this.engine.cancel(runId, 'cancelled by request');
      return true;
    } catch (error) {
      if (!TrellisError.isInstance(error) || error.code !== 'run_held') throw error;
    }
    if (!(await this.store.requestCancel(runId, 'cancelled by request (through another runner)'))) {
      const now = await this.store.getRun(runId);
      throw new TrellisError('run_finished', `run ${runId} has already ${now?.status ?? 'ended'}`);
    }
    const until = Date.now() + FORWARDED_WAIT_MS;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      if (hasEnded((await this.store.getRun(runId))?.status ?? 'cancelled')) return true;
    }
    return false;
  }

  /** Stops taking runs, lets steps in flight finish (bounded), and leaves the rest to the next start. */
  async shutdown(timeoutMs: number): Promise<{ drained: string[]; abandoned: string[] }> {
    this.stopping = true;
    if (this.sweeper) clearInterval(this.sweeper);
    await this.queue?.stopTaking();
    const result = await this.engine.drain(timeoutMs);
    if (this.heartbeat) clearInterval(this.heartbeat);
    await this.commits?.close();
    await Promise.race([Promise.allSettled([...this.background]), new Promise((r) => setTimeout(r, 100))]);
    // What stopped here is handed back at once: another runner takes it without waiting for the leases to run out.
    const released = await this.store.releaseLeases().catch((error: unknown) => {
      this.log.warn({ err: error }, 'could not let go of the runs held here; other runners take them once their leases run out');
      return 0;
    });
    if (this.queue) {
      // Queued at once, rather than found by the others' next sweep.
      if (released) await this.handBack(released);
      await this.queue.close();
    }
    return result;
  }

  /** Queues the runs let go at shutdown, for the other runners to take at once (else their next sweep does). */
  private async handBack(released: number): Promise<void> {
    try {
      await this.queue?.enqueue((await this.store.freeRuns(Math.max(TAKEOVER_BATCH, released))).map((runId) => ({ runId })));
    } catch (error) {
      this.log.warn({ err: error }, 'could not queue the runs let go; the other runners find them at their next sweep');
    }
  }

  /**
   * The flow a stored version runs as, or `invalid_flow` naming its problems. The engine loads
   * (migrates and checks) each stored document once and keeps it, so the run that follows, and
   * every later run of the version, reuses this load.
   */
  checkRunnable(flowId: string, version: number, document: Flow): Flow {
    try {
      return this.engine.load(document).flow;
    } catch (error) {
      if (!TrellisError.isInstance(error) || error.code !== 'invalid_flow') throw error;
      const problems = (error.details as { problems?: Problem[] } | undefined)?.problems ?? [];
      throw new TrellisError('invalid_flow', `flow "${flowId}" version ${version} cannot run: it has ${problems.length} problem${problems.length === 1 ? '' : 's'}, e.g. ${problems[0]?.message ?? ''}`, { details: { problems } });
    }
  }

  private async expireDue(): Promise<void> {
    try {
      const due = await this.store.dueApprovals(new Date());
      for (const runId of new Set(due.map((a) => a.runId))) {
        if (this.engine.isActive(runId)) continue; // a live run expires its own waits
        await this.engine.expireWaits(runId).catch((error: unknown) => {
          // Another runner expired it first, or holds the run and expires it itself.
          if (TrellisError.isInstance(error) && ['run_held', 'already_decided', 'unknown_wait', 'run_finished'].includes(error.code)) return;
          throw error;
        });
      }
    } catch (error) {
      this.log.warn({ err: error }, 'could not expire approvals');
    }
  }

  /**
   * Goes on with the runs the database could not take writes of: each is loaded from its last
   * checkpoint; while the database is still away the load fails and the run waits for the next sweep.
   */
  private resumeStalled(): void {
    const now = Date.now();
    for (const [runId, { failures, next }] of this.stalled) {
      if (next > now || this.engine.isActive(runId)) continue;
      this.stalled.delete(runId);
      this.track(this.engine.resume(runId), runId, failures);
    }
  }

  private pause(runId: string, failures: number): void {
    const interval = this.options.sweepIntervalMs ?? 1000;
    // A database away for long (or a run that cannot be loaded at all) is asked at most once a minute.
    this.stalled.set(runId, { failures, next: Date.now() + Math.min(60_000, interval * 2 ** Math.min(failures, 16)) - interval });
  }

  /** Watches a run in the background: logs how it stopped, and keeps one the database lost for the sweeper. */
  private track(promise: Promise<RunResult>, runId?: string, failures = 0): void {
    if (this.watched.has(promise)) return;
    this.watched.add(promise);
    const tracked = promise.then(
      (result) => {
        if (result.error?.code !== STORE_UNAVAILABLE) return;
        this.pause(result.runId, 0);
        this.log.warn({ runId: result.runId }, 'run paused: the database could not take its progress; it resumes from its last checkpoint once it can');
      },
      (error: unknown) => {
        if (runId !== undefined && !TrellisError.isInstance(error)) {
          // Resuming failed before the run was loaded (the database is still away): try again later.
          this.pause(runId, failures + 1);
          this.log.warn({ runId, err: error }, 'could not resume a paused run yet; trying again shortly');
          return;
        }
        // Resumed elsewhere meanwhile, or already over: nothing to do.
        if (runId !== undefined && TrellisError.isInstance(error) && ['run_active', 'run_held', 'run_finished', 'not_found'].includes(error.code)) return;
        this.log.error({ err: error, ...(runId ? { runId } : {}) }, 'run stopped with an error');
      },
    );
    this.background.add(tracked);
    void tracked.finally(() => {
      this.background.delete(tracked);
      this.queue?.roomFreed();
    });
  }

  private logFault(fault: StoreFault): void {
    const details = { runId: fault.runId, err: fault.error, attempt: fault.attempt, ...(fault.retryInMs === undefined ? {} : { retryInMs: fault.retryInMs }) };
    if (fault.willRetry) this.log.warn(details, 'could not save the run; trying again');
    else if (TrellisError.isInstance(fault.error)) this.log.info(details, 'the store refused a write of the run');
    else this.log.error(details, 'could not save the run; it stops here and resumes from its last checkpoint once the database is back');
  }

  private logEvent(event: RunEvent): void {
    const level = RUN_LINES.has(event.type) ? 'info' : STEP_LINES.has(event.type) ? 'debug' : undefined;
    if (!level || !this.log.isLevelEnabled(level)) return;
    const data = event.data as Record<string, unknown>;
    this.log[level](
      {
        runId: event.runId,
        seq: event.seq,
        ...('nodeId' in event ? { nodeId: event.nodeId } : {}),
        ...(typeof data.durationMs === 'number' ? { durationMs: data.durationMs } : {}),
        ...(data.error ? { error: (data.error as { message?: string }).message } : {}),
      },
      event.type,
    );
  }
}
