import { v7 as uuidv7 } from 'uuid';
import { TrellisError, hasEnded, type Flow, type FlowTestReport, type Problem, type PromptPin, type RunEvent, type RunFlowTests, type RunSummary, type StepScope, type StepTestResult } from '@trellis/schema';
import { createModelResolver, type Decision as EngineDecision, type ModelResolver, type NetworkPolicy } from '@trellis/nodes/server';
import type { RunRecord } from '../engine/checkpoint.js';
import { Engine, STORE_UNAVAILABLE, type RunResult, type StoreFault, type StoreRetry } from '../engine/engine.js';
import { UnresolvedPromptError } from '../engine/prompts.js';
import type { Answer, StartOptions } from '../engine/types.js';
import { findFlowCycles, flowReferences, type FlowSource } from '../engine/subflows.js';
import { kinds } from '@trellis/nodes';
import { storePromptResolver } from '../store/prompt-resolver.js';
import type { Store } from '../store/types.js';
import { RunBus, notifyingCheckpoints } from './bus.js';
import { RunChangeFeed } from './changes.js';
import { notFound } from './errors.js';
import type { Logger } from './logger.js';
import { checkInput, inputSchemaOf } from './published.js';
import { Credentials } from '../secrets/credentials.js';
import { Runners, alreadyDecided } from './runners.js';
import { Experiments } from './experiments.js';
import { flowCaseRunner, pool, type CaseResult } from '../testing/run-case.js';
import { caseReport } from '../testing/report.js';

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
  /** The leases, the takeovers, the run queue and what is handed to other runners on the same database. */
  private readonly runners: Runners;
  /** Experiments executing here (flow versions over datasets, in the background). */
  readonly experiments: Experiments;
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
      // Only PostgreSQL is shared by runners: there the trace says which one executed what.
      ...(options.store.pgSchema === undefined ? {} : { runnerId: options.store.runnerId }),
    });
    this.runners = new Runners({
      store: this.store,
      engine: this.engine,
      log: this.log,
      bus: this.bus,
      ...(options.queue ? { queue: options.queue } : {}),
      track: (promise, runId) => this.track(promise, runId),
      unwatched: this.unwatched,
    });
    this.experiments = new Experiments({ store: this.store, service: this, log: this.log });
  }

  /**
   * Takes over the unfinished runs nobody holds (a previous process's, or a dead runner's whose
   * lease ran out), keeps the leases of the runs executing here, and starts watching deadlines.
   */
  async start(): Promise<void> {
    await this.credentials.refresh();
    await this.runners.start();
    await this.experiments.start();
    for (const parent of await this.store.endedChildrenOfWaitingRuns()) {
      this.log.info({ runId: parent.runId, nodeId: parent.nodeId }, 'waking a run whose sub-flow ended while no runner was up');
      this.engine.wake(parent.runId, parent.nodeId).catch((error: unknown) => this.log.warn({ runId: parent.runId, err: error }, 'could not wake the run'));
    }
    const interval = this.options.sweepIntervalMs ?? 1000;
    this.sweeper = setInterval(() => {
      void this.expireDue();
      this.resumeStalled();
      // Every sweep rather than every beat: a dead runner's runs are taken over within a sweep of its lease running out.
      void this.runners.sweep();
    }, interval);
    this.sweeper.unref();
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
    if (!this.runners.full) return this.startRun(flowId, request);
    const { version, document, options } = await this.startOptions(flowId, request);
    const { runId, run } = await this.engine
      .create(document, options)
      .catch((error: unknown) => {
        throw promptRefusal(error) ?? error;
      });
    await this.runners.enqueueNew(runId, request.unwatched ?? false);
    return { runId, version, run: summaryOf(run) };
  }

  /**
   * Runs one node of a flow on its own (the editor's "Test this step"): of the draft the editor
   * sends, or of the latest saved version. Nothing is stored: no run, no event, no approval.
   */
  async testStep(flowId: string, nodeId: string, request: { document?: unknown; scope?: StepScope; mocks?: unknown }): Promise<StepTestResult> {
    const document = request.document === undefined ? (await this.flowVersion(flowId)).document : await this.draftOf(flowId, request.document);
    const started = performance.now();
    const result = await this.engine
      .testStep(document, nodeId, request.scope ?? {}, { mocks: request.mocks, timeoutMs: this.options.stepTestTimeoutMs ?? 60_000 })
      .catch((error: unknown) => {
        throw promptRefusal(error) ?? error;
      });
    this.log.info({ flowId, nodeId, status: result.status, ms: Math.round(performance.now() - started) }, 'step tested');
    return result;
  }

  /** A draft the editor sends for a saved flow: refused when the flow does not exist or the draft's id is another's. */
  private async draftOf(flowId: string, document: unknown): Promise<unknown> {
    if (!(await this.store.getFlow(flowId))) throw notFound('flow', flowId);
    const id = (document as { id?: unknown }).id;
    if (id !== flowId) throw new TrellisError('id_mismatch', `the document's id is "${String(id)}" but the URL names flow "${flowId}"`);
    return document;
  }

  /**
   * Runs a flow's test cases (its samples with `expect`) offline, four at once: of the draft the
   * editor sends, or of a saved version (the latest unless `savedVersion` says). Nothing is stored: the cases' runs live in memory.
   */
  async runTests(flowId: string, request: RunFlowTests, savedVersion?: number): Promise<FlowTestReport> {
    const began = performance.now();
    let version: number | undefined;
    let document: unknown;
    if (request.document === undefined) ({ version, document } = await this.flowVersion(flowId, savedVersion));
    else document = await this.draftOf(flowId, request.document);
    const flow = version === undefined ? this.engine.load(document).flow : this.checkRunnable(flowId, version, document as Flow);
    const all = flow.samples ?? [];
    const unknown = (request.cases ?? []).filter((name) => !all.some((s) => s.name === name));
    if (unknown.length) throw new TrellisError('not_found', `flow "${flowId}" has no case ${unknown.map((n) => `"${n}"`).join(', ')} (it has: ${all.map((s) => `"${s.name}"`).join(', ') || 'none'})`);
    const chosen = request.cases ? all.filter((s) => request.cases!.includes(s.name)) : all;
    const run = flowCaseRunner(flow, {
      prompts: storePromptResolver(this.store),
      flows: this.flowSource,
      network: this.network,
      timeoutMs: this.options.stepTestTimeoutMs ?? 60_000,
    });
    const results: CaseResult[] = [];
    await pool([...chosen.keys()], 4, async (i) => {
      results[i] = await run(chosen[i]!);
    });
    const passed = results.filter((r) => r.passed).length;
    this.log.info({ flowId, cases: results.length, failed: results.length - passed, ms: Math.round(performance.now() - began) }, 'test cases run');
    return { flowId, ...(version === undefined ? {} : { version }), passed, failed: results.length - passed, durationMs: Math.round(performance.now() - began), cases: results.map(caseReport) };
  }

  /** The saved flows by id and version, as sub-flow nodes find them (test cases and experiments run them too). */
  get flowSource(): FlowSource {
    return { version: (flowId, version) => this.findVersion(flowId, version) };
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
      await this.runners.answerHere(approval.runId, answer);
    } catch (error) {
      // The run goes on on another runner (a branch waits while others run): that runner takes the answer.
      if (TrellisError.isInstance(error) && error.code === 'run_held') return this.runners.forwardAnswer(approval, answer);
      // Another answer was taken first (the run went on, or even ended, meanwhile): say whose.
      if (TrellisError.isInstance(error) && ['already_decided', 'unknown_wait', 'run_finished'].includes(error.code)) {
        const current = await this.store.getApproval(approvalId);
        if (current && current.status !== 'pending') throw alreadyDecided(current);
      }
      throw error;
    }
    return (await this.store.getApproval(approvalId)) ?? approval;
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
    return this.runners.forwardCancel(runId);
  }

  /** Stops taking runs, lets steps in flight finish (bounded), and leaves the rest to the next start. */
  async shutdown(timeoutMs: number): Promise<{ drained: string[]; abandoned: string[] }> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.runners.stopTaking();
    // An experiment is cancelled, not carried over: its rows so far stay, and it says why it stopped.
    await this.experiments.stop(Math.min(timeoutMs, 5000));
    const result = await this.engine.drain(timeoutMs);
    await Promise.race([Promise.allSettled([...this.background]), new Promise((r) => setTimeout(r, 100))]);
    await this.runners.leave();
    return result;
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
      this.runners.roomFreed();
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
