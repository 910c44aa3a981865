import { setMaxListeners } from 'node:events';
import type { ErrorInfo, EventOf, Flow, FlowGraph, ModelInfo, RunEvent, RunEventType, Usage } from '@trellis/schema';
import {
  TrellisError,
  normalizeError,
  type AttachedTool,
  type ExecContext,
  type ExecResult,
  type KindExecutor,
  type Kinds,
  type ModelResolver,
  type NetworkPolicy,
} from '@trellis/nodes/server';
import type { CheckpointStore, Commit, NodeState, RunRecord, RunSnapshot } from './checkpoint.js';
import type { Answer, PendingWait, RunResult } from './engine.js';
import { emptyUsage, metered } from './meter.js';
import { sleep, stepSignal, type StepSignal } from './step-signal.js';
import { pinKey, pinnedTemplate, type PromptResolver } from './prompts.js';

export interface ExecutionDeps {
  snapshot: RunSnapshot;
  flow: Flow;
  graph: FlowGraph;
  kinds: Kinds<string>;
  executors: ReadonlyMap<string, KindExecutor<unknown>>;
  models: ModelResolver;
  store: CheckpointStore;
  network: NetworkPolicy;
  onEvent: ((event: RunEvent) => void) | undefined;
  maxConcurrency: number;
  prices: Record<string, readonly [number, number]>;
  /** The library: the texts already resolved (by `name@version`) and where to read the others. */
  prompts: { resolver: PromptResolver | undefined; templates: ReadonlyMap<string, string> };
}

type EventData<T extends RunEventType> = EventOf<T>['data'];

const MAX_BACKOFF_MS = 60_000;
/** Streamed text is held back at most this long, so a live viewer of the store sees it arrive. */
const DELTA_FLUSH_MS = 100;

/** One run being executed in this process: the walk over the graph, step by step. */
export class RunExecution {
  readonly finished: Promise<RunResult>;
  private resolveFinished!: (result: RunResult) => void;
  private readonly record: RunRecord;
  private readonly nodes = new Map<string, NodeState>();
  private readonly scopeNodes: Record<string, { output: unknown }> = {};
  /** Nodes that may have become ready: the pending successors of whatever settled last. */
  private readonly candidates = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();
  /** Wakes steps sleeping out a retry backoff when the process drains; made only when one sleeps. */
  private drainController: AbortController | undefined;
  /** The usage last handed to the store, as a comparable key. */
  private committedUsage: string | undefined;
  private seq: number;
  private events: RunEvent[] = [];
  private readonly dirty = new Set<string>();
  private runChanges: NonNullable<Commit['run']> = {};
  private commits: Promise<void> = Promise.resolve();
  private failure: { error: ErrorInfo } | undefined;
  private cancelReason: string | undefined;
  private signalled = false;
  private wake: (() => void) | undefined;
  /** Consecutive text deltas of one node, merged; they get a seq only when flushed. */
  private delta: { nodeId: string; text: string; ts: string } | undefined;
  private deltaTimer: NodeJS.Timeout | undefined;
  private draining = false;
  /** Given up by a drain that ran out of time: like a dead process, it says and writes nothing more. */
  private abandoned = false;
  private settled = false;
  /** Library texts by `name@version`: each pinned version is read at most once per process. */
  private readonly templates = new Map<string, Promise<string>>();
  /** False once the walk has ended: a late answer then goes through the store. */
  accepting = true;

  constructor(private readonly deps: ExecutionDeps) {
    const { snapshot, flow, graph } = deps;
    this.record = snapshot.run;
    this.seq = snapshot.lastSeq;
    for (const node of flow.nodes) {
      if (graph.attached.has(node.id)) continue; // tools run inside their consumer, not as steps
      const state: NodeState = snapshot.nodes[node.id] ?? { status: 'pending', attempts: 0 };
      this.nodes.set(node.id, state);
      if (state.status === 'succeeded') this.scopeNodes[node.id] = { output: state.output };
      if (state.status === 'pending' || state.status === 'running') this.candidates.add(node.id);
    }
    for (const [key, text] of deps.prompts.templates) this.templates.set(key, Promise.resolve(text));
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    // Every step in flight listens for the run's cancellation: there is no leak to warn of.
    setMaxListeners(0, this.controller.signal);
  }

  async run(answer?: Answer): Promise<RunResult> {
    if (answer) this.waitingNode(answer.waitId); // a wrong answer is the caller's error, before anything changes
    try {
      const fresh = this.record.status === 'queued';
      if (!fresh && !answer && this.record.status === 'waiting' && ![...this.nodes.values()].some((n) => n.status === 'running')) {
        // Nothing to do until a person answers.
        return this.settle(this.result());
      }
      this.setRun({ status: 'running' });
      if (fresh) {
        this.setRun({ startedAt: new Date().toISOString() });
        const mocked = Object.keys(this.record.mocks ?? {});
        this.emit('run.started', undefined, {
          flowId: this.deps.flow.id,
          ...(this.record.flowVersion === undefined ? {} : { flowVersion: this.record.flowVersion }),
          input: this.record.input,
          ...(mocked.length ? { mocked } : {}),
          ...(this.record.prompts?.length ? { prompts: this.record.prompts } : {}),
        });
      } else {
        let recovered = false;
        for (const [id, state] of this.nodes) {
          if (state.status === 'running') {
            // It was mid-way when its process stopped: it runs again from its start.
            state.status = 'pending';
            this.dirty.add(id);
            recovered = true;
          }
        }
        if (recovered || !answer) this.emit('run.resumed', undefined, { reason: 'recovered' });
        if (answer) this.applyAnswer(answer);
      }
      // A fresh run's start goes to the store with its first step's commit: nothing is lost if
      // the process dies before that (a queued run is resumed from the start), and a round trip is saved.
      if (!fresh) await this.commit();
      await this.walk();
      return this.settle(await this.finish());
    } catch (error) {
      // Only the store can fail here; the run stays where its last checkpoint left it.
      this.accepting = false;
      const err = normalizeError(error);
      return this.settle({ ...this.result(), status: 'failed', error: { code: err.code, message: `could not save the run: ${err.message}` } });
    }
  }

  /** A person's answer to one of the waits, while the run is live in this process. */
  answer(answer: Answer): void {
    if (!this.accepting) throw new TrellisError('run_busy', 'the run is finishing; try again');
    this.applyAnswer(answer);
    this.poke();
  }

  /** Stops scheduling steps; the walk ends once the steps in flight have finished and committed. */
  drain(): void {
    this.draining = true;
    this.drainController?.abort();
    this.poke();
  }

  /**
   * Leaves the run as a crashed process would: nothing more is emitted or committed (so its
   * running steps stay `running` in the store, to run again on recovery), and the steps are
   * aborted so they stop spending.
   */
  abandon(): void {
    this.abandoned = true;
    this.clearDeltaTimer();
    this.delta = undefined;
    this.controller.abort(new TrellisError('shutting_down', 'the runner shut down before the step finished'));
    this.poke();
  }

  cancel(reason: string): void {
    if (this.cancelReason || !this.accepting) return;
    this.cancelReason = reason;
    this.controller.abort(new TrellisError('cancelled', `cancelled: ${reason}`));
    this.poke();
  }

  /** Cancels a run that is not executing anywhere (waiting, or orphaned by a dead process). */
  async cancelIdle(reason: string): Promise<RunResult> {
    this.cancelReason = reason;
    return this.settle(await this.finish());
  }

  private waitingNode(waitId: string): [string, NodeState] {
    const entry = [...this.nodes].find(([, s]) => s.status === 'waiting' && s.wait?.id === waitId);
    if (!entry) {
      const waits = [...this.nodes.values()].filter((s) => s.status === 'waiting').map((s) => s.wait?.id);
      throw new TrellisError('unknown_wait', `run ${this.record.id} is not waiting on "${waitId}"${waits.length ? ` (it waits on ${waits.join(', ')})` : ''}`);
    }
    return entry;
  }

  private applyAnswer(answer: Answer): void {
    const [nodeId, state] = this.waitingNode(answer.waitId);
    const { waitId, ...decision } = answer;
    state.resume = { waitId, decision };
    state.status = 'pending';
    this.dirty.add(nodeId);
    this.candidates.add(nodeId);
    this.setRun({ status: 'running' });
    this.emit('run.resumed', nodeId, {
      reason: decision.timedOut ? 'timeout' : 'decision',
      waitId,
      decision: {
        approved: decision.approved,
        ...(decision.by ? { by: decision.by } : {}),
        ...(decision.comment ? { comment: decision.comment } : {}),
        ...(decision.payload === undefined ? {} : { payload: decision.payload }),
      },
    });
  }

  private async walk(): Promise<void> {
    for (;;) {
      if (!this.failure && !this.cancelReason && !this.draining) this.schedule();
      if (this.inFlight.size === 0) break;
      if (!this.signalled) await new Promise<void>((resolve) => (this.wake = resolve));
      this.signalled = false;
      await this.commit(); // skips and answers that happened meanwhile
    }
    this.accepting = false;
  }

  private poke(): void {
    this.signalled = true;
    this.wake?.();
    this.wake = undefined;
  }

  /** Starts every candidate whose incoming edges are settled; skips those no taken edge reaches. */
  private schedule(): void {
    for (const id of this.candidates) {
      if (this.inFlight.size >= this.deps.maxConcurrency) return;
      const state = this.nodes.get(id)!;
      this.candidates.delete(id);
      if (state.status !== 'pending' || this.inFlight.has(id)) continue;
      const readiness = this.readiness(id);
      if (readiness === 'blocked') continue; // a predecessor will add it back when it settles
      if (readiness === 'skip') {
        state.status = 'skipped';
        this.dirty.add(id);
        this.emit('node.skipped', id, { reason: 'no branch leading here was taken' });
        this.addSuccessors(id); // Set iteration visits entries added during the loop
        continue;
      }
      this.inFlight.set(
        id,
        this.runNode(id).finally(() => {
          this.inFlight.delete(id);
          this.poke();
        }),
      );
    }
  }

  /** A node can run once all its incoming edges are settled; it is skipped if none of them was taken. */
  private readiness(id: string): 'run' | 'skip' | 'blocked' {
    const incoming = this.deps.graph.incoming.get(id)!;
    let taken = incoming.length === 0;
    for (const edge of incoming) {
      const source = this.nodes.get(edge.source)!;
      if (source.status === 'succeeded') taken ||= source.ports?.includes(edge.sourceHandle) ?? false;
      else if (source.status !== 'skipped') return 'blocked';
    }
    return taken ? 'run' : 'skip';
  }

  /** After a drain: whether some step could still be taken (or skipped) now, so the run is not over. */
  private hasStepsLeft(): boolean {
    for (const id of this.candidates) {
      if (this.nodes.get(id)!.status === 'pending' && this.readiness(id) !== 'blocked') return true;
    }
    return false;
  }

  private addSuccessors(id: string): void {
    for (const edge of this.deps.graph.outgoing.get(id)!) this.candidates.add(edge.target);
  }

  private async runNode(id: string): Promise<void> {
    const { graph, kinds, executors } = this.deps;
    const node = graph.nodes.get(id)!;
    const spec = kinds.get(node.type)!;
    const executor = executors.get(node.type);
    const state = this.nodes.get(id)!;
    const policy = { ...spec.defaultPolicy, ...node.policy };
    const usage = state.usage ? { ...state.usage } : emptyUsage();
    const models = new Map<string, ModelInfo>((state.models ?? []).map((m) => [m.requested, m]));
    const cursor = { value: state.mockCursor ?? 0 };

    for (;;) {
      const resumed = state.resume !== undefined;
      if (!resumed || state.attempts === 0) state.attempts++;
      state.status = 'running';
      this.dirty.add(id);
      this.emit('node.started', id, {
        kind: node.type,
        attempt: state.attempts,
        ...(node.name ? { name: node.name } : {}),
        ...(resumed ? { resumed: true } : {}),
      });
      const started = performance.now();
      const step = stepSignal(this.controller.signal, id, policy.timeoutMs);
      try {
        if (!executor) throw new TrellisError('unknown_kind', `no executor for node kind "${node.type}"`);
        const ctx = this.context(id, state, step, usage, models, cursor);
        // The race guarantees the bound even if an executor ignores its signal.
        const result = await Promise.race([executor.execute(ctx), step.stopped]);
        this.succeedOrWait(id, state, result, performance.now() - started, usage, models, cursor.value);
        if (result.status === 'done') this.addSuccessors(id);
        await this.commit();
        return;
      } catch (caught) {
        const error = normalizeError(step.reason() ?? caught);
        const stopped = this.cancelReason !== undefined || this.failure !== undefined;
        const willRetry = !stopped && error.retryable && state.attempts <= policy.retries;
        const retryInMs = willRetry ? Math.min(MAX_BACKOFF_MS, Math.max(error.retryAfterMs ?? 0, policy.backoffMs * 2 ** (state.attempts - 1))) : undefined;
        const info: ErrorInfo = { code: error.code, message: error.message, retryable: error.retryable, nodeId: id };
        this.emit('node.failed', id, {
          error: info,
          durationMs: Math.round(performance.now() - started),
          attempt: state.attempts,
          willRetry,
          ...(retryInMs === undefined ? {} : { retryInMs }),
        });
        if (willRetry) {
          await this.commit();
          this.drainController ??= new AbortController();
          if (this.draining) this.drainController.abort();
          if (await sleep(retryInMs!, this.controller.signal, this.drainController.signal)) continue;
          if (this.draining && !this.cancelReason && !this.failure) {
            // Drained during the backoff: the next process makes the retry, counting on from these attempts.
            state.status = 'pending';
            state.usage = { ...usage };
            state.mockCursor = cursor.value; // a mock script goes on with its next reply, as the retry would here
            if (models.size) state.models = [...models.values()];
            this.dirty.add(id);
            this.candidates.add(id);
            await this.commit();
            return;
          }
        }
        state.status = 'failed';
        state.error = info;
        state.usage = { ...usage };
        this.dirty.add(id);
        if (!stopped && !this.cancelReason) this.failure = { error: info };
        this.controller.abort(new TrellisError('aborted', `stopped because step "${id}" failed`));
        await this.commit();
        return;
      } finally {
        step.dispose();
      }
    }
  }

  private succeedOrWait(id: string, state: NodeState, result: ExecResult, durationMs: number, usage: Usage, models: Map<string, ModelInfo>, cursor: number): void {
    state.usage = { ...usage };
    state.mockCursor = cursor;
    if (models.size) state.models = [...models.values()];
    delete state.resume;
    this.dirty.add(id);
    if (result.status === 'wait') {
      const deadline = result.wait.timeoutMs ? new Date(Date.now() + result.wait.timeoutMs).toISOString() : undefined;
      state.status = 'waiting';
      state.wait = { ...result.wait, ...(deadline ? { deadline } : {}) };
      state.saved = result.state;
      this.emit('run.waiting', id, {
        waitId: result.wait.id,
        kind: result.wait.kind,
        message: result.wait.message,
        ...(result.wait.payload === undefined ? {} : { payload: result.wait.payload }),
        ...(deadline ? { deadline } : {}),
      });
      return;
    }
    const ports = result.ports ?? this.deps.graph.ports.get(id)!.outputs.filter((p) => p.type === 'data').map((p) => p.id);
    state.status = 'succeeded';
    state.output = result.output;
    state.ports = ports;
    delete state.wait;
    delete state.saved;
    this.scopeNodes[id] = { output: result.output };
    this.emit('node.completed', id, {
      output: result.output,
      durationMs: Math.round(durationMs * 1000) / 1000,
      usage: { ...usage },
      ports,
      ...(result.decision === undefined ? {} : { decision: result.decision }),
      ...(models.size ? { models: [...models.values()] } : {}),
    });
  }

  private context(id: string, state: NodeState, step: StepSignal, usage: Usage, models: Map<string, ModelInfo>, cursor: { value: number }): ExecContext<unknown> {
    const { graph, executors, network, prices } = this.deps;
    const node = graph.nodes.get(id)!;
    const scope = { input: this.record.input, nodes: this.scopeNodes, vars: this.deps.flow.vars ?? {} };
    const mocks = this.record.mocks?.[id];
    return {
      runId: this.record.id,
      node,
      config: node.config,
      scope,
      get signal() {
        return step.signal;
      },
      attempt: state.attempts,
      network,
      ...(state.resume ? { resume: state.resume } : {}),
      ...(state.saved === undefined ? {} : { state: state.saved }),
      emit: (emission) => (emission.type === 'node.delta' ? this.bufferDelta(id, emission.data.text) : this.emit(emission.type, id, emission.data as never)),
      model: (requested) => {
        const resolved = this.deps.models({ requested, nodeId: id, mocks: mocks === undefined ? undefined : Array.isArray(mocks) ? mocks : [mocks], cursor });
        models.set(requested, resolved.info);
        return metered(resolved.model, { run: this.record.usage, node: usage }, this.record.budget, prices);
      },
      promptTemplate: (ref) => this.promptTemplate(id, ref),
      tools: (handle): AttachedTool[] =>
        (graph.attachments.get(id)?.get(handle) ?? []).map((toolId) => {
          const toolNode = graph.nodes.get(toolId)!;
          const toolExecutor = executors.get(toolNode.type);
          if (!toolExecutor?.asTool) {
            throw new TrellisError('invalid_wiring', `node "${toolId}" (${toolNode.type}) cannot be used as a tool`);
          }
          const definition = toolExecutor.asTool({ runId: this.record.id, node: toolNode, config: toolNode.config, scope, network });
          return { nodeId: toolId, ...definition };
        }),
    };
  }

  /**
   * A library text at the version the run pinned when it started (RunRecord.prompts), never the
   * library's current one: a run resumed after newer versions were saved still runs the old text.
   */
  private promptTemplate(nodeId: string, ref: string): Promise<string> {
    const pin = this.record.prompts?.find((p) => p.nodeId === nodeId && p.ref === ref);
    if (!pin) {
      return Promise.reject(new TrellisError('unresolved_prompt', `node "${nodeId}": run ${this.record.id} pinned no version of "${ref}" when it started`));
    }
    const key = pinKey(pin.name, pin.version);
    let text = this.templates.get(key);
    if (!text) {
      text = pinnedTemplate(pin, this.deps.prompts.resolver);
      this.templates.set(key, text);
      text.catch(() => this.templates.delete(key)); // a retry of the step reads again
    }
    return text;
  }

  private async finish(): Promise<RunResult> {
    if (this.abandoned) return this.result();
    if (this.draining && !this.cancelReason && !this.failure && this.hasStepsLeft()) {
      // Stopped by a drain with steps still to take: the run stays `running` in the store, and
      // the process that resumes it takes those steps, with nothing to redo.
      await this.commit();
      return this.result();
    }
    const finishedAt = new Date().toISOString();
    if (this.cancelReason) {
      this.setRun({ status: 'cancelled', finishedAt });
      this.emit('run.cancelled', undefined, { reason: this.cancelReason });
    } else if (this.failure) {
      this.setRun({ status: 'failed', error: this.failure.error, finishedAt });
      this.emit('run.failed', undefined, { error: this.failure.error, usage: { ...this.record.usage } });
    } else if ([...this.nodes.values()].some((n) => n.status === 'waiting')) {
      this.setRun({ status: 'waiting' });
    } else {
      const output = this.collectOutput();
      this.setRun({ status: 'succeeded', output, finishedAt });
      const durationMs = Date.parse(finishedAt) - Date.parse(this.record.startedAt ?? this.record.createdAt);
      this.emit('run.completed', undefined, { output, durationMs, usage: { ...this.record.usage } });
    }
    await this.commit();
    return this.result();
  }

  /** The result is what the nodes of run-output kinds produced: one value, or each by node id. */
  private collectOutput(): unknown {
    const produced = [...this.nodes].filter(([id, s]) => s.status === 'succeeded' && this.deps.kinds.get(this.deps.graph.nodes.get(id)!.type)?.runOutput);
    if (produced.length === 0) return null;
    if (produced.length === 1) return produced[0]![1].output;
    return Object.fromEntries(produced.map(([id, s]) => [id, s.output]));
  }

  private result(): RunResult {
    const waiting: PendingWait[] = [];
    for (const [nodeId, s] of this.nodes) {
      if (s.status !== 'waiting' || !s.wait) continue;
      waiting.push({
        nodeId,
        waitId: s.wait.id,
        kind: s.wait.kind,
        message: s.wait.message,
        ...(s.wait.payload === undefined ? {} : { payload: s.wait.payload }),
        ...(s.wait.deadline ? { deadline: s.wait.deadline } : {}),
      });
    }
    return {
      runId: this.record.id,
      status: this.record.status,
      ...(this.record.output === undefined ? {} : { output: this.record.output }),
      ...(this.record.error ? { error: this.record.error } : {}),
      waiting,
      usage: { ...this.record.usage },
    };
  }

  private settle(result: RunResult): RunResult {
    this.accepting = false;
    this.settled = true;
    this.clearDeltaTimer(); // a pending flush must not keep a finished run (or the process) alive
    this.resolveFinished(result);
    return result;
  }

  private setRun(changes: NonNullable<Commit['run']>): void {
    Object.assign(this.record, changes);
    Object.assign(this.runChanges, changes);
  }

  private emit<T extends RunEventType>(type: T, nodeId: string | undefined, data: EventData<T>): void {
    if (this.abandoned) return;
    this.flushDelta(); // streamed text goes first: it came before this event
    this.push({ runId: this.record.id, seq: ++this.seq, ts: new Date().toISOString(), type, ...(nodeId ? { nodeId } : {}), data } as RunEvent);
  }

  private push(event: RunEvent): void {
    this.events.push(event);
    this.deps.onEvent?.(event);
  }

  /**
   * Streamed text arrives in many small pieces; one event each would bloat the trace and the
   * store. Consecutive pieces of one node are merged and flushed when any other event is
   * emitted, or by a timer that also commits them, so the text shows while the step runs.
   */
  private bufferDelta(nodeId: string, text: string): void {
    // Late pieces from a step the run has given up on (after it settled) have nowhere to go.
    if (this.abandoned || this.settled) return;
    if (this.delta && this.delta.nodeId !== nodeId) this.flushDelta();
    if (this.delta) {
      this.delta.text += text;
      return;
    }
    this.delta = { nodeId, text, ts: new Date().toISOString() };
    this.deltaTimer = setTimeout(() => {
      this.deltaTimer = undefined;
      this.flushDelta();
      // A failed write leaves the commit chain rejected, so the step's own commit reports it.
      this.commit().catch(() => {});
    }, DELTA_FLUSH_MS);
  }

  private flushDelta(): void {
    const delta = this.delta;
    if (!delta) return;
    this.delta = undefined;
    this.clearDeltaTimer();
    this.push({ runId: this.record.id, seq: ++this.seq, ts: delta.ts, type: 'node.delta', nodeId: delta.nodeId, data: { text: delta.text } });
  }

  private clearDeltaTimer(): void {
    if (this.deltaTimer === undefined) return;
    clearTimeout(this.deltaTimer);
    this.deltaTimer = undefined;
  }

  /** Hands the changes since the last commit to the store, in order; resolves once stored. */
  private commit(): Promise<void> {
    if (this.abandoned) return Promise.resolve();
    if (this.events.length === 0 && this.dirty.size === 0 && Object.keys(this.runChanges).length === 0) return this.commits;
    const nodes: Record<string, NodeState> = {};
    for (const id of this.dirty) nodes[id] = { ...this.nodes.get(id)! };
    // Usage goes with a commit only when it moved: most steps use no model, and a run row not rewritten is time saved.
    const usage = this.record.usage;
    const usageKey = `${usage.inputTokens}/${usage.outputTokens}/${usage.totalTokens}/${usage.modelCalls}/${usage.costUsd}`;
    const run: NonNullable<Commit['run']> = { ...this.runChanges, ...(usageKey === this.committedUsage ? {} : { usage: { ...usage } }) };
    this.committedUsage = usageKey;
    const commit: Commit = { ...(Object.keys(run).length ? { run } : {}), nodes, events: this.events };
    this.events = [];
    this.dirty.clear();
    this.runChanges = {};
    this.commits = this.commits.then(() => this.deps.store.commit(this.record.id, commit));
    return this.commits;
  }
}
