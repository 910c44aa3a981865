import { v7 as uuidv7 } from 'uuid';
import { MockScript, type Flow, type FlowGraph, type PromptPin, type StepTestResult } from '@trellis/schema';
import {
  TrellisError,
  applyDefaults,
  createModelResolver,
  executors as defaultExecutors,
  kinds as defaultKinds,
  priceTable,
  type KindExecutor,
  type Kinds,
  type ModelResolver,
} from '@trellis/nodes/server';
import { describeTooDeep, findTooDeep, inputSchemaOf, loadFlow, formatProblem, hasEnded } from '@trellis/schema';
import type { RunRecord, RunSnapshot } from './checkpoint.js';
import { emptyUsage } from './meter.js';
import { pinPrompts } from './prompts.js';
import { flowReferences, pinFlows } from './subflows.js';
import { missingUpstream, stepNodes, testStep, type StepScope, type StepTestOptions } from './step-test.js';
import { runResult } from './run-result.js';
import type { Answer, ChildRequest, EngineOptions, RunResult, StartOptions } from './types.js';
import { RunExecution } from './walk.js';
import type { ChildResult } from '@trellis/nodes/server';

export { STORE_UNAVAILABLE, type Answer, type EngineOptions, type PendingWait, type RunResult, type StartOptions, type StoreFault, type StoreRetry } from './types.js';

/**
 * Runs flows step by step over a checkpoint store. The engine knows no kind by name: it walks
 * data edges, asks each kind's executor to run, and follows the ports the executor fired.
 */
export class Engine {
  readonly kinds: Kinds<string>;
  private readonly executors: ReadonlyMap<string, KindExecutor<unknown>>;
  private readonly models: ModelResolver;
  private readonly active = new Map<string, RunExecution>();
  /** Calls that were let in before a drain began and have not yet registered their run: a drain waits for them. */
  private readonly admitting = new Set<Promise<unknown>>();
  private draining = false;
  private readonly loaded = new WeakMap<object, { flow: Flow; graph: FlowGraph }>();
  /** Per run, the last resume or answer being let in: they go one at a time, so one answer wins. */
  private readonly entering = new Map<string, Promise<unknown>>();

  constructor(private readonly options: EngineOptions) {
    this.kinds = options.kinds ?? defaultKinds;
    this.executors = options.executors ?? defaultExecutors;
    this.models = options.models ?? createModelResolver();
  }

  /** Runs executing in this process. */
  get activeCount(): number {
    return this.active.size;
  }

  /** The runs executing here. */
  activeRunIds(): string[] {
    return [...this.active.keys()];
  }

  /**
   * Stops executing a run here at once, writing nothing more of it, as if this process had died:
   * for a run whose lease another runner took over (it resumes from the last checkpoint there).
   */
  abandon(runId: string): boolean {
    const live = this.active.get(runId);
    live?.abandon();
    return live !== undefined;
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /** Starts a run and resolves when it stops: succeeded, failed, cancelled, or waiting for a person. */
  async start(flowDocument: unknown, options: StartOptions): Promise<RunResult> {
    const { finished } = await this.begin(flowDocument, options);
    return finished;
  }

  /**
   * Starts a run and resolves as soon as its record is stored (so it can be looked up by id),
   * with a promise of its result; the run goes on in the background.
   */
  async begin(flowDocument: unknown, options: StartOptions): Promise<{ runId: string; run: RunRecord; finished: Promise<RunResult> }> {
    return this.admit(async () => {
      const { run, templates } = await this.newRun(flowDocument, options);
      if (options.storeWithFirstCommit) {
        // Queued ahead of any commit of the run, so the writer stores it first (in the same batch, often).
        const created = this.options.store.createRun(run);
        const { finished } = this.execute({ run, nodes: {}, lastSeq: 0 }, options.signal, undefined, templates);
        const settled = created.then(
          () => finished,
          async (error: unknown) => {
            // Its commits cannot land without it: the run stops here and its end says why.
            this.abandon(run.id);
            await finished.catch(noop);
            throw error;
          },
        );
        return { runId: run.id, run: { ...run }, finished: settled };
      }
      await this.options.store.createRun(run);
      // The record as stored, so a caller answers with it rather than reading it back.
      return { runId: run.id, run: { ...run }, finished: this.execute({ run, nodes: {}, lastSeq: 0 }, options.signal, undefined, templates).finished };
    });
  }

  /**
   * Stores a run, `queued` and held by no process, without starting it: for whichever runner takes
   * it from the run queue (it starts there as a resumed run does). Refused as `begin` refuses.
   */
  async create(flowDocument: unknown, options: StartOptions): Promise<{ runId: string; run: RunRecord }> {
    return this.admit(async () => {
      const { run } = await this.newRun(flowDocument, options);
      await this.options.store.createRun(run, { held: false });
      return { runId: run.id, run: { ...run } };
    });
  }

  /** A new run's record, checked (input, mocks) and with its prompts and flows pinned, not yet stored. */
  private async newRun(flowDocument: unknown, options: StartOptions): Promise<{ run: RunRecord; templates: ReadonlyMap<string, string> }> {
    const { flow } = this.load(flowDocument);
    // Storing and serialising a run recurse: input or mocks nested past the limit are refused first.
    for (const [what, value] of [['input', options.input], ['mocks', options.mocks]] as const) {
      const tooDeep = findTooDeep(value);
      if (tooDeep) throw new TrellisError(what === 'input' ? 'invalid_input' : 'invalid_mocks', describeTooDeep(what, tooDeep));
    }
    const mocks = this.checkMocks(flow, options.mocks);
    // Every way in (admin API, published endpoint, CLI) starts here: the run, its input node's
    // check and the trace's run.started all see the input with the schema's defaults filled in.
    const input = applyDefaults(options.input, inputSchemaOf(flow, this.kinds));
    // Before the run exists: a reference that cannot be had refuses the run, naming it.
    const { pins, templates } = await pinPrompts(flow, this.kinds, this.options.prompts);
    const flows = await pinFlows(flow, this.kinds, this.options.flows, options.parent?.depth ?? 1);
    const run: RunRecord = {
      // Time-ordered ids keep the store's run indexes appending at one end, not scattering writes.
      id: options.runId ?? uuidv7(),
      flow,
      input,
      status: 'queued',
      usage: emptyUsage(),
      createdAt: new Date().toISOString(),
      ...(options.flowVersion === undefined ? {} : { flowVersion: options.flowVersion }),
      ...(mocks ? { mocks } : {}),
      ...(options.labels ? { labels: options.labels } : {}),
      ...(pins.length ? { prompts: pins } : {}),
      ...(flows.length ? { flows } : {}),
      ...(options.parent ? { parent: options.parent } : {}),
      ...((options.budget ?? flow.settings?.budget) ? { budget: options.budget ?? flow.settings?.budget } : {}),
    };
    return { run, templates };
  }

  /**
   * Continues a run from its last checkpoint: after a person answered one of its waits, or
   * after the process that ran it died (steps that were mid-way run again; completed ones never do).
   * Resolves when the run stops again.
   */
  async resume(
    runId: string,
    options: {
      answer?: Answer;
      signal?: AbortSignal;
      by?: string;
      /** The caller holds the run's lease already. */
      claimed?: boolean;
      /** The run's checkpoint, read as the caller took the lease (a never-started run's row): not read again. */
      snapshot?: RunSnapshot;
    } = {},
  ): Promise<RunResult> {
    if (options.answer) return (await this.answer(runId, options.answer, options)).finished;
    const { finished } = await this.enter(runId, async () => {
      const live = this.active.get(runId);
      if (live) throw new TrellisError('run_active', `run ${runId} is already running here`);
      if (options.claimed && options.snapshot) return this.execute(options.snapshot, options.signal);
      return this.continueStored(runId, options.signal, undefined, options.claimed);
    });
    return finished;
  }

  /**
   * Answers one of a run's waits and resolves once the answer is stored, with a promise of the
   * run's next stop; the run goes on in the background. Answers to one run are taken one at a
   * time, and the store takes a wait's decision only while it is pending, so of two answers to
   * one wait (here or in another process) exactly one is taken: the other is refused with
   * `already_decided` (or `unknown_wait`, `run_finished` when the run went on meanwhile).
   */
  async answer(runId: string, answer: Answer, options: { signal?: AbortSignal } = {}): Promise<{ finished: Promise<RunResult> }> {
    return this.enter(runId, async () => {
      const live = this.active.get(runId);
      if (live) {
        if (live.accepting) {
          await live.answer(answer);
          return { finished: live.finished };
        }
        await live.finished; // it is wrapping up: answer through the store once it has
      }
      const { execution, finished } = await this.continueStored(runId, options.signal, answer);
      // The answer's commit, or the refusal of the answer (which also ends the run's execution here).
      await Promise.race([execution.answered, finished]);
      return { finished };
    });
  }

  /**
   * Shuts down gracefully: refuses new work, lets every live run finish and commit the steps
   * it has in flight, and stops it there, still `running` in the store, for another process to
   * resume with nothing to redo. Runs that only wait for a person are durable already. Runs
   * whose steps outlast `timeoutMs` are abandoned as if the process had died: their steps stay
   * `running` in the store and run again on recovery.
   */
  async drain(timeoutMs: number): Promise<{ drained: string[]; abandoned: string[] }> {
    this.draining = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    try {
      await Promise.race([Promise.allSettled(this.admitting), deadline]);
      const stopped = new Set<string>();
      const executions = [...this.active];
      const settled = executions.map(([runId, execution]) => {
        execution.drain();
        return execution.finished.then(() => void stopped.add(runId));
      });
      await Promise.race([Promise.all(settled), deadline]);
      const abandoned: string[] = [];
      for (const [runId, execution] of executions) {
        if (stopped.has(runId)) continue;
        execution.abandon();
        abandoned.push(runId);
      }
      return { drained: [...stopped], abandoned };
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * The versions a run of this flow would use if it started now; throws UnresolvedPromptError
   * naming every reference that cannot be had (e.g. to refuse publishing such a flow).
   */
  async resolvePrompts(flowDocument: unknown): Promise<PromptPin[]> {
    const { flow } = this.load(flowDocument);
    return (await pinPrompts(flow, this.kinds, this.options.prompts)).pins;
  }

  /** Cancels a run: a live one is aborted; a waiting or orphaned one is marked cancelled. */
  async cancel(runId: string, reason = 'cancelled by request'): Promise<RunResult> {
    const live = this.active.get(runId);
    if (live?.accepting) {
      live.cancel(reason);
      return live.finished;
    }
    if (live) {
      // It is wrapping up (its last commit may already be readable): once it has, cancel what it
      // left, unless it ended.
      const ended = await live.finished;
      if (hasEnded(ended.status)) return ended;
    }
    const snapshot = await this.options.store.load(runId);
    if (!snapshot) throw new TrellisError('not_found', `there is no run ${runId}`);
    if (hasEnded(snapshot.run.status)) {
      throw new TrellisError('run_finished', `run ${runId} has already ${snapshot.run.status}`);
    }
    const execution = this.prepare(snapshot);
    const result = await execution.cancelIdle(reason);
    // Its children (sub-flows a step waited on) have nobody left to wait for them.
    for (const state of Object.values(snapshot.nodes)) {
      for (const child of Object.values(state.children ?? {})) {
        await this.cancel(child, `the run that started it (${runId}) was cancelled`).catch(noop); // ended already: nothing to do
      }
    }
    return result;
  }

  /** Loads a run that no execution here holds and goes on with it (with an answer, when there is one). */
  private async continueStored(runId: string, signal?: AbortSignal, answer?: Answer, claimed = false): Promise<{ execution: RunExecution; finished: Promise<RunResult> }> {
    // The lease first (unless the caller just took it), then the checkpoint: once held, no other
    // runner commits to the run, so what is loaded is current.
    if (!claimed && this.options.store.claimRun && !(await this.options.store.claimRun(runId))) {
      throw new TrellisError('run_held', `run ${runId} is being run by another runner; it goes on there`);
    }
    const snapshot = await this.options.store.load(runId);
    if (!snapshot) throw new TrellisError('not_found', `there is no run ${runId}`);
    if (hasEnded(snapshot.run.status)) {
      throw new TrellisError('run_finished', `run ${runId} has already ${snapshot.run.status}`);
    }
    return this.execute(snapshot, signal, answer);
  }

  /**
   * Lets in a call that continues a run once the calls before it on the same run are in (see
   * admit): two answers or resumes never load the same checkpoint side by side.
   */
  private enter<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const before = this.entering.get(runId);
    const entered = (before ? before.then(noop, noop) : Promise.resolve()).then(() => this.admit(work));
    const settled = entered.then(noop, noop);
    this.entering.set(runId, settled);
    void settled.then(() => {
      if (this.entering.get(runId) === settled) this.entering.delete(runId);
    });
    return entered;
  }

  /**
   * Goes on with a step of a run that waits on a child run which has ended (the step suspended
   * while the child waited for a person). Does nothing when the step is not suspended any more
   * (it went on already, here or elsewhere) or the run has ended.
   */
  async wake(runId: string, stepKey: string): Promise<void> {
    await this.enter(runId, async () => {
      const live = this.active.get(runId);
      if (live?.accepting) return live.wake(stepKey);
      if (live) await live.finished;
      const suspended = (snapshot: RunSnapshot | undefined): snapshot is RunSnapshot => {
        const state = snapshot?.nodes[stepKey];
        return !!snapshot && !hasEnded(snapshot.run.status) && state?.status === 'waiting' && !state.wait;
      };
      if (!suspended(await this.options.store.load(runId))) return;
      // Another runner holds the run: it wakes the step there. Held here, the checkpoint is read again, now current.
      if (this.options.store.claimRun && !(await this.options.store.claimRun(runId))) return;
      const snapshot = await this.options.store.load(runId);
      if (!suspended(snapshot)) return;
      this.execute(snapshot, undefined, undefined, undefined, stepKey);
    });
  }

  /** Starts a step's child run, or follows the one it started before; resolves when the child stops. */
  private async runChild(request: ChildRequest): Promise<ChildResult> {
    const { parent, nodeId, stepKey, signal } = request;
    const pin = parent.flows?.find((p) => p.nodeId === nodeId);
    if (!pin) throw new TrellisError('unresolved_flow', `node "${nodeId}": run ${parent.id} pinned no flow when it started`);
    let childId = request.existing;
    let finished: Promise<RunResult>;
    if (!childId && (await this.options.store.load(request.childRunId))) {
      // Started by this attempt before its process stopped, but not yet recorded with the step.
      childId = request.childRunId;
      await request.started(childId, pin.version);
    }
    if (childId) finished = this.follow(childId);
    else {
      const found = await this.options.flows?.version(pin.flowId, pin.version);
      if (!found) throw new TrellisError('unresolved_flow', `node "${nodeId}" runs version ${pin.version} of the flow "${pin.flowId}", which is gone`);
      const begun = await this.begin(found.document, {
        runId: request.childRunId,
        input: request.input,
        flowVersion: pin.version,
        parent: { runId: parent.id, nodeId: stepKey, depth: (parent.parent?.depth ?? 1) + 1 },
        labels: { source: 'subflow', parentRunId: parent.id },
      });
      childId = begun.runId;
      finished = begun.finished;
      await request.started(childId, pin.version);
    }
    // A parent cancelled, failed or out of time stops its child; one shutting down leaves it to resume.
    const child = childId;
    const onAbort = () => {
      const code = TrellisError.isInstance(signal.reason) ? signal.reason.code : undefined;
      if (code === 'cancelled' || code === 'aborted' || code === 'timeout') this.cancel(child, `the run that started it (${parent.id}) stopped`).catch(noop);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await finished;
      if (result.status === 'succeeded') return { runId: child, status: 'succeeded', output: result.output };
      if (result.status === 'failed' || result.status === 'cancelled') {
        return { runId: child, status: 'failed', error: result.error ?? { code: result.status, message: `the run ${result.status}` } };
      }
      return { runId: child, status: result.status === 'waiting' ? 'waiting' : 'stopped' };
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Where a child run this process may not hold stands, once it stops: resumed here if nobody runs it. */
  private async follow(runId: string): Promise<RunResult> {
    const live = this.active.get(runId);
    if (live) return live.finished;
    const snapshot = await this.options.store.load(runId);
    if (!snapshot) throw new TrellisError('not_found', `the child run ${runId} is gone`);
    const { status } = snapshot.run;
    const idle = status === 'waiting' && !Object.values(snapshot.nodes).some((n) => n.status === 'running');
    if (hasEnded(status) || idle) return runResult(snapshot.run, new Map(Object.entries(snapshot.nodes)));
    try {
      return await this.resume(runId);
    } catch (error) {
      // Resumed meanwhile by the runner's own recovery: follow that execution.
      const again = this.active.get(runId);
      if (again && TrellisError.isInstance(error) && error.code === 'run_active') return again.finished;
      throw error;
    }
  }

  /** Where a run stands once it stops: at once for one that is not executing here. */
  async settled(runId: string): Promise<RunResult> {
    const live = this.active.get(runId);
    if (live) return live.finished;
    const snapshot = await this.options.store.load(runId);
    if (!snapshot) throw new TrellisError('not_found', `there is no run ${runId}`);
    return runResult(snapshot.run, new Map(Object.entries(snapshot.nodes)));
  }

  /** Resolves every wait of a run whose deadline has passed (as a timeout). */
  async expireWaits(runId: string, now = new Date()): Promise<RunResult | undefined> {
    const snapshot = await this.options.store.load(runId);
    if (!snapshot || snapshot.run.status !== 'waiting') return undefined;
    const expired = Object.values(snapshot.nodes).filter((n) => n.status === 'waiting' && n.wait?.deadline && Date.parse(n.wait.deadline) <= now.getTime());
    let result: RunResult | undefined;
    for (const node of expired) {
      result = await this.resume(runId, { answer: { waitId: node.wait!.id, approved: false, timedOut: true } });
    }
    return result;
  }

  /**
   * Loads and checks a flow once per document object: a flow handed to the engine is treated
   * as immutable, so a server running the same stored version again skips the work.
   */
  load(flowDocument: unknown): { flow: Flow; graph: FlowGraph } {
    const cached = typeof flowDocument === 'object' && flowDocument !== null ? this.loaded.get(flowDocument) : undefined;
    if (cached) return cached;
    const result = loadFlow(flowDocument, this.kinds);
    if (!result.ok || !result.flow || !result.graph) {
      const errors = result.problems.filter((p) => p.severity === 'error');
      throw new TrellisError('invalid_flow', `the flow has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map(formatProblem).join('\n')}`, { details: { problems: errors } });
    }
    const loaded = { flow: result.flow, graph: result.graph };
    if (typeof flowDocument === 'object' && flowDocument !== null) this.loaded.set(flowDocument, loaded);
    this.loaded.set(loaded.flow, loaded);
    return loaded;
  }

  private checkMocks(flow: Flow, mocks: unknown): MockScript | undefined {
    if (mocks === undefined || mocks === null) return undefined;
    const parsed = MockScript.safeParse(mocks);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new TrellisError('invalid_mocks', `mock script: ${issue.path.join('.') || 'the script'}: ${issue.message}`);
    }
    const unknown = Object.keys(parsed.data).filter((id) => !flow.nodes.some((n) => n.id === id));
    if (unknown.length) {
      throw new TrellisError('invalid_mocks', `mock script names ${unknown.map((id) => `"${id}"`).join(', ')}, which ${unknown.length === 1 ? 'is not a node' : 'are not nodes'} of flow "${flow.id}"`);
    }
    return parsed.data;
  }

  /**
   * Lets a call start or continue a run unless the engine is draining. Until the call has
   * registered its run (its work resolves), a drain that began meanwhile waits for it, so no run
   * slips past the drain.
   */
  private async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.draining) throw new TrellisError('shutting_down', 'the runner is shutting down and takes no new work; try again shortly');
    const entering = work();
    this.admitting.add(entering);
    try {
      return await entering;
    } finally {
      this.admitting.delete(entering);
    }
  }

  private prepare(snapshot: RunSnapshot, templates?: ReadonlyMap<string, string>): RunExecution {
    const { flow, graph } = this.load(snapshot.run.flow);
    return new RunExecution({
      ...this.parts(flow, graph, templates),
      snapshot,
      store: this.options.store,
      onEvent: this.options.onEvent,
      onFault: this.options.onFault,
      storeRetry: this.options.storeRetry ?? { retries: 4, backoffMs: 250 },
      runChild: (request) => this.runChild(request),
      flowVersion: async (flowId, version) => this.options.flows?.version(flowId, version),
    });
  }

  /** What a run's steps work with, shared by runs and step tests: kinds, models, network, prices, prompts, secrets. */
  private parts(flow: Flow, graph: FlowGraph, templates?: ReadonlyMap<string, string>): StepTestOptions['deps'] {
    return {
      flow,
      graph,
      kinds: this.kinds,
      executors: this.executors,
      models: this.models,
      network: this.options.network ?? { allowPrivateNetwork: false },
      maxConcurrency: this.options.maxConcurrency ?? 16,
      prices: this.options.prices ?? priceTable(),
      prompts: { resolver: this.options.prompts, templates: templates ?? new Map() },
      secret: this.options.secrets ?? noSecrets,
      watched: this.options.watched ?? (() => true),
      runnerId: this.options.runnerId,
    };
  }

  /**
   * Runs one node of a flow on its own with the scope given (see step-test.ts): nothing is
   * stored. Refuses (400) an unknown node, a sub-flow step, and a scope missing the output of
   * an upstream step the node reads, naming them; an invalid flow is the loader's 422.
   */
  async testStep(flowDocument: unknown, nodeId: string, scope: StepScope, options: { mocks?: unknown; timeoutMs: number }): Promise<StepTestResult> {
    const { flow, graph } = this.load(flowDocument);
    const node = graph.nodes.get(nodeId);
    if (!node) throw new TrellisError('not_found', `flow "${flow.id}" has no node "${nodeId}"`);
    const own = stepNodes(graph, nodeId);
    const subflows = flowReferences({ nodes: flow.nodes.filter((n) => own.has(n.id)) }, this.kinds).map((r) => r.nodeId);
    if (subflows.length) {
      throw new TrellisError('invalid_request', `node "${subflows[0]}" runs another flow, which would be a stored run of its own: test it with a run of the whole flow instead`, {
        details: { problems: subflows.map((id) => ({ path: 'nodeId', message: `node "${id}" is a sub-flow` })) },
      });
    }
    const given = scope.nodes ?? {};
    const missing = missingUpstream(flow, graph, nodeId, given);
    if (missing.length) {
      const named = missing.map((id) => `"${id}"`).join(', ');
      throw new TrellisError('invalid_request', `step "${nodeId}" reads the output of ${named}: give ${missing.length === 1 ? 'it' : 'them'} in scope.nodes (or run the flow once to fill ${missing.length === 1 ? 'it' : 'them'} in)`, {
        details: { problems: missing.map((id) => ({ path: `scope.nodes.${id}`, message: `the output of step "${id}" is missing` })) },
      });
    }
    for (const [what, value] of [['scope', scope], ['mocks', options.mocks]] as const) {
      const tooDeep = findTooDeep(value);
      if (tooDeep) throw new TrellisError(what === 'scope' ? 'invalid_request' : 'invalid_mocks', describeTooDeep(what, tooDeep));
    }
    const mocks = this.checkMocks(flow, options.mocks);
    const input = applyDefaults(scope.input ?? {}, inputSchemaOf(flow, this.kinds));
    // Only the step's own library prompts are pinned: another node's missing prompt is not this test's business.
    const { pins, templates } = await pinPrompts({ ...flow, nodes: flow.nodes.filter((n) => own.has(n.id)) }, this.kinds, this.options.prompts);
    const withVars: Flow = scope.vars ? { ...flow, vars: { ...flow.vars, ...scope.vars } } : flow;
    return testStep({
      deps: this.parts(withVars, graph, templates),
      record: {
        flow: withVars,
        input,
        ...(mocks ? { mocks } : {}),
        ...(pins.length ? { prompts: pins } : {}),
        ...(flow.settings?.budget ? { budget: flow.settings.budget } : {}),
      },
      nodeId,
      scope: given,
      timeoutMs: options.timeoutMs,
    });
  }

  /**
   * Starts an execution of the run, registered as active until it stops. `templates`: the library
   * texts a fresh run resolved as it began; a resumed run reads its pinned versions as its steps need them.
   */
  private execute(
    snapshot: RunSnapshot,
    signal?: AbortSignal,
    answer?: Answer,
    templates?: ReadonlyMap<string, string>,
    wake?: string,
  ): { execution: RunExecution; finished: Promise<RunResult> } {
    const execution = this.prepare(snapshot, templates);
    this.active.set(snapshot.run.id, execution);
    if (this.draining) execution.drain(); // let in before the drain: it stops at its first chance
    const onAbort = () => execution.cancel(String(signal?.reason ?? 'cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    let finished = execution.run(answer, wake).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (this.active.get(snapshot.run.id) === execution) this.active.delete(snapshot.run.id);
    });
    const { parent } = snapshot.run;
    if (parent) {
      // A child that ends wakes the step that started it, if that step suspended while it waited;
      // whoever awaits the child's end finds its parent going on (a drain refuses the wake: the
      // next start wakes it).
      finished = finished.then(async (result) => {
        if (hasEnded(result.status)) await this.wake(parent.runId, parent.nodeId).catch(noop);
        return result;
      });
    }
    return { execution, finished };
  }
}

function noop(): void {}

function noSecrets(name: string): Promise<string> {
  return Promise.reject(new TrellisError('missing_secret', `the secret "${name}" is not available: this runner has no credentials`));
}
