/**
 * "Test this step": one node of a flow run on its own, with a scope a person gives, as n8n's
 * "execute step" does.
 *
 * It reuses the run machinery rather than copying it: the step runs through the same
 * StepRunner (so the same executor, model resolver and test provider, metered usage, pinned
 * library prompts, credentials, network policy, timeouts and retries as in a run), on a one-node
 * Level whose scope holds the given upstream outputs. Its journal writes to a checkpoint store
 * in memory that is dropped afterwards: no run row, event or approval reaches the runner's
 * store, so a test never shows in the run lists or the inbox. A map or loop runs its body
 * rounds the same way. A sub-flow node is refused: its child would be a stored run.
 */
import { setMaxListeners } from 'node:events';
import { v7 as uuidv7 } from 'uuid';
import { ancestorsOf, type ErrorInfo, type Flow, type FlowGraph, type ModelInfo, type RunEvent, type StepTestResult, type StepWait, type Usage } from '@trellis/schema';
import { TrellisError, type BodyLocals, type BodyResult, type ChildResult } from '@trellis/nodes/server';
import type { NodeState, RunRecord } from './checkpoint.js';
import { Journal } from './journal.js';
import { Level, runRound, type LevelRun } from './level.js';
import { MemoryCheckpointStore } from './memory-store.js';
import { emptyUsage } from './meter.js';
import { StepRunner, type StepHost } from './step-runner.js';
import type { ExecutionDeps } from './types.js';

/** The scope a tested step sees: the run's input, the outputs of the steps before it by id, vars. */
export interface StepScope {
  input?: unknown;
  nodes?: Record<string, unknown>;
  vars?: Record<string, unknown>;
}

/** The node a step test runs, with everything that runs as part of its step (attached nodes, a container's body). */
export function stepNodes(graph: FlowGraph, nodeId: string): Set<string> {
  const found = new Set<string>();
  const stack = [nodeId];
  while (stack.length) {
    const id = stack.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    for (const ids of graph.attachments.get(id)?.values() ?? []) stack.push(...ids);
    stack.push(...(graph.levels.get(id) ?? []));
  }
  return found;
}

/** Node ids a config names as `nodes.<id>` or `nodes["<id>"]` (templates and expressions alike). */
function referencedNodes(config: unknown): Set<string> {
  const text = JSON.stringify(config ?? null);
  const found = new Set<string>();
  for (const match of text.matchAll(/\bnodes(?:\.([A-Za-z0-9_-]+)|\[\\?["']([A-Za-z0-9_-]+)\\?["']\])/g)) found.add(match[1] ?? match[2]!);
  return found;
}

/**
 * The upstream steps whose outputs the step reads and the scope lacks: a step run without them
 * would quietly render blanks, so the request is refused naming them instead. Only steps that
 * run before it count (its data-edge ancestors), as only those have outputs in a real run.
 */
export function missingUpstream(flow: Flow, graph: FlowGraph, nodeId: string, given: Record<string, unknown>): string[] {
  const own = stepNodes(graph, nodeId);
  const before = ancestorsOf(graph, nodeId);
  // A body step also sees what ran before its container.
  for (let parent = graph.nodes.get(nodeId)?.parent; parent; parent = graph.nodes.get(parent)?.parent) for (const id of ancestorsOf(graph, parent)) before.add(id);
  const missing = new Set<string>();
  for (const node of flow.nodes) {
    if (!own.has(node.id)) continue;
    for (const ref of referencedNodes(node.config)) if (before.has(ref) && !own.has(ref) && !(ref in given)) missing.add(ref);
  }
  return [...missing];
}

export interface StepTestOptions {
  /** The engine's parts for this flow (its deps with the store and child runs left out). */
  deps: Omit<ExecutionDeps, 'snapshot' | 'store' | 'onEvent' | 'onFault' | 'storeRetry' | 'runChild' | 'flowVersion'>;
  record: Omit<RunRecord, 'id' | 'status' | 'usage' | 'createdAt'>;
  nodeId: string;
  scope: Record<string, unknown>;
  /** The whole test's bound (retries and backoffs included); each attempt keeps its own policy timeout too. */
  timeoutMs: number;
}

/** The run a step test pretends to be: a StepHost and LevelRun over a throw-away store. */
class StepTrial implements StepHost, LevelRun {
  readonly deps: ExecutionDeps;
  readonly record: RunRecord;
  readonly nodes = new Map<string, NodeState>();
  readonly journal: Journal;
  readonly recovered = new Set<string>();
  readonly steps: StepRunner;
  readonly events: RunEvent[] = [];
  readonly store = new MemoryCheckpointStore();
  private readonly never = new AbortController().signal;

  constructor(options: StepTestOptions, readonly controller: AbortController) {
    this.record = {
      ...options.record,
      // Not a uuid: nobody can take it for a stored run's id.
      id: `step-test-${uuidv7()}`,
      status: 'running',
      usage: emptyUsage(),
      createdAt: new Date().toISOString(),
    };
    this.deps = {
      ...options.deps,
      snapshot: { run: this.record, nodes: {}, lastSeq: 0 },
      store: this.store,
      onEvent: undefined,
      onFault: undefined,
      storeRetry: { retries: 0, backoffMs: 0 },
      runChild: (): Promise<ChildResult> => Promise.reject(new TrellisError('invalid_request', 'a step test does not start other flows')),
      flowVersion: async () => undefined,
    };
    this.journal = new Journal({
      record: this.record,
      nodes: this.nodes,
      lastSeq: 0,
      store: this.store,
      retry: this.deps.storeRetry,
      onEvent: (event) => this.events.push(event),
      onFault: undefined,
      onLost: (error) => controller.abort(error),
    });
    this.steps = new StepRunner(this);
  }

  isDraining(): boolean {
    return false;
  }

  isLost(): boolean {
    return this.journal.lost !== undefined;
  }

  drainSignal(): AbortSignal {
    return this.never;
  }

  runRound(level: Level, containerId: string, round: number, locals: BodyLocals, signals: readonly AbortSignal[]): Promise<BodyResult> {
    return runRound(this, level, containerId, round, locals, signals);
  }
}

/** Runs the step and says how it went; never throws for the step's own failure (that is a result). */
export async function testStep(options: StepTestOptions): Promise<StepTestResult> {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const trial = new StepTrial(options, controller);
  await trial.store.createRun(trial.record);
  const { nodeId } = options;
  const scopeNodes = Object.fromEntries(Object.entries(options.scope).map(([id, output]) => [id, { output }]));
  const level = new Level(trial, { ids: [nodeId], prefix: '', path: [], scopeNodes, locals: {}, controller });
  const started = performance.now();
  const bound = setTimeout(
    () => controller.abort(new TrellisError('timeout', `the step test took longer than ${Math.round(options.timeoutMs / 1000)} s and was stopped`)),
    options.timeoutMs,
  );
  try {
    await trial.steps.run(level, nodeId);
    // The step's last events (a wait's, a completion) are handed to the throw-away store too.
    await trial.journal.commit().catch(() => undefined);
  } finally {
    clearTimeout(bound);
    trial.journal.seal();
  }
  return resultOf(trial, nodeId, level.state(nodeId), performance.now() - started);
}

function resultOf(trial: StepTrial, nodeId: string, state: NodeState, measuredMs: number): StepTestResult {
  const completed = trial.events.findLast((e) => e.type === 'node.completed' && e.nodeId === nodeId && !e.path);
  const data = completed?.type === 'node.completed' ? completed.data : undefined;
  const usage: Usage = state.usage ?? emptyUsage();
  const models: ModelInfo[] | undefined = data?.models ?? state.models;
  const waits: StepWait[] = trial.events.flatMap((e) =>
    e.type === 'run.waiting'
      ? [{ kind: e.data.kind, message: e.data.message, ...(e.data.payload === undefined ? {} : { payload: e.data.payload }), ...(e.data.schema ? { schema: e.data.schema } : {}) }]
      : [],
  );
  const base = {
    nodeId,
    durationMs: Math.round((data?.durationMs ?? measuredMs) * 10) / 10,
    usage,
    ...(models?.length ? { models } : {}),
    events: trial.events,
  };
  if (state.status === 'succeeded') {
    return { ...base, status: 'succeeded', output: state.output, ...(state.ports ? { ports: state.ports } : {}), ...(data?.decision === undefined ? {} : { decision: data.decision }) };
  }
  if (state.status === 'waiting') return { ...base, status: 'waiting', waits };
  const error: ErrorInfo = state.error ?? { code: 'failed', message: `step "${nodeId}" did not finish`, nodeId };
  return { ...base, status: 'failed', error };
}
