import type { ErrorInfo, Flow, RunEvent, RunStatus, Usage } from '@trellis/schema';
import type { CheckpointStore } from '../engine/checkpoint.js';
import type { PendingWait } from '../engine/engine.js';

/**
 * The runner's storage: flows and their versions, runs with their node states and events
 * (the engine's checkpoints), approvals, published endpoints, API keys. One contract, two
 * backends (SQLite and PostgreSQL), one shared test suite.
 *
 * JSON values go in and come out as plain values; timestamps are ISO-8601 strings (UTC).
 */
export interface Store extends CheckpointStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Flushes pending writes and closes the connection(s). */
  close(): Promise<void>;

  // Flows. Every save is a new numbered version (1, 2, …); the flow's id is the document's id.
  listFlows(): Promise<FlowSummary[]>;
  getFlow(id: string): Promise<StoredFlow | undefined>;
  /**
   * Saves a document as the next version of its flow, creating the flow on its first save
   * (or re-creating a deleted one, whose numbering goes on). With `expectVersion`, refuses
   * (StoreConflict) when the latest version is another one: two editors never overwrite each other.
   */
  saveFlow(document: Flow, options?: { message?: string; expectVersion?: number }): Promise<FlowVersion>;
  /** Hides a flow and unpublishes its slugs; its versions stay for the runs that used them. False when there is none. */
  deleteFlow(id: string): Promise<boolean>;
  listVersions(flowId: string): Promise<FlowVersionSummary[]>;
  getVersion(flowId: string, version: number): Promise<FlowVersion | undefined>;

  // Runs (created and updated through the CheckpointStore methods).
  listRuns(query: RunQuery): Promise<Page<RunSummary>>;
  getRun(id: string): Promise<RunSummary | undefined>;
  /** Committed events with seq > afterSeq, in seq order, at most `limit` (default 1000). */
  listEvents(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunEvent[]>;
  /** Runs some process was executing (queued or running): to resume after a restart. */
  unfinishedRuns(): Promise<string[]>;

  // Approvals: written by commit() as nodes start and stop waiting.
  listApprovals(query?: { status?: ApprovalStatus; runId?: string; flowId?: string }): Promise<Approval[]>;
  getApproval(id: string): Promise<Approval | undefined>;
  /** Pending approvals whose deadline is at or before `now`. */
  dueApprovals(now: Date): Promise<Approval[]>;

  // Published endpoints.
  publish(entry: { slug: string; flowId: string; version: number; cors?: CorsSettings | null }): Promise<Published>;
  unpublish(slug: string): Promise<boolean>;
  listPublished(): Promise<Published[]>;
  getPublished(slug: string): Promise<Published | undefined>;

  // API keys: only the hash of the secret is stored.
  createKey(key: { name: string; hash: string; prefix: string; slugs: string[] | null; rateLimit: RateLimit | null }): Promise<ApiKey>;
  listKeys(): Promise<ApiKey[]>;
  /** Marks a key revoked; false when there is no such key or it was already revoked. */
  revokeKey(id: string): Promise<boolean>;
  /** The key with this hash, revoked or not. */
  findKeyByHash(hash: string): Promise<(ApiKey & { hash: string }) | undefined>;
  touchKey(id: string, at: Date): Promise<void>;

  // Small settings, e.g. whether the bundled examples were loaded.
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

export interface FlowSummary {
  id: string;
  name: string;
  description?: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

export interface StoredFlow extends FlowSummary {
  /** The latest version's document. */
  document: Flow;
}

export interface FlowVersionSummary {
  flowId: string;
  version: number;
  createdAt: string;
  message?: string;
}

export interface FlowVersion extends FlowVersionSummary {
  document: Flow;
}

export interface RunQuery {
  flowId?: string;
  status?: RunStatus;
  /** Only runs started through this published slug. */
  slug?: string;
  /** 1..200, default 50. */
  limit?: number;
  /** The `nextCursor` of the previous page. Newest runs come first. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface RunSummary {
  id: string;
  flowId: string;
  flowVersion?: number;
  status: RunStatus;
  input: unknown;
  output?: unknown;
  error?: ErrorInfo;
  usage: Usage;
  labels?: Record<string, string>;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed_out' | 'cancelled';

/** A wait of a run (what the engine reports as pending), kept with its decision. */
export interface Approval extends PendingWait {
  /** The store's own id (URL-safe). */
  id: string;
  runId: string;
  flowId: string;
  status: ApprovalStatus;
  createdAt: string;
  decidedAt?: string;
  decidedBy?: string;
  comment?: string;
  /** The payload the approver sent back, when they edited it. */
  editedPayload?: unknown;
}

export interface CorsSettings {
  /** Origins allowed to call the endpoint from a browser; `*` for any. */
  origins: string[];
}

export interface Published {
  slug: string;
  flowId: string;
  version: number;
  cors: CorsSettings | null;
  createdAt: string;
}

export interface RateLimit {
  /** Requests allowed per window. */
  requests: number;
  windowSeconds: number;
}

export interface ApiKey {
  id: string;
  name: string;
  /** The first characters of the secret, to recognise it in a list. */
  prefix: string;
  /** Slugs the key may call; null for every slug. */
  slugs: string[] | null;
  rateLimit: RateLimit | null;
  createdAt: string;
  revokedAt?: string;
  lastUsedAt?: string;
}

/** A write refused because the data changed meanwhile (e.g. a flow saved by someone else). */
export class StoreConflict extends Error {
  readonly code = 'conflict';
}
