import type { RunStatus, WaitKind } from '@trellis/schema';
import type { Generated } from 'kysely';
import type { ApprovalStatus } from './types.js';

/**
 * The tables as Kysely sees them. JSON is text (the same on both dialects), timestamps are
 * ISO-8601 text, which sorts like time because every writer uses `toISOString()`.
 */
export interface Database {
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  runs: RunsTable;
  run_nodes: RunNodesTable;
  run_events: RunEventsTable;
  approvals: ApprovalsTable;
  published: PublishedTable;
  api_keys: ApiKeysTable;
  meta: MetaTable;
  prompts: PromptsTable;
  prompt_versions: PromptVersionsTable;
  credentials: CredentialsTable;
  token_buckets: TokenBucketsTable;
  publish_log: PublishLogTable;
  datasets: DatasetsTable;
  dataset_versions: DatasetVersionsTable;
  experiments: ExperimentsTable;
  experiment_rows: ExperimentRowsTable;
}

export interface DatasetsTable {
  id: string;
  name: string;
  description: string | null;
  latest_version: number;
  row_count: number;
  created_at: string;
  updated_at: string;
}

/** One version of a dataset: every row, as a JSON list. */
export interface DatasetVersionsTable {
  dataset_id: string;
  version: number;
  rows: string;
  row_count: number;
  created_at: string;
  message: string | null;
  author: string | null;
}

/** An experiment; scorers, prompts and summary are JSON; live is 0 or 1. */
export interface ExperimentsTable {
  id: string;
  name: string | null;
  flow_id: string;
  flow_version: number;
  dataset_id: string;
  dataset_version: number;
  scorers: string;
  prompts: string | null;
  concurrency: number;
  live: number;
  status: string;
  rows_total: number;
  rows_done: number;
  summary: string | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
  heartbeat_at: string;
}

/** A row's result: output, error, scores, usage and its trace (events) as JSON. */
export interface ExperimentRowsTable {
  experiment_id: string;
  row_index: number;
  status: string;
  output: string | null;
  error: string | null;
  scores: string;
  duration_ms: number;
  usage: string;
  events: string | null;
}

/** One publish and how the flow's gate went (PublishRecord); `failed_cases` is a JSON list. */
export interface PublishLogTable {
  id: string;
  flow_id: string;
  version: number;
  slug: string;
  at: string;
  gate: 'passed' | 'overridden' | 'none';
  reason: string | null;
  by: string | null;
  failed_cases: string | null;
}

/** A token bucket (store/sql-store.ts takeToken): tokens left at `at`, refilled to capacity over window_ms; whether the last take got one. */
export interface TokenBucketsTable {
  bucket: string;
  tokens: number;
  at: number;
  window_ms: number;
  spent: number;
}

export interface FlowsTable {
  id: string;
  name: string;
  description: string | null;
  /** The latest version's tags as a JSON list; null when it has none. */
  tags: string | null;
  latest_version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface FlowVersionsTable {
  flow_id: string;
  version: number;
  document: string;
  message: string | null;
  author: string | null;
  created_at: string;
}

export interface RunsTable {
  id: string;
  flow_id: string;
  flow_version: number | null;
  status: RunStatus;
  input: string | null;
  output: string | null;
  error: string | null;
  usage: string;
  total_tokens: number;
  cost_usd: number | null;
  mocks: string | null;
  budget: string | null;
  labels: string | null;
  slug: string | null;
  /** Only for runs of an unsaved document; a versioned run reads flow_versions. */
  flow_document: string | null;
  /** The library prompt versions the run pinned (PromptPin[] as JSON). */
  prompts: string | null;
  /** Sub-flows: the run that started this one (RunParent as JSON), its id, and the flow versions this run pinned (FlowPin[]). */
  parent: string | null;
  parent_run_id: string | null;
  flow_pins: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  /** The runner executing the run, while it holds its lease (see store/leases.ts). */
  lease_owner: string | null;
  /** When that lease runs out unless renewed (epoch ms). */
  lease_expires_at: number | null;
  /** Why someone asked to cancel the run through a runner that does not hold it: the holder (or whoever takes it over) cancels it. */
  cancel_requested: string | null;
}

export interface RunNodesTable {
  run_id: string;
  node_id: string;
  status: string;
  state: string;
}

export interface RunEventsTable {
  run_id: string;
  seq: number;
  ts: string;
  type: string;
  node_id: string | null;
  /** JSON: where a body step ran (see RunEvent's `path`). */
  path: string | null;
  data: string;
}

export interface ApprovalsTable {
  id: string;
  run_id: string;
  flow_id: string;
  node_id: string;
  wait_id: string;
  kind: WaitKind;
  message: string;
  payload: string | null;
  /** A question's answer form (JSON Schema). */
  answer_schema: string | null;
  deadline: string | null;
  status: ApprovalStatus;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  comment: string | null;
  edited_payload: string | null;
  /** An answer asked of the runner holding the run (JSON of the engine's Answer), until that runner takes it. */
  answer_requested: string | null;
}

export interface PublishedTable {
  slug: string;
  flow_id: string;
  version: number;
  cors: string | null;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  prefix: string;
  hash: string;
  slugs: string | null;
  rate_limit: string | null;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

/** A library prompt; deleting one hides it (its versions stay for the runs that pinned them). */
export interface PromptsTable {
  /** The search index's key. */
  id: Generated<number>;
  name: string;
  latest_version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface PromptVersionsTable {
  name: string;
  version: number;
  template: string;
  description: string | null;
  /** string[] as JSON. */
  tags: string;
  /** The template's top-level variable names (string[] as JSON), worked out once when it is saved. */
  variables: string;
  note: string | null;
  author: string | null;
  created_at: string;
}

/** A provider key or named secret, sealed (AES-256-GCM; base64 text): see secrets/cipher.ts. */
export interface CredentialsTable {
  name: string;
  kind: 'provider' | 'secret';
  provider: string | null;
  ciphertext: string;
  iv: string;
  tag: string;
  created_at: string;
  updated_at: string;
  last_used_at: string | null;
}
