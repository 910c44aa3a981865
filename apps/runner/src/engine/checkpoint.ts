import type { Budget, DecidedStatus, ErrorInfo, Flow, FlowPin, MockScript, ModelInfo, PromptPin, RunEvent, RunParent, RunStatus, Usage } from '@trellis/schema';
import type { Decision, WaitRequest } from '@trellis/nodes/server';

/** Where one node of a run stands; enough to resume the run in another process. */
export interface NodeState {
  status: 'pending' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';
  attempts: number;
  output?: unknown;
  /** Source handles that fired. */
  ports?: string[];
  usage?: Usage;
  models?: ModelInfo[];
  /** How many of its mock replies the node has played. */
  mockCursor?: number;
  /** How many of their own mock replies the nodes attached to it (workers, handoff targets) have played, by node id. */
  mockCursors?: Record<string, number>;
  /** The pause it asked for, with its deadline when it has one. */
  wait?: WaitRequest & { deadline?: string };
  /** What its executor saved when it asked to wait. */
  saved?: unknown;
  /** The child runs (sub-flows) the step started, by key (`''`, or a map's item index): a step run again goes back to them. */
  children?: Record<string, string>;
  /** When the step first started (epoch ms): a step that waited for a person lasts from then. */
  firstStartedAt?: number;
  /** Since when the step has waited for a person (epoch ms), until it goes on. */
  waitingSince?: number;
  /** How long, in all, the step has waited for people. */
  waitedMs?: number;
  /** A person's answer that arrived and is not yet consumed by the node. */
  resume?: { waitId: string; decision: Decision };
  error?: ErrorInfo;
}

export interface RunRecord {
  id: string;
  flow: Flow;
  flowVersion?: number;
  input: unknown;
  mocks?: MockScript;
  budget?: Budget;
  /** Where the run came from, e.g. `{ source: 'endpoint', slug: 'triage' }`; kept with the run for filtering. */
  labels?: Record<string, string>;
  /**
   * The library prompt versions the run uses, resolved once when it starts: a resumed run (after
   * an approval or a restart) keeps them even when newer versions were saved meanwhile.
   */
  prompts?: PromptPin[];
  /** The versions of other flows its sub-flow nodes run, resolved once when it starts. */
  flows?: FlowPin[];
  /** The run (and step) that started this one as a sub-flow. */
  parent?: RunParent;
  status: RunStatus;
  output?: unknown;
  error?: ErrorInfo;
  usage: Usage;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface RunSnapshot {
  run: RunRecord;
  nodes: Record<string, NodeState>;
  /** The seq of the last committed event. */
  lastSeq: number;
}

/**
 * A change to a run's approvals (its waits for a person), stated by the engine: a wait opens,
 * a person's answer (or its deadline) decides it, the run's end closes what is left open.
 */
export type ApprovalChange =
  | { kind: 'open'; nodeId: string; waitId: string; waitKind: WaitRequest['kind']; message: string; payload?: unknown; schema?: Record<string, unknown>; deadline?: string; at: string }
  /** `payload`: the approver's payload, or a question's answer. */
  | { kind: 'decide'; waitId: string; status: DecidedStatus; at: string; by?: string; comment?: string; payload?: unknown }
  | { kind: 'close'; at: string };

/**
 * One atomic write: the run's changed fields, the changed nodes, the events since the last
 * commit, and its approval changes in order. A `decide` is conditional: when the wait is no
 * longer pending (someone answered first, here or in another process), the store refuses the
 * whole commit with a TrellisError coded `already_decided` that names who decided and when.
 */
export interface Commit {
  run?: Partial<Pick<RunRecord, 'status' | 'output' | 'error' | 'usage' | 'startedAt' | 'finishedAt'>>;
  nodes?: Record<string, NodeState>;
  events: RunEvent[];
  approvals?: ApprovalChange[];
}

/**
 * What the engine needs of storage. The engine commits after every step, so a run can resume
 * from the last completed step in a new process. The runner's SQL store implements it too.
 */
export interface CheckpointStore {
  /** Stores a new run, held by this process (see the runner's leases) unless `held` is false: a run queued for any runner to take. */
  createRun(run: RunRecord, options?: { held?: boolean }): Promise<void>;
  commit(runId: string, commit: Commit): Promise<void>;
  load(runId: string): Promise<RunSnapshot | undefined>;
  /**
   * Where runners share the store: takes the run's lease before a stored run is continued here
   * (false: another runner holds it). A store without it serves one engine.
   */
  claimRun?(runId: string): Promise<boolean>;
}
