/**
 * The API's limits, each written once: the runner's request schemas refuse past them and the
 * editor's forms can say them before a request is sent.
 */

/** Ids and names in paths and query strings (flows, runs, approvals, prompts). */
export const ID_PARAM_MAX = 200;
/** Who made a change, as they name themselves; a key's name. */
export const AUTHOR_MAX = 200;
export const KEY_NAME_MAX = 200;
/** A version's change message (flows) or note (prompts). */
export const NOTE_MAX = 500;
/** An approver's comment. */
export const COMMENT_MAX = 10_000;

/** Runs per page of GET /api/runs. */
export const RUNS_PAGE_DEFAULT = 50;
export const RUNS_PAGE_MAX = 200;
export const CURSOR_MAX = 500;
/** Approvals per page of GET /api/approvals (the inbox). */
export const APPROVALS_PAGE_DEFAULT = 100;
export const APPROVALS_PAGE_MAX = 500;
/** Streams of GET /api/runs/changes one runner serves at once, and the changes it keeps for a reconnect. */
export const RUN_CHANGE_STREAMS_MAX = 200;
export const RUN_CHANGES_KEPT = 2000;
/** Events per page of GET /api/runs/:id/events. */
export const EVENTS_PAGE_DEFAULT = 1000;
export const EVENTS_PAGE_MAX = 5000;

/** Origins one published endpoint may allow. */
export const CORS_ORIGINS_MAX = 100;
/** Slugs one API key may be limited to. */
export const KEY_SLUGS_MAX = 1000;
export const RATE_LIMIT_REQUESTS_MAX = 1_000_000;
export const RATE_LIMIT_WINDOW_MAX_SECONDS = 86_400;

/** A library template: Liquid's parse limit is its limit. */
export const TEMPLATE_MAX = 100_000;
export const PROMPT_DESCRIPTION_MAX = 2000;
export const PROMPT_TAG_MAX = 40;
export const PROMPT_TAGS_MAX = 20;
export const PROMPT_SEARCH_MAX = 500;
export const PROMPT_LIST_MAX = 1000;
/** A "Try it" request: versions side by side (the draft included) and samples each runs with. */
export const MAX_TRY_VERSIONS = 4;
export const MAX_TRY_SAMPLES = 10;
export const MAX_TRY_MOCK_REPLIES = 10;
export const MAX_TRY_OUTPUT_TOKENS = 100_000;
/** The most prompts and versions one library file may hold: an import is one transaction. */
export const MAX_FILE_PROMPTS = 2000;
export const MAX_FILE_VERSIONS = 20_000;
export const MAX_FILE_VERSIONS_PER_PROMPT = 1000;

/** A credential's name (like an id: a letter or _, then letters, digits, _ and -) and its value. */
export const CREDENTIAL_NAME_MAX = 100;
export const CREDENTIAL_VALUE_MAX = 16_384;
