import type {
  ApiKey,
  Approval,
  ApprovalStatus,
  CorsSettings,
  Flow,
  FlowSummary,
  FlowVersion,
  FlowVersionSummary,
  Page,
  PublishedEndpoint,
  RateLimit,
  RunEvent,
  RunQuery,
  RunSummary,
  StoredFlow,
} from '@trellis/schema';
import type { CheckpointStore } from '../engine/checkpoint.js';

// The records are the API's payloads (packages/schema/src/api.ts): the store hands them out as they are.
export type { ApiKey, Approval, ApprovalStatus, CorsSettings, FlowSummary, FlowVersion, FlowVersionSummary, Page, RateLimit, RunQuery, RunSummary, StoredFlow };
export type Published = PublishedEndpoint;

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
  /**
   * A version's document, parsed once and the same object every time (versions never change):
   * the engine keeps its checked graph by document object, so every run of a version shares it.
   */
  versionDocument(flowId: string, version: number): Promise<Flow | undefined>;

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

/** A write refused because the data changed meanwhile (e.g. a flow saved by someone else). */
export class StoreConflict extends Error {
  readonly code = 'conflict';
}
