import type { Budget, ErrorInfo, Flow, FlowGraph, RunEvent, RunParent, RunStatus, Usage, Wait } from '@trellis/schema';
import type { ChildResult, Decision, KindExecutor, Kinds, ModelResolver, NetworkPolicy } from '@trellis/nodes/server';
import type { CheckpointStore, RunRecord, RunSnapshot } from './checkpoint.js';
import type { PromptResolver } from './prompts.js';
import type { FlowSource } from './subflows.js';

export interface EngineOptions {
  store: CheckpointStore;
  kinds?: Kinds<string>;
  executors?: ReadonlyMap<string, KindExecutor<unknown>>;
  models?: ModelResolver;
  network?: NetworkPolicy;
  /** Every event as it happens (before it is committed), e.g. for a live terminal trace. */
  onEvent?: (event: RunEvent) => void;
  /** Every write of a run the store refused, retried or not: for the log. */
  onFault?: (fault: StoreFault) => void;
  /**
   * How a refused write is tried again before the run stops (its result then fails with code
   * `store_unavailable`, and it stays in the store as its last checkpoint left it, to resume).
   * Default: 4 retries from 250 ms, doubling (about 4 s in all).
   */
  storeRetry?: StoreRetry;
  /** Steps of one run that may execute at once. */
  maxConcurrency?: number;
  prices?: Record<string, readonly [number, number]>;
  /**
   * The prompt library, for nodes that use a library prompt (`{ ref: "name@3" }`). Without it,
   * a flow with such references is refused, naming them.
   */
  prompts?: PromptResolver;
  /** Saved flows, for sub-flow nodes. Without it, a flow that runs another is refused, naming the node. */
  flows?: FlowSource;
  /** Named secrets (the runner's credentials), for the tools that send one. Without it, a step asking for one fails, naming it. */
  secrets?: SecretSource;
  /**
   * Whether anyone watches a run's text as it is written (ExecContext.live): a model call of a
   * run nobody watches is made whole, not streamed. Default: every run is watched.
   */
  watched?: (runId: string) => boolean;
  /**
   * The id of the runner executing the runs (its leases' owner), when several may share the
   * database: each run start, resume and step start says who executed it (`runner` in the trace).
   */
  runnerId?: string;
}

/** A named secret's value, or a TrellisError naming the secret (never its value). */
export type SecretSource = (name: string) => Promise<string>;

export interface StartOptions {
  input: unknown;
  mocks?: unknown;
  runId?: string;
  flowVersion?: number;
  /** Overrides the flow's own budget. */
  budget?: Budget;
  labels?: Record<string, string>;
  signal?: AbortSignal;
  /** Set when a sub-flow node of another run starts this one. */
  parent?: RunParent;
  /**
   * Nobody looks the run up before its end (a published endpoint's synchronous caller): its record
   * is stored in the same batch as its first commit rather than before its first step, saving a
   * round trip. A step that acts outside the run still has the record (and its own start) stored
   * first; should storing the record fail, the run stops and its end rejects with that error.
   */
  storeWithFirstCommit?: boolean;
}

/** A wait of a run: the shape the API shows for each pending approval. */
export type PendingWait = Wait;

export interface RunResult {
  runId: string;
  status: RunStatus;
  output?: unknown;
  error?: ErrorInfo;
  waiting: PendingWait[];
  usage: Usage;
}

export interface Answer extends Decision {
  waitId: string;
}

/** A write of a run that the store refused: reported as it happens, whether or not it is tried again. */
export interface StoreFault {
  runId: string;
  error: unknown;
  /** Which try of this write failed (1 for the first). */
  attempt: number;
  willRetry: boolean;
  retryInMs?: number;
}

/** How often, and how patiently, a refused write is tried again before the run is stopped. */
export interface StoreRetry {
  /** Tries after the first. */
  retries: number;
  /** The wait before the first retry; it doubles each time. */
  backoffMs: number;
}

/**
 * The error code of a run stopped because the store could not take its writes for a while:
 * the run stays as its last checkpoint left it (running), to be resumed when the store is back.
 */
export const STORE_UNAVAILABLE = 'store_unavailable';

/** Whether step `id` is pure (KindExecutor.pure): its start is stored with the next commit, not before it runs. */
export function isPureStep(deps: Pick<ExecutionDeps, 'graph' | 'executors'>, id: string): boolean {
  const node = deps.graph.nodes.get(id)!;
  return deps.executors.get(node.type)?.pure?.(node.config as never) ?? false;
}

/** What one run's execution works with: the run as loaded, its checked graph, and the engine's parts. */
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
  onFault: ((fault: StoreFault) => void) | undefined;
  storeRetry: StoreRetry;
  maxConcurrency: number;
  prices: Record<string, readonly [number, number]>;
  /** The library: the texts already resolved (by `name@version`) and where to read the others. */
  prompts: { resolver: PromptResolver | undefined; templates: ReadonlyMap<string, string> };
  /** Starts (or goes back to) a child run for a step of this run. */
  runChild(request: ChildRequest): Promise<ChildResult>;
  /** A named secret's value, for the executors that send one (ExecContext.secret). */
  secret: SecretSource;
  /** Whether anyone watches the run's text as it is written (EngineOptions.watched). */
  watched: (runId: string) => boolean;
  /** A saved flow's version, for nodes that name one. */
  flowVersion(flowId: string, version: number): Promise<{ version: number; document: unknown } | undefined>;
  /** Who executes the run, for its trace (EngineOptions.runnerId). */
  runnerId: string | undefined;
}

/** A step's request for a child run (see ExecContext.runChild). */
export interface ChildRequest {
  parent: RunRecord;
  /** The node that names the flow (its pin is by node id) and the key of its state. */
  nodeId: string;
  stepKey: string;
  input: unknown;
  /** The child this step started before, if it did: it is followed instead of starting another. */
  existing: string | undefined;
  /**
   * The id the child gets: the same for the same attempt of the same step, so a step cut off
   * between starting its child and recording it finds that child instead of starting a second.
   */
  childRunId: string;
  /** Called once the child is stored, before it is awaited: the step records it. */
  started(childRunId: string, flowVersion: number): Promise<void>;
  signal: AbortSignal;
}
