import { v7 as uuidv7 } from 'uuid';
import { MockScript, type Flow, type FlowGraph, type PromptPin } from '@trellis/schema';
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
import type { Answer, EngineOptions, RunResult, StartOptions } from './types.js';
import { RunExecution } from './walk.js';

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
        ...((options.budget ?? flow.settings?.budget) ? { budget: options.budget ?? flow.settings?.budget } : {}),
      };
      await this.options.store.createRun(run);
      // The record as stored, so a caller answers with it rather than reading it back.
      return { runId: run.id, run: { ...run }, finished: this.execute({ run, nodes: {}, lastSeq: 0 }, options.signal, undefined, templates).finished };
    });
  }

  /**
   * Continues a run from its last checkpoint: after a person answered one of its waits, or
   * after the process that ran it died (steps that were mid-way run again; completed ones never do).
   * Resolves when the run stops again.
   */
  async resume(runId: string, options: { answer?: Answer; signal?: AbortSignal; by?: string } = {}): Promise<RunResult> {
    if (options.answer) return (await this.answer(runId, options.answer, options)).finished;
    const { finished } = await this.enter(runId, async () => {
      const live = this.active.get(runId);
      if (live) throw new TrellisError('run_active', `run ${runId} is already running here`);
      return this.continueStored(runId, options.signal);
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
    return execution.cancelIdle(reason);
  }

  /** Loads a run that no execution here holds and goes on with it (with an answer, when there is one). */
  private async continueStored(runId: string, signal?: AbortSignal, answer?: Answer): Promise<{ execution: RunExecution; finished: Promise<RunResult> }> {
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
      snapshot,
      flow,
      graph,
      kinds: this.kinds,
      executors: this.executors,
      models: this.models,
      store: this.options.store,
      network: this.options.network ?? { allowPrivateNetwork: false },
      onEvent: this.options.onEvent,
      onFault: this.options.onFault,
      storeRetry: this.options.storeRetry ?? { retries: 4, backoffMs: 250 },
      maxConcurrency: this.options.maxConcurrency ?? 16,
      prices: this.options.prices ?? priceTable(),
      prompts: { resolver: this.options.prompts, templates: templates ?? new Map() },
    });
  }

  /**
   * Starts an execution of the run, registered as active until it stops. `templates`: the library
   * texts a fresh run resolved as it began; a resumed run reads its pinned versions as its steps need them.
   */
  private execute(snapshot: RunSnapshot, signal?: AbortSignal, answer?: Answer, templates?: ReadonlyMap<string, string>): { execution: RunExecution; finished: Promise<RunResult> } {
    const execution = this.prepare(snapshot, templates);
    this.active.set(snapshot.run.id, execution);
    if (this.draining) execution.drain(); // let in before the drain: it stops at its first chance
    const onAbort = () => execution.cancel(String(signal?.reason ?? 'cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    const finished = execution.run(answer).finally(() => {
      signal?.removeEventListener('abort', onAbort);
      if (this.active.get(snapshot.run.id) === execution) this.active.delete(snapshot.run.id);
    });
    return { execution, finished };
  }
}

function noop(): void {}
