import { describeTooDeep, findTooDeep, type ErrorInfo, type ModelInfo, type Usage } from '@trellis/schema';
import { TrellisError, normalizeError, type AttachedNode, type AttachedTool, type ExecContext, type ExecResult } from '@trellis/nodes/server';
import type { NodeState, RunRecord } from './checkpoint.js';
import type { Journal } from './journal.js';
import { emptyUsage, metered } from './meter.js';
import { pinKey, pinnedTemplate } from './prompts.js';
import { sleep, stepSignal, type StepSignal } from './step-signal.js';
import type { ExecutionDeps } from './types.js';

const MAX_BACKOFF_MS = 60_000;

/**
 * A step's output (or a wait's payload) nested past the JSON limit fails the step, naming where:
 * a model or a server can answer anything, and the run's checkpoint and every reader of the
 * trace would otherwise overflow the stack on it.
 */
function refuseTooDeep(result: ExecResult): void {
  const [what, value] = result.status === 'wait' ? ['payload', result.wait.payload] : ['output', result.output];
  const tooDeep = findTooDeep(value);
  if (tooDeep) throw new TrellisError('output_too_deep', `the step's ${what} is nested too deep: ${describeTooDeep(what, tooDeep)}`);
}

/** What the step runner needs of the run it works for (the walk). */
export interface StepHost {
  readonly deps: ExecutionDeps;
  readonly record: RunRecord;
  readonly nodes: ReadonlyMap<string, NodeState>;
  /** The outputs of the succeeded nodes, as templates see them. */
  readonly scopeNodes: Record<string, { output: unknown }>;
  readonly journal: Journal;
  /** Aborts when the run is cancelled, fails or is abandoned. */
  readonly signal: AbortSignal;
  /** Steps cut off by the stop of the process that ran them: each runs again as the same attempt. */
  readonly recovered: Set<string>;
  /** Cancelled, or another step failed: a failed step is not retried. */
  stopping(): boolean;
  isDraining(): boolean;
  /** Aborts when the process drains: wakes steps sleeping out a retry backoff. */
  drainSignal(): AbortSignal;
  /** The step failed for good: the run fails with it unless it was already stopping. */
  fail(id: string, error: ErrorInfo, wasStopping: boolean): void;
  /** The step completed: its successors may be ready. */
  completed(id: string): void;
  /** The step is left for later (drained in its backoff): it stays a candidate. */
  postpone(id: string): void;
}

/**
 * Runs one step: its attempts, their timeouts, the retries with backoff, and what the step
 * leaves in its node state. Each attempt's start is committed before the executor runs, so a
 * crash leaves a trace of the cut-off step; its completion is committed by the walk, together
 * with the starts of the steps it leads to.
 */
export class StepRunner {
  /** Library texts by `name@version`: each pinned version is read at most once per process. */
  private readonly templates = new Map<string, Promise<string>>();

  constructor(private readonly host: StepHost) {
    for (const [key, text] of host.deps.prompts.templates) this.templates.set(key, Promise.resolve(text));
  }

  async run(id: string): Promise<void> {
    const { host } = this;
    const { graph, kinds, executors } = host.deps;
    const { journal } = host;
    const node = graph.nodes.get(id)!;
    const spec = kinds.get(node.type)!;
    const executor = executors.get(node.type);
    const state = host.nodes.get(id)!;
    const policy = { ...spec.defaultPolicy, ...node.policy };
    const usage = state.usage ? { ...state.usage } : emptyUsage();
    const models = new Map<string, ModelInfo>((state.models ?? []).map((m) => [m.requested, m]));
    const cursor = { value: state.mockCursor ?? 0 };
    // Attached nodes (an agent's workers and handoff targets) play their own mock replies.
    const cursors = new Map(Object.entries(state.mockCursors ?? {}).map(([node, value]) => [node, { value }]));
    const keepCursors = () => {
      if (cursors.size) state.mockCursors = Object.fromEntries([...cursors].map(([node, c]) => [node, c.value]));
    };

    for (;;) {
      const resumed = state.resume !== undefined;
      const recovered = host.recovered.delete(id);
      // A step cut off by a crash runs again as the same attempt (with the same idempotency key);
      // a step going on after a person's answer is not a new attempt either.
      // A retry goes on from the progress the step saved (an agent's completed turns), if any.
      if (state.attempts === 0 || (!resumed && !recovered)) state.attempts++;
      state.status = 'running';
      journal.touch(id);
      journal.emit('node.started', id, {
        kind: node.type,
        attempt: state.attempts,
        ...(node.name ? { name: node.name } : {}),
        ...(resumed ? { resumed: true } : {}),
        ...(recovered ? { recovered: true } : {}),
      });
      // The start is stored before the step does anything: after a crash the trace names the step cut off.
      await journal.commit();
      const started = performance.now();
      const step = stepSignal(host.signal, id, policy.timeoutMs);
      let result: ExecResult;
      try {
        if (!executor) throw new TrellisError('unknown_kind', `no executor for node kind "${node.type}"`);
        // Stopped while its start was being stored (cancelled, abandoned): it does nothing at all.
        if (host.signal.aborted) throw host.signal.reason;
        const ctx = this.context(id, state, step, usage, models, cursor, cursors, keepCursors);
        // The race guarantees the bound even if an executor ignores its signal.
        result = await Promise.race([executor.execute(ctx), step.stopped]);
        refuseTooDeep(result);
      } catch (caught) {
        const error = normalizeError(step.reason() ?? caught);
        step.dispose();
        const stopped = host.stopping();
        const willRetry = !stopped && error.retryable && state.attempts <= policy.retries;
        const retryInMs = willRetry ? Math.min(MAX_BACKOFF_MS, Math.max(error.retryAfterMs ?? 0, policy.backoffMs * 2 ** (state.attempts - 1))) : undefined;
        const info: ErrorInfo = { code: error.code, message: error.message, retryable: error.retryable, nodeId: id };
        journal.emit('node.failed', id, {
          error: info,
          durationMs: Math.round(performance.now() - started),
          attempt: state.attempts,
          willRetry,
          ...(retryInMs === undefined ? {} : { retryInMs }),
        });
        if (willRetry) {
          await journal.commit();
          if (await sleep(retryInMs!, host.signal, host.drainSignal())) continue;
          if (host.isDraining() && !host.stopping()) {
            // Drained during the backoff: the next process makes the retry, counting on from these attempts.
            state.status = 'pending';
            state.usage = { ...usage };
            state.mockCursor = cursor.value; // a mock script goes on with its next reply, as the retry would here
            keepCursors();
            if (models.size) state.models = [...models.values()];
            journal.touch(id);
            host.postpone(id);
            return;
          }
        }
        state.status = 'failed';
        state.error = info;
        state.usage = { ...usage };
        keepCursors();
        journal.touch(id);
        host.fail(id, info, stopped);
        return;
      }
      step.dispose();
      keepCursors();
      this.succeedOrWait(id, state, result, performance.now() - started, usage, models, cursor.value);
      if (result.status === 'done') host.completed(id);
      return;
    }
  }

  private succeedOrWait(id: string, state: NodeState, result: ExecResult, durationMs: number, usage: Usage, models: Map<string, ModelInfo>, cursor: number): void {
    const { journal } = this.host;
    state.usage = { ...usage };
    state.mockCursor = cursor;
    if (models.size) state.models = [...models.values()];
    delete state.resume;
    journal.touch(id);
    if (result.status === 'wait') {
      const deadline = result.wait.timeoutMs ? new Date(Date.now() + result.wait.timeoutMs).toISOString() : undefined;
      state.status = 'waiting';
      state.wait = { ...result.wait, ...(deadline ? { deadline } : {}) };
      state.saved = result.state;
      const waiting = journal.emit('run.waiting', id, {
        waitId: result.wait.id,
        kind: result.wait.kind,
        message: result.wait.message,
        ...(result.wait.payload === undefined ? {} : { payload: result.wait.payload }),
        ...(result.wait.schema ? { schema: result.wait.schema } : {}),
        ...(deadline ? { deadline } : {}),
      });
      journal.approval({
        kind: 'open',
        nodeId: id,
        waitId: result.wait.id,
        waitKind: result.wait.kind,
        message: result.wait.message,
        ...(result.wait.payload === undefined ? {} : { payload: result.wait.payload }),
        ...(result.wait.schema ? { schema: result.wait.schema } : {}),
        ...(deadline ? { deadline } : {}),
        at: waiting?.ts ?? new Date().toISOString(),
      });
      return;
    }
    const ports = result.ports ?? this.host.deps.graph.ports.get(id)!.outputs.filter((p) => p.type === 'data').map((p) => p.id);
    state.status = 'succeeded';
    state.output = result.output;
    state.ports = ports;
    delete state.wait;
    delete state.saved;
    this.host.scopeNodes[id] = { output: result.output };
    journal.emit('node.completed', id, {
      output: result.output,
      durationMs: Math.round(durationMs * 1000) / 1000,
      usage: { ...usage },
      ports,
      ...(result.decision === undefined ? {} : { decision: result.decision }),
      ...(models.size ? { models: [...models.values()] } : {}),
    });
  }

  private context(
    id: string,
    state: NodeState,
    step: StepSignal,
    usage: Usage,
    models: Map<string, ModelInfo>,
    cursor: { value: number },
    cursors: Map<string, { value: number }>,
    keepCursors: () => void,
  ): ExecContext<unknown> {
    const { journal } = this.host;
    const ctx = this.nodeContext(id, id, step, usage, models, cursor, cursors);
    return {
      ...ctx,
      attempt: state.attempts,
      // The same for the same attempt run again after a crash, so a service can tell a repeat from a new request.
      idempotencyKey: `${this.host.record.id}:${id}:${state.attempts}`,
      ...(state.resume ? { resume: state.resume } : {}),
      ...(state.saved === undefined ? {} : { state: state.saved }),
      save: async (progress) => {
        // An attempt already given up (timed out, cancelled) saves nothing: a retry may be under way.
        if (step.signal.aborted) return;
        // Stored with what it used so far: a step cut off after this goes on from here, its mock
        // replies from the next one, and an answer it was resumed with is part of the progress.
        state.saved = progress;
        delete state.resume;
        state.usage = { ...usage };
        state.mockCursor = cursor.value;
        keepCursors();
        if (models.size) state.models = [...models.values()];
        journal.touch(id);
        await journal.commit();
      },
    };
  }

  /**
   * The context a node runs in as part of step `stepId`: the step's own node, or a node attached
   * to it (at any depth), which plays its own mock replies and pinned prompts and whose usage
   * counts toward the step. Events go to the step.
   */
  private nodeContext(
    stepId: string,
    id: string,
    step: StepSignal,
    usage: Usage,
    models: Map<string, ModelInfo>,
    cursor: { value: number },
    cursors: Map<string, { value: number }>,
  ): ExecContext<unknown> {
    const { record, journal } = this.host;
    const { graph, executors, network, prices } = this.host.deps;
    const node = graph.nodes.get(id)!;
    const scope = { input: record.input, nodes: this.host.scopeNodes, vars: this.host.deps.flow.vars ?? {} };
    const mocks = record.mocks?.[id];
    const attached = (handle: string): AttachedNode[] =>
      (graph.attachments.get(id)?.get(handle) ?? []).map((attachedId) => {
        const attachedNode = graph.nodes.get(attachedId)!;
        let own = cursors.get(attachedId);
        if (!own) cursors.set(attachedId, (own = { value: 0 }));
        const context = this.nodeContext(stepId, attachedId, step, usage, models, own, cursors);
        const attachedExecutor = executors.get(attachedNode.type);
        const toolContext = { runId: record.id, node: attachedNode, config: attachedNode.config, scope, network };
        const definition = attachedExecutor?.asTool?.(toolContext);
        // A node without one tool may offer several, found when its consumer asks (an MCP server's).
        const toolset = !definition && attachedExecutor?.toolset
          ? async () => ((await attachedExecutor.toolset!({ ...toolContext, signal: step.signal })) ?? []).map((d) => ({ nodeId: attachedId, ...d }))
          : undefined;
        return { nodeId: attachedId, node: attachedNode, context, ...(definition ? { tool: { nodeId: attachedId, ...definition } } : {}), ...(toolset ? { toolset } : {}) };
      });
    const ctx: ExecContext<unknown> = {
      runId: record.id,
      node,
      config: node.config,
      scope,
      get signal() {
        return step.signal;
      },
      attempt: 1,
      network,
      emit: (emission) => {
        if (emission.type === 'node.delta') {
          const { text, ...nesting } = emission.data;
          journal.bufferDelta(stepId, text, nesting);
        } else void journal.emit(emission.type, stepId, emission.data as never);
      },
      model: (requested) => {
        const resolved = this.host.deps.models({ requested, nodeId: id, mocks: mocks === undefined ? undefined : Array.isArray(mocks) ? mocks : [mocks], cursor });
        models.set(requested, resolved.info);
        return metered(resolved.model, { run: record.usage, node: usage }, record.budget, prices);
      },
      promptTemplate: (ref) => this.promptTemplate(id, ref),
      attached,
      tools: (handle): AttachedTool[] =>
        attached(handle).map((a) => {
          if (!a.tool) throw new TrellisError('invalid_wiring', `node "${a.nodeId}" (${a.node.type}) cannot be used as a tool`);
          return a.tool;
        }),
    };
    return ctx;
  }

  /**
   * A library text at the version the run pinned when it started (RunRecord.prompts), never the
   * library's current one: a run resumed after newer versions were saved still runs the old text.
   */
  private promptTemplate(nodeId: string, ref: string): Promise<string> {
    const { record } = this.host;
    const pin = record.prompts?.find((p) => p.nodeId === nodeId && p.ref === ref);
    if (!pin) {
      return Promise.reject(new TrellisError('unresolved_prompt', `node "${nodeId}": run ${record.id} pinned no version of "${ref}" when it started`));
    }
    const key = pinKey(pin.name, pin.version);
    let text = this.templates.get(key);
    if (!text) {
      text = pinnedTemplate(pin, this.host.deps.prompts.resolver);
      this.templates.set(key, text);
      text.catch(() => this.templates.delete(key)); // a retry of the step reads again
    }
    return text;
  }
}
