import type { ErrorInfo, RunEvent, RunStatus, Usage } from './events.js';
import type { Flow } from './flow.js';
import type { Problem } from './problems.js';
import type { PromptPin } from './prompts.js';

/**
 * The payloads of the runner's HTTP API, shared by the runner (its store and routes) and the
 * editor's client, so the two cannot drift apart. The runner's OpenAPI document describes the
 * same shapes for other clients.
 */

export interface FlowSummary {
  id: string;
  name: string;
  description?: string;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** A flow with its latest version's document. */
export interface StoredFlow extends FlowSummary {
  document: Flow;
}

/** What GET /api/flows/:id answers: the flow and what is wrong with it. */
export interface FlowDetail extends StoredFlow {
  problems: Problem[];
}

export interface FlowVersionSummary {
  flowId: string;
  version: number;
  createdAt: string;
  message?: string;
  /** Who saved it, as they named themselves in the editor. */
  author?: string;
}

export interface FlowVersion extends FlowVersionSummary {
  document: Flow;
}

export interface ValidationResult {
  ok: boolean;
  problems: Problem[];
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
  /** Where the run came from, e.g. `{ source: 'endpoint', slug: 'triage' }`. */
  labels?: Record<string, string>;
  /** The library prompt versions the run used (pinned when it started). */
  prompts?: PromptPin[];
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
}

/** A run as the API shows it. */
export interface Run extends RunSummary {
  durationMs?: number;
}

export interface RunDetail extends Run {
  approvals: Approval[];
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

export interface EventPage {
  items: RunEvent[];
  lastSeq: number;
}

export interface StartRun {
  input: unknown;
  /** The latest version when absent. */
  version?: number;
  /** Replies for the test provider, by node id. */
  mocks?: Record<string, unknown>;
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed_out' | 'cancelled';

/** What a waiting run asks of a person. */
export interface Wait {
  nodeId: string;
  waitId: string;
  kind: 'approval' | 'tool_approval';
  message: string;
  payload?: unknown;
  deadline?: string;
}

/** A wait kept with its decision. */
export interface Approval extends Wait {
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

export interface Decision {
  decision: 'approve' | 'reject';
  comment?: string;
  /** The edited payload, when the approver changed it. */
  payload?: unknown;
  /** Who decided; kept in the trace. */
  by?: string;
}

export interface CorsSettings {
  /** Origins allowed to call the endpoint from a browser; `*` for any. */
  origins: string[];
}

export interface PublishRequest {
  slug: string;
  /** The latest version when absent. */
  version?: number;
  cors?: CorsSettings | null;
}

export interface PublishedEndpoint {
  slug: string;
  flowId: string;
  version: number;
  cors: CorsSettings | null;
  createdAt: string;
}

/** A published endpoint as the API shows it, with the path it answers on. */
export interface Published extends PublishedEndpoint {
  url: string;
}

export interface RateLimit {
  /** Requests allowed per window. */
  requests: number;
  windowSeconds: number;
}

export interface CreateKeyRequest {
  name: string;
  /** Slugs the key may call; every slug when absent. */
  slugs?: string[] | null;
  /** 600 a minute when absent, none when null. */
  rateLimit?: RateLimit | null;
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

export interface CreatedKey {
  key: ApiKey;
  /** Shown once: the server keeps only its hash. */
  secret: string;
}

/** A bundled example flow (GET /api/examples): what a new flow can start from. */
export interface ExampleFlow {
  id: string;
  name: string;
  description?: string;
  document: Flow;
}

/** A model the editor's picker offers (GET /api/models). */
export interface ModelOption {
  /** `provider:model`, e.g. `openai:gpt-4.1-mini`. */
  id: string;
  provider: string;
  /** Whether the runner has what the provider needs (its key); never the key itself. */
  configured: boolean;
  /** USD per million tokens, when the price table knows the model. */
  price?: { inputPerMillionUsd: number; outputPerMillionUsd: number };
}

export interface ModelProviderInfo {
  id: string;
  configured: boolean;
  /** What runs do with this provider, in words (e.g. that they fall back to the test provider). */
  note?: string;
}

export interface ModelCatalog {
  items: ModelOption[];
  providers: ModelProviderInfo[];
  /** Settings the runner could not read (e.g. a malformed TRELLIS_MODEL_PRICES). */
  warnings?: string[];
}

// ——— The prompt library (/api/prompts) ———

/** What one version of a library prompt holds; every edit of any of it makes a new version. */
export interface PromptContent {
  template: string;
  description?: string;
  tags: string[];
}

export interface PromptSummary {
  name: string;
  description?: string;
  tags: string[];
  latestVersion: number;
  /** The `{{ variables }}` of the latest template, top-level names, in order of appearance. */
  variables: string[];
  createdAt: string;
  updatedAt: string;
  /** In search results: a short excerpt around the match, with the match between « and ». */
  snippet?: string;
}

/** A prompt with its latest version's content. */
export interface Prompt extends PromptSummary {
  template: string;
}

export interface PromptVersionSummary {
  name: string;
  version: number;
  createdAt: string;
  /** The change note given with the edit. */
  note?: string;
  author?: string;
}

export interface PromptVersion extends PromptVersionSummary, PromptContent {
  variables: string[];
}

export interface CreatePrompt extends PromptContent {
  name: string;
  note?: string;
  author?: string;
}

export interface UpdatePrompt extends PromptContent {
  note?: string;
  author?: string;
  /** Refused with 409 when the latest version is another one. */
  expectVersion?: number;
}

export interface RestorePrompt {
  version: number;
  note?: string;
  author?: string;
}

/** GET /api/prompts: `q` searches name, tags and text (ranked); `tag` filters. */
export interface PromptQuery {
  q?: string;
  tag?: string;
  limit?: number;
}

/** A node of a flow's latest version that references a library prompt. */
export interface PromptUse {
  flowId: string;
  flowName: string;
  flowVersion: number;
  nodeId: string;
  nodeName?: string;
  field: string;
  ref: string;
  /** The version the reference pins, or 'latest'. */
  pinned: number | 'latest';
  /** True when the reference pins a version older than the prompt's latest. */
  outdated: boolean;
}

/** POST /api/prompts/:name/try: renders versions with sample variables and runs them on a model. */
export interface TryPromptRequest {
  /** Versions to try side by side; the latest when absent. At most 4. */
  versions?: number[];
  /** A template not saved yet (the editor's draft), tried as version 0. */
  draft?: string;
  /** Sample variables: each sample is run with each version. At most 10. */
  samples: Array<Record<string, unknown>>;
  /** `provider:model`; the test provider answers when its key is missing. */
  model: string;
  /** The test provider's reply, e.g. `{ "text": "…" }`, for deterministic tries. */
  mock?: unknown;
  system?: string;
  temperature?: number;
  maxOutputTokens?: number;
}

export interface TryPromptResult {
  version: number;
  sample: number;
  rendered: string;
  text?: string;
  error?: string;
  usage?: Usage;
  durationMs: number;
  /** True when the test provider answered rather than a real model. */
  testProvider: boolean;
}

export interface TryPromptResponse {
  model: string;
  results: TryPromptResult[];
}

/** The library as a file (GET /api/prompts/export, POST /api/prompts/import). */
export interface PromptLibraryFile {
  schema: 'trellis.prompts/v1';
  exportedAt: string;
  prompts: Array<{ name: string; versions: Array<PromptContent & { version: number; note?: string; author?: string; createdAt: string }> }>;
}

export interface PromptImportResult {
  /** Prompts that did not exist. */
  created: string[];
  /** Prompts that existed and got new versions (only versions whose content differs). */
  updated: string[];
  /** Prompts whose every version was already there. */
  unchanged: string[];
}
