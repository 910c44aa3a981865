/**
 * The ready-to-paste curl command for a published flow, and the addresses around it. Pure
 * functions: the panel renders them and the tests check the quoting.
 */

/** The environment variable the command reads when no fresh key is on show. */
export const KEY_ENV_VAR = 'TRELLIS_API_KEY';

/** How the endpoint answers (apps/runner/src/server/routes/endpoints.ts). */
export type ResponseMode = 'sync' | 'sse' | 'async';

/** `value` as one POSIX shell word: single quotes keep everything literal, and a ' inside is '\''. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The runner's base address as seen from this page: the API client's base URL when it has one
 * (absolute or relative to the page), otherwise the page's own origin (the runner serves the editor).
 */
export function runnerBase(apiBaseUrl: string, pageHref: string): string {
  return new URL(apiBaseUrl || '/', pageHref).href.replace(/\/+$/, '');
}

export function endpointUrl(base: string, slug: string, mode: ResponseMode = 'sync'): string {
  return `${base}/v1/flows/${encodeURIComponent(slug)}${mode === 'async' ? '?mode=async' : ''}`;
}

/**
 * The endpoint's operation in the runner's API reference. Scalar names an operation
 * `#tag/<tag slug>/<METHOD><path>`; the runner files published flows under the tag
 * "Published flows" (apps/runner/src/server/docs.ts).
 */
export function docsUrl(base: string, slug: string): string {
  return `${base}/docs#tag/published-flows/POST/v1/flows/${encodeURIComponent(slug)}`;
}

export interface CurlRequest {
  base: string;
  slug: string;
  /** The secret to send; without one the command reads $TRELLIS_API_KEY. */
  key?: string | undefined;
  /** The JSON request body: the flow's input. */
  body: unknown;
  mode?: ResponseMode;
}

/**
 * `curl -X POST '<url>' -H 'Authorization: Bearer <key>' …`, one option per line. The key
 * placeholder is in double quotes so the shell expands the variable; everything else is
 * single-quoted, so nothing in the body (quotes, $, backticks) is read by the shell.
 */
export function buildCurl({ base, slug, key, body, mode = 'sync' }: CurlRequest): string {
  const auth = key ? shellQuote(`Authorization: Bearer ${key}`) : `"Authorization: Bearer $${KEY_ENV_VAR}"`;
  const parts = [
    `curl${mode === 'sse' ? ' -N' : ''} -X POST ${shellQuote(endpointUrl(base, slug, mode))}`,
    `-H ${auth}`,
    `-H ${shellQuote('Content-Type: application/json')}`,
    ...(mode === 'sse' ? [`-H ${shellQuote('Accept: text/event-stream')}`] : []),
    `-d ${shellQuote(JSON.stringify(body ?? {}))}`,
  ];
  return parts.join(' \\\n  ');
}
