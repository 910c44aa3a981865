import { createHash } from 'node:crypto';
import { describeTooDeep, findTooDeep, type ErrorInfo, type ModelInfo, type Usage } from '@trellis/schema';
import { TrellisError, normalizeError, type BodyLocals, type BodyResult, type ChildResult, type ExecResult } from '@trellis/nodes/server';
import type { NodeState, RunRecord } from './checkpoint.js';
import type { EventData, Journal } from './journal.js';
import type { Level } from './level.js';
import { emptyUsage } from './meter.js';
import { pinKey, pinnedTemplate } from './prompts.js';
import { StepContext, type StepServices } from './step-context.js';
import { pureStepSignal, sleep, stepSignal } from './step-signal.js';
import { isPureStep, type ExecutionDeps } from './types.js';

const MAX_BACKOFF_MS = 60_000;

/** A child run's id, derived from what starts it (a UUID's shape, as run ids have). */
function childRunIdFor(runId: string, stepKey: string, childKey: string, attempt: number): string {
  const hex = createHash('sha256').update(JSON.stringify([runId, stepKey, childKey, attempt])).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A step's output (or a wait's payload) nested past the JSON limit fails the step, naming where:
 * a model or a server can answer anything, and the run's checkpoint and every reader of the
 * trace would otherwise overflow the stack on it.
 */
function refuseTooDeep(result: ExecResult): void {
  if (result.status === 'suspend') return;
  const [what, value] = result.status === 'wait' ? ['payload', result.wait.payload] : ['output', result.output];
  const tooDeep = findTooDeep(value);
  if (tooDeep) throw new TrellisError('output_too_deep', `the step's ${what} is nested too deep: ${describeTooDeep(what, tooDeep)}`);
}

/** What the step runner needs of the run it works for (the walk). */
export interface StepHost {
  readonly deps: ExecutionDeps;
  readonly record: RunRecord;
  readonly nodes: Map<string, NodeState>;
  readonly journal: Journal;
  /** Steps (by key) cut off by the stop of the process that ran them: each runs again as the same attempt. */
  readonly recovered: Set<string>;
  isDraining(): boolean;
  /** Aborts when the process drains: wakes steps sleeping out a retry backoff. */
  drainSignal(): AbortSignal;
  /** Runs one round of a container's body (see ExecContext.runBody). */
  runRound(level: Level, containerId: string, round: number, locals: BodyLocals, signals: readonly AbortSignal[]): Promise<BodyResult>;
}

/**
 * Runs one step: its attempts, their timeouts, the retries with backoff, and what the step
 * leaves in its node state. Each attempt's start is committed before the executor runs, so a
 * crash leaves a trace of the cut-off step; its completion is committed by the walk, together
 * with the starts of the steps it leads to.
 */
/**
 * What never changes for a node of a loaded flow (the engine keeps each loaded flow, and so its
 * node objects, across runs): its time bound and retries, and the data handles a step fires
 * when its executor names none. Kept by node object, not rebuilt on every step.
 */
const policies = new WeakMap<object, { timeoutMs: number; retries: number; backoffMs: number }>();
const dataPorts = new WeakMap<object, string[]>();

export class StepRunner implements StepServices {
  /** Library texts by `name@version`: each pinned version is read at most once per process. */
  private readonly templates = new Map<string, Promise<string>>();

  constructor(private readonly host: StepHost) {
    for (const [key, text] of host.deps.prompts.templates) this.templates.set(key, Promise.resolve(text));
  }

  /** Runs step `id` of `level`; `pure` as its level found it when scheduling (see KindExecutor.pure). */
  async run(level: Level, id: string, pure = isPureStep(this.host.deps, id)): Promise<void> {
    const { host } = this;
    const { graph, kinds, executors } = host.deps;
    const { journal } = host;
    const key = level.key(id);
    const path = level.pathOf(id);
    const node = graph.nodes.get(id)!;
    const spec = kinds.get(node.type)!;
    const executor = executors.get(node.type);
    const state = level.state(id);
    let policy = policies.get(node);
    if (!policy) policies.set(node, (policy = { ...spec.defaultPolicy, ...node.policy }));
    const usage = state.usage ? { ...state.usage } : emptyUsage();
    const models = state.models ? new Map<string, ModelInfo>(state.models.map((m) => [m.requested, m])) : new Map<string, ModelInfo>();
    // A body node plays its mock list one reply per round (item i, iteration i + 1 starts at reply
    // i), so each round's reply is the same however the rounds interleave or resume.
    const cursor = { value: state.mockCursor ?? level.mockOffset };
    // Attached nodes (an agent's workers and handoff targets) play their own mock replies.
    const cursors = state.mockCursors ? new Map(Object.entries(state.mockCursors).map(([node, value]) => [node, { value }])) : new Map<string, { value: number }>();
    const keepCursors = () => {
      if (cursors.size) state.mockCursors = Object.fromEntries([...cursors].map(([node, c]) => [node, c.value]));
    };

    for (;;) {
      const resumed = state.resume !== undefined;
      const recovered = host.recovered.delete(key);
      // A step cut off by a crash runs again as the same attempt (with the same idempotency key);
      // a step going on after a person's answer is not a new attempt either.
      // A retry goes on from the progress the step saved (an agent's completed turns), if any.
      if (state.attempts === 0 || (!resumed && !recovered)) state.attempts++;
      state.firstStartedAt ??= Date.now();
      if (state.waitingSince !== undefined) {
        state.waitedMs = (state.waitedMs ?? 0) + Math.max(0, Date.now() - state.waitingSince);
        delete state.waitingSince;
      }
      state.status = 'running';
      journal.touch(key);
      const startedData: EventData<'node.started'> = { kind: node.type, attempt: state.attempts };
      if (node.name) startedData.name = node.name;
      if (resumed) startedData.resumed = true;
      if (recovered) startedData.recovered = true;
      if (host.deps.runnerId !== undefined) startedData.runner = host.deps.runnerId;
      journal.emit('node.started', id, startedData, path);
      // The start is stored before the step does anything: after a crash the trace names the step
      // cut off. A pure step's start waits for the next commit (see KindExecutor.pure).
      if (!pure) await journal.commit();
      const started = performance.now();
      const step = pure ? pureStepSignal(level.signal) : stepSignal(level.signal, id, policy.timeoutMs);
      let result: ExecResult;
      try {
        if (!executor) throw new TrellisError('unknown_kind', `no executor for node kind "${node.type}"`);
        // Stopped while its start was being stored (cancelled, abandoned): it does nothing at all.
        if (level.signal.aborted) throw level.signal.reason;
        const ctx = new StepContext({ host, services: this, level, stepId: id, stepState: state, step, usage, models, cursors }, cursor, keepCursors, {
          container: spec.container !== undefined,
          runsFlows: spec.flowReference?.(node.config) !== undefined,
        });
        // The race guarantees the bound even if an executor ignores its signal.
        result = pure ? await executor.execute(ctx) : await Promise.race([executor.execute(ctx), step.stopped]);
        refuseTooDeep(result);
      } catch (caught) {
        const error = normalizeError(step.reason() ?? caught);
        step.dispose();
        const stopped = level.stopping();
        const willRetry = !stopped && error.retryable && state.attempts <= policy.retries;
        const retryInMs = willRetry ? Math.min(MAX_BACKOFF_MS, Math.max(error.retryAfterMs ?? 0, policy.backoffMs * 2 ** (state.attempts - 1))) : undefined;
        const info: ErrorInfo = { code: error.code, message: error.message, retryable: error.retryable, nodeId: id };
        journal.emit('node.failed', id, {
          error: info,
          durationMs: Math.round(performance.now() - started),
          attempt: state.attempts,
          willRetry,
          ...(retryInMs === undefined ? {} : { retryInMs }),
        }, path);
        if (willRetry) {
          await journal.commit();
          if (await sleep(retryInMs!, level.signal, host.drainSignal())) continue;
          if (host.isDraining() && !level.stopping()) {
            // Drained during the backoff: the next process makes the retry, counting on from these attempts.
            state.status = 'pending';
            state.usage = { ...usage };
            state.mockCursor = cursor.value; // a mock script goes on with its next reply, as the retry would here
            keepCursors();
            if (models.size) state.models = [...models.values()];
            journal.touch(key);
            level.postpone(id);
            return;
          }
        }
        state.status = 'failed';
        state.error = info;
        state.usage = { ...usage };
        keepCursors();
        journal.touch(key);
        level.fail(id, info, stopped);
        return;
      }
      step.dispose();
      keepCursors();
      if (result.status === 'suspend') {
        // Its body waits for a person, or was drained: it runs again when answered (or resumed elsewhere).
        state.usage = { ...usage };
        delete state.resume;
        state.status = host.isDraining() ? 'pending' : 'waiting';
        if (state.status === 'waiting') state.waitingSince = Date.now();
        journal.touch(key);
        if (state.status === 'pending') level.postpone(id);
        return;
      }
      this.succeedOrWait(level, id, state, result, performance.now() - started, usage, models, cursor.value);
      if (result.status === 'done') level.completed(id);
      return;
    }
  }

  /**
   * Starts the step's child run for `childKey`, or goes back to the one it started: the child's id
   * is committed with the step before the child is awaited, so a step run again after a crash
   * or an answer follows the same child instead of starting another.
   */
  runChild(level: Level, id: string, state: NodeState, flowNodeId: string, input: unknown, childKey: string, signal: AbortSignal): Promise<ChildResult> {
    const { host } = this;
    const key = level.key(id);
    const existing = state.children?.[childKey];
    const pin = host.record.flows?.find((p) => p.nodeId === flowNodeId);
    const flowId = pin?.flowId ?? '';
    if (existing) {
      host.journal.emit('node.subflow', id, { childRunId: existing, flowId, flowVersion: pin?.version ?? 0, ...(childKey ? { key: childKey } : {}), resumed: true }, level.pathOf(id));
    }
    return host.deps.runChild({
      parent: host.record,
      nodeId: flowNodeId,
      stepKey: key,
      input,
      existing,
      childRunId: childRunIdFor(host.record.id, key, childKey, state.attempts),
      signal,
      started: async (childRunId, flowVersion) => {
        state.children = { ...state.children, [childKey]: childRunId };
        host.journal.touch(key);
        host.journal.emit('node.subflow', id, { childRunId, flowId, flowVersion, ...(childKey ? { key: childKey } : {}) }, level.pathOf(id));
        await host.journal.commit();
      },
    });
  }

  private succeedOrWait(
    level: Level,
    id: string,
    state: NodeState,
    result: Exclude<ExecResult, { status: 'suspend' }>,
    durationMs: number,
    usage: Usage,
    models: Map<string, ModelInfo>,
    cursor: number,
  ): void {
    const { journal } = this.host;
    const key = level.key(id);
    const path = level.pathOf(id);
    state.usage = { ...usage };
    state.mockCursor = cursor;
    if (models.size) state.models = [...models.values()];
    delete state.resume;
    journal.touch(key);
    if (result.status === 'wait') {
      const deadline = result.wait.timeoutMs ? new Date(Date.now() + result.wait.timeoutMs).toISOString() : undefined;
      // Every round of a body asks its own question: the wait is named under the round.
      const wait = { ...result.wait, id: level.prefix + result.wait.id };
      state.status = 'waiting';
      state.waitingSince = Date.now();
      state.wait = { ...wait, ...(deadline ? { deadline } : {}) };
      state.saved = result.state;
      const waiting = journal.emit('run.waiting', id, {
        waitId: wait.id,
        kind: wait.kind,
        message: wait.message,
        ...(wait.payload === undefined ? {} : { payload: wait.payload }),
        ...(wait.schema ? { schema: wait.schema } : {}),
        ...(deadline ? { deadline } : {}),
      }, path);
      journal.approval({
        kind: 'open',
        nodeId: key,
        waitId: wait.id,
        waitKind: wait.kind,
        message: wait.message,
        ...(wait.payload === undefined ? {} : { payload: wait.payload }),
        ...(wait.schema ? { schema: wait.schema } : {}),
        ...(deadline ? { deadline } : {}),
        at: waiting?.ts ?? new Date().toISOString(),
      });
      return;
    }
    const declared = this.host.deps.graph.ports.get(id)!;
    let ports = result.ports ?? dataPorts.get(declared);
    if (!ports) dataPorts.set(declared, (ports = declared.outputs.filter((p) => p.type === 'data').map((p) => p.id)));
    state.status = 'succeeded';
    state.output = result.output;
    state.ports = ports;
    delete state.wait;
    delete state.saved;
    level.scopeNodes[id] = { output: result.output };
    // A step that waited for a person lasts from its first start, the wait included and said.
    const waited = state.waitedMs !== undefined && state.firstStartedAt !== undefined;
    journal.emit('node.completed', id, {
      output: result.output,
      durationMs: waited ? Math.max(durationMs, Date.now() - state.firstStartedAt!) : Math.round(durationMs * 1000) / 1000,
      ...(waited ? { waitedMs: state.waitedMs } : {}),
      usage: { ...usage },
      ports,
      ...(result.decision === undefined ? {} : { decision: result.decision }),
      ...(models.size ? { models: [...models.values()] } : {}),
    }, path);
  }

  /**
   * A library text at the version the run pinned when it started (RunRecord.prompts), never the
   * library's current one: a run resumed after newer versions were saved still runs the old text.
   */
  promptTemplate(nodeId: string, ref: string): Promise<string> {
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
