/**
 * The error catalog: every code the runner's API answers with, its HTTP status, whether trying
 * again may help, and what its message (and `details`) say. Services throw a `TrellisError`
 * with one of these codes and know nothing of HTTP; the runner's HTTP layer reads the status
 * here, in one place. The editor's client reads the same codes.
 *
 * Steps have codes of their own (`timeout`, `model_error`, a kind's own …): they end up in a
 * run's `error`, never in an HTTP answer, so a kind may add them without touching this list.
 */
export interface ErrorSpec {
  /** The HTTP status an answer with this code has. */
  status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 502 | 503;
  /** Whether the same request may succeed later, unchanged. */
  retryable: boolean;
  /** What the message says, and what `details` holds when there is any. */
  message: string;
}

export const ERROR_CATALOG = {
  invalid_request: { status: 400, retryable: false, message: 'which fields of the request are wrong; details.problems lists each as { path, message }' },
  invalid_json: { status: 400, retryable: false, message: 'why the body is not JSON' },
  bad_request: { status: 400, retryable: false, message: 'why the request could not be read' },
  invalid_input: { status: 400, retryable: false, message: "how the run input differs from the flow's input schema, or a question's answer from the question's; details.problems lists each field as { path, message }" },
  invalid_mocks: { status: 400, retryable: false, message: 'what is wrong with the mock script, by node id' },
  invalid_cursor: { status: 400, retryable: false, message: 'that the cursor is not one this server gave out' },
  invalid_event_id: { status: 400, retryable: false, message: 'that Last-Event-ID is not an event seq' },
  too_deep: { status: 400, retryable: false, message: 'which field nests deeper than the limit, and the limit; details.limit and details.problems' },
  invalid_mode: { status: 400, retryable: false, message: 'the modes a published flow answers in' },
  id_mismatch: { status: 400, retryable: false, message: "the document's id and the id the URL names" },
  missing_key: { status: 401, retryable: false, message: 'how to send an API key' },
  invalid_key: { status: 401, retryable: false, message: 'that the API key is not known' },
  revoked_key: { status: 401, retryable: false, message: 'which key was revoked, and when' },
  missing_token: { status: 401, retryable: false, message: 'how to send the admin token' },
  invalid_token: { status: 401, retryable: false, message: 'that the admin token is wrong' },
  forbidden: { status: 403, retryable: false, message: 'what the credentials may not do, and what they may' },
  not_found: { status: 404, retryable: false, message: 'what was looked for, by its id' },
  method_not_allowed: { status: 405, retryable: false, message: 'the methods the path takes (also in Allow)' },
  conflict: { status: 409, retryable: false, message: 'the version the data is at, and the one the request expected' },
  already_exists: { status: 409, retryable: false, message: 'what exists already, and how to change it instead' },
  already_decided: { status: 409, retryable: false, message: 'how the approval was decided' },
  slug_taken: { status: 409, retryable: false, message: 'which flow the slug serves' },
  prompt_in_use: { status: 409, retryable: false, message: 'the flows that use the prompt; details.uses lists each node' },
  run_finished: { status: 409, retryable: false, message: 'how the run ended' },
  run_cancelled: { status: 409, retryable: false, message: 'that the run was cancelled; details.runId names it' },
  run_active: { status: 409, retryable: false, message: 'that the run is running' },
  run_held: { status: 409, retryable: true, message: 'that another runner holds the run (its lease), and until when' },
  run_busy: { status: 409, retryable: true, message: 'that the run is busy' },
  run_conflict: { status: 409, retryable: true, message: 'that another writer changed the run first (a second process on the same run)' },
  unknown_wait: { status: 409, retryable: false, message: 'that the run does not wait for this answer' },
  payload_too_large: { status: 413, retryable: false, message: 'the largest body allowed' },
  unsupported_media_type: { status: 415, retryable: false, message: 'the content type to send' },
  invalid_flow: { status: 422, retryable: false, message: "the flow's problems; details.problems lists each with its node or edge" },
  unresolved_prompt: { status: 422, retryable: false, message: 'the library prompt references that cannot be resolved; details.problems names each' },
  unresolved_flow: { status: 422, retryable: false, message: 'the flows its sub-flow nodes run that cannot be found; details.problems names each' },
  flow_cycle: { status: 422, retryable: false, message: 'the chain of sub-flows that leads back to the flow; details.problems names each node' },
  invalid_dataset: { status: 400, retryable: false, message: 'each problem of the file, by row and field; details.problems lists them' },
  gate_failed: { status: 422, retryable: false, message: "which of the flow's test cases fail its publish gate; details.report has each case and check (publish with an override and a reason to go past it)" },
  subflow_too_deep: { status: 422, retryable: false, message: 'how deep the sub-flows go, and the limit' },
  rate_limited: { status: 429, retryable: true, message: 'the limit and when to try again (also in Retry-After); details.retryAfterSeconds' },
  too_many_failures: { status: 429, retryable: true, message: 'that this address sent too many wrong API keys, and when to try again (also in Retry-After); details.retryAfterSeconds' },
  internal: { status: 500, retryable: false, message: 'that the error is in the server log' },
  mcp_unavailable: { status: 502, retryable: true, message: 'which MCP server could not be listed, and why (its answer, or why it was not reached)' },
  run_failed: { status: 502, retryable: false, message: "the run's error; details.runId and details.error" },
  shutting_down: { status: 503, retryable: true, message: 'that the runner is shutting down (Retry-After says when to try again)' },
  store_unavailable: { status: 503, retryable: true, message: 'that the database could not be reached; the run resumes once it is back' },
  secrets_unavailable: { status: 503, retryable: false, message: 'that the runner has no key to encrypt credentials with, and how to give it one (TRELLIS_SECRET_KEY)' },
  prompt_unavailable: { status: 503, retryable: true, message: 'why the prompt library could not be read' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;
export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

/** The catalog's entry for a code; undefined for a step's own code. */
export function errorSpec(code: string): ErrorSpec | undefined {
  return Object.hasOwn(ERROR_CATALOG, code) ? ERROR_CATALOG[code as ErrorCode] : undefined;
}

/**
 * Marked with a symbol rather than checked with instanceof, so they survive duplicated module
 * copies (the AI SDK does the same).
 */
const marker = Symbol.for('trellis.error');

export interface TrellisErrorOptions {
  /**
   * Whether the engine may run the step again (false when not given). The catalog's `retryable`
   * is what an API answer with the code tells its caller; a step's retry is decided where it fails.
   */
  retryable?: boolean;
  /** Milliseconds the other side asked us to wait, or we ask callers to wait (HTTP Retry-After). */
  retryAfterMs?: number;
  /** Data a client can act on (e.g. `{ problems }`); sent as the error's `details`. */
  details?: unknown;
  cause?: unknown;
}

/** The domain's one error class: a stable code, a message a person can act on, and whether trying again may help. */
export class TrellisError extends Error {
  readonly [marker] = true;
  /** A code of the catalog, or a step's own code (e.g. `timeout`). */
  readonly code: ErrorCode | (string & {});
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode | (string & {}), message: string, options: TrellisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrellisError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.details = options.details;
  }

  static isInstance(error: unknown): error is TrellisError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

/** A thrown value as a sentence: an Error's message, a string as is, anything else as JSON. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
