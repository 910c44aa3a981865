import type {
  ApprovalCount,
  ApprovalQuery,
  InboxItem,
  RunParent,
  ApiKey,
  Approval,
  ApprovalStatus,
  CorsSettings,
  Credential,
  CredentialKind,
  Flow,
  FlowSummary,
  FlowVersion,
  FlowVersionSummary,
  Page,
  Prompt,
  PromptImportResult,
  PromptLibraryFile,
  PromptQuery,
  PromptSummary,
  PromptVersion,
  PromptVersionSummary,
  PublishedEndpoint,
  PublishRecord,
  RateLimit,
  RunEvent,
  RunQuery,
  RunSummary,
  StoredFlow,
} from '@trellis/schema';
import { TrellisError } from '@trellis/schema';
import type { CheckpointStore, RunSnapshot } from '../engine/checkpoint.js';
import type { Answer } from '../engine/types.js';
import type { EvalStore } from './eval-store.js';

// The records are the API's payloads (packages/schema/src/api.ts): the store hands them out as they are.
export type { Credential, CredentialKind };
export type { ApiKey, Approval, ApprovalStatus, CorsSettings, FlowSummary, FlowVersion, FlowVersionSummary, Page, PublishedEndpoint, RateLimit, RunQuery, RunSummary, StoredFlow };
export type { Prompt, PromptImportResult, PromptLibraryFile, PromptQuery, PromptSummary, PromptVersion, PromptVersionSummary };

/**
 * The runner's storage: flows and their versions, runs with their node states and events
 * (the engine's checkpoints), approvals, published endpoints, API keys. One contract, two
 * backends (SQLite and PostgreSQL), one shared test suite.
 *
 * JSON values go in and come out as plain values; timestamps are ISO-8601 strings (UTC).
 */
/** What a runner hears of the others (Store.listenForCommits). */
export interface CommitHandlers {
  /** Runs another runner committed to (or was asked to cancel). */
  onRuns: (runIds: string[]) => void;
  /** Another runner queued runs for any runner to take. */
  onQueued?: () => void;
  /** The listening connection broke (it is opened again). */
  onError?: (error: Error) => void;
}

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
  saveFlow(document: Flow, options?: { message?: string; author?: string; expectVersion?: number }): Promise<FlowVersion>;
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
  /** Newest first, by (createdAt, id); `status` may list several, comma-separated (listing.ts). */
  listRuns(query: RunQuery): Promise<Page<RunSummary>>;
  getRun(id: string): Promise<RunSummary | undefined>;
  /** Committed events with seq > afterSeq, in seq order, at most `limit` (default 1000). */
  listEvents(runId: string, options?: { afterSeq?: number; limit?: number }): Promise<RunEvent[]>;
  /** Runs some process was executing (queued or running): to resume after a restart. */
  unfinishedRuns(): Promise<string[]>;

  /*
   * Leases. Runners may share a database; a runner executes only the runs it holds a lease on
   * (`runnerId`, until an expiry it renews). A run is held by the runner that creates it and
   * renewed by each of its commits; a commit to a run another runner holds is refused
   * (`run_held`); a run that waits for a person or ends is let go. A run whose runner died is
   * free again once its lease runs out.
   */
  /** The runner this store acts for (its leases' owner). */
  readonly runnerId: string;
  /** How long a lease lasts past its last renewal (ms). */
  readonly leaseMs: number;
  /** Takes one run's lease if nobody holds it, its lease ran out, or this runner holds it already. */
  claimRun(runId: string): Promise<boolean>;
  /** Takes the leases of up to `limit` unfinished runs (queued or running) nobody holds or whose lease ran out, oldest first; their ids. */
  claimRuns(limit: number): Promise<string[]>;
  /**
   * Takes the leases of those of these runs that are unfinished and free (or held here already),
   * in one statement: each run taken, with the cancel asked of it meanwhile (requestCancel), if any,
   * and, for a run that never started (still queued), its checkpoint, read in the same statement.
   */
  claimListed(runIds: readonly string[]): Promise<{ runId: string; cancel?: string; snapshot?: RunSnapshot }[]>;
  /**
   * Up to `limit` unfinished runs nobody holds or whose lease ran out, oldest first, without taking
   * them (for the run queue); runs still `queued` only when created before `queuedBefore` (ISO), if given.
   */
  freeRuns(limit: number, queuedBefore?: string): Promise<string[]>;
  /**
   * Extends this runner's leases of these runs; the ids of those another runner holds now. A run
   * whose lease was let go (it ended or waits for a person, its last commit a moment ago) is not
   * among them: nobody else executes it.
   */
  renewLeases(runIds: readonly string[]): Promise<string[]>;
  /**
   * Asks whichever runner holds an unfinished run to cancel it (a cancel that reached a runner
   * not holding it): kept in the run's row, and on PostgreSQL announced to the other runners at
   * once. False when the run has ended (or does not exist).
   */
  requestCancel(runId: string, reason: string): Promise<boolean>;
  /** The cancels asked of these runs (requestCancel), by run id. */
  cancelRequests(runIds: readonly string[]): Promise<Map<string, string>>;
  /**
   * Asks whichever runner holds a run to take this answer to one of its pending waits (an answer
   * that reached a runner not holding the run): kept in the approval's row, and on PostgreSQL
   * announced at once. False when the wait is no longer pending or another answer is asked already.
   */
  requestAnswer(approvalId: string, answer: Answer): Promise<boolean>;
  /** The answers asked of these runs' pending waits (requestAnswer). */
  answerRequests(runIds: readonly string[]): Promise<{ approvalId: string; runId: string; answer: Answer }[]>;
  /** Forgets an answer asked (taken into the run, or refused). */
  clearAnswerRequest(approvalId: string): Promise<void>;
  /**
   * Lets go of every run this runner holds (at shutdown, for the others to take at once), or of
   * these runs when they no longer need executing (waiting for a person, or ended); how many.
   */
  releaseLeases(runIds?: readonly string[]): Promise<number>;
  /**
   * Hears of other runners' commits (the runs they wrote events of), where the database can
   * tell (PostgreSQL's LISTEN/NOTIFY); undefined where it cannot (SQLite: one runner).
   */
  listenForCommits(handlers: CommitHandlers): { close(): Promise<void> } | undefined;
  /** Tells the other runners that runs were queued for them (PostgreSQL; nothing on SQLite, where one runner works alone). */
  announceQueued(): Promise<void>;
  /** PostgreSQL: the schema the tables are in (the run queue keeps its own beside it). */
  readonly pgSchema?: string;
  /**
   * Sub-flows that ended while the run that started them still waits on them (their end could not
   * wake it: the runner stopped first): each child's parent link, to wake that step.
   */
  endedChildrenOfWaitingRuns(): Promise<RunParent[]>;
  /** The runs started by this one as sub-flows, and theirs, at any depth (its own id first). */
  runFamily(runId: string): Promise<string[]>;

  // Approvals: written by commit() as the engine's approval changes say (a wait opens, is decided once, closes with its run).
  listApprovals(query?: { status?: ApprovalStatus; runId?: string; flowId?: string }): Promise<Approval[]>;
  /** The inbox across flows (listing.ts): pending ones oldest first, any other list newest first; a page at a time. */
  listInbox(query: ApprovalQuery): Promise<Page<InboxItem>>;
  /** Pending approvals and the runs waiting on them: the inbox's badge. */
  countInbox(): Promise<ApprovalCount>;
  getApproval(id: string): Promise<Approval | undefined>;
  /** Pending approvals whose deadline is at or before `now`. */
  dueApprovals(now: Date): Promise<Approval[]>;

  // Published endpoints.
  /** Publishes a version under a slug, and logs it with how its gate went (in one transaction). */
  publish(entry: { slug: string; flowId: string; version: number; cors?: CorsSettings | null; gate?: PublishGateOutcome }): Promise<PublishedEndpoint>;
  /** Datasets and experiments (store/eval-store.ts). */
  readonly evals: EvalStore;
  /** A flow's publish log, newest first. */
  listPublishes(flowId: string, limit: number): Promise<PublishRecord[]>;
  unpublish(slug: string): Promise<boolean>;
  listPublished(): Promise<PublishedEndpoint[]>;
  getPublished(slug: string): Promise<PublishedEndpoint | undefined>;

  // API keys: only the hash of the secret is stored.
  createKey(key: { name: string; hash: string; prefix: string; slugs: string[] | null; rateLimit: RateLimit | null }): Promise<ApiKey>;
  listKeys(): Promise<ApiKey[]>;
  /** Marks a key revoked; false when there is no such key or it was already revoked. */
  revokeKey(id: string): Promise<boolean>;
  /** The key with this hash, revoked or not. */
  findKeyByHash(hash: string): Promise<(ApiKey & { hash: string }) | undefined>;
  touchKey(id: string, at: Date): Promise<void>;

  // The prompt library. Every change of a prompt's content is a new numbered version (1, 2, …).
  /** Newest first; with `q`, ranked by full-text relevance (FTS5 on SQLite, tsvector on PostgreSQL) over name, tags and text. */
  listPrompts(query?: PromptQuery): Promise<PromptSummary[]>;
  getPrompt(name: string): Promise<Prompt | undefined>;
  /**
   * Version 1 of a new prompt (a deleted prompt's name numbers on from its old versions);
   * StoreConflict when the name is taken. Tags are kept trimmed, lowercase, each once.
   */
  createPrompt(input: PromptContentInput & { name: string }): Promise<PromptVersion>;
  /**
   * The next version of a prompt; content equal to the latest version's makes none and returns
   * the latest. StoreConflict when `expectVersion` is not the latest; undefined when there is no such prompt.
   */
  updatePrompt(name: string, input: PromptContentInput & { expectVersion?: number }): Promise<PromptVersion | undefined>;
  /**
   * Removes a prompt from the library (from lists, search and getPrompt). Its versions stay
   * for the runs that pinned them (getPromptVersion still finds them), and a prompt created
   * again under the name numbers on from them, so `name@3` never means two texts.
   */
  deletePrompt(name: string): Promise<boolean>;
  /** Newest first; none for a prompt that does not exist (or was deleted). */
  listPromptVersions(name: string): Promise<PromptVersionSummary[]>;
  /** A stored version, also of a deleted prompt (a run may have pinned it). */
  getPromptVersion(name: string, version: number): Promise<PromptVersion | undefined>;
  /** Every prompt of the library with all its versions, oldest version first. */
  exportPrompts(): Promise<PromptLibraryFile['prompts']>;
  /**
   * Adds a library file's prompts in one transaction: a prompt not in the library is created
   * with its versions numbered from 1 (on from its old versions when it was deleted); an
   * existing prompt gets, in order, the file's versions whose content none of its versions has.
   */
  importPrompts(prompts: PromptLibraryFile['prompts']): Promise<PromptImportResult>;

  // Credentials: provider keys and named secrets, stored sealed (the store never sees a value in clear).
  /** By name; never the sealed value. */
  listCredentials(): Promise<Credential[]>;
  /** One credential with its sealed value, for the runner to open. */
  getCredential(name: string): Promise<(Credential & { sealed: SealedValue }) | undefined>;
  /** Creates or replaces a credential (its createdAt stays on a replace). */
  putCredential(entry: { name: string; kind: CredentialKind; provider?: string; sealed: SealedValue }): Promise<Credential>;
  deleteCredential(name: string): Promise<boolean>;
  touchCredential(name: string, at: Date): Promise<void>;

  // Token buckets shared by the runners on the database (rate limits, the failed-key throttle).
  /**
   * Takes a token from `bucket` (full, `capacity` tokens, when new; refilled evenly over
   * `windowMs`), atomically however many runners take at once: 0 when it got one, else the
   * milliseconds until one is there.
   */
  takeToken(bucket: string, capacity: number, windowMs: number): Promise<number>;
  /** The tokens `bucket` holds now (`capacity` when it has none stored). */
  tokensLeft(bucket: string, capacity: number, windowMs: number): Promise<number>;
  /** Forgets buckets that have refilled (as good as none); how many. */
  pruneTokens(): Promise<number>;

  // Small settings, e.g. whether the bundled examples were loaded.
  getMeta(key: string): Promise<string | undefined>;
  setMeta(key: string, value: string): Promise<void>;
}

/** How long a runner's hold on a run lasts unless renewed (TRELLIS_LEASE_MS). */
export const DEFAULT_LEASE_MS = 15_000;

/** A value sealed with AES-256-GCM, each part base64. */
export interface SealedValue {
  ciphertext: string;
  iv: string;
  tag: string;
}

/** What a new prompt version holds, with its change note and author. */
export interface PromptContentInput {
  template: string;
  description?: string;
  tags: string[];
  note?: string;
  author?: string;
}

/** A write refused because the data changed meanwhile (e.g. a flow saved by someone else). */
export class StoreConflict extends TrellisError {
  constructor(message: string) {
    super('conflict', message);
  }
}

/** How a publish went past its flow's gate (PublishRecord's gate, reason, by, failedCases). */
export interface PublishGateOutcome {
  gate: 'passed' | 'overridden' | 'none';
  reason?: string;
  by?: string;
  failedCases?: string[];
}
