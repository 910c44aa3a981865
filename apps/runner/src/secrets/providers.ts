import { KNOWN_COMPATIBLE, anthropicBaseURL } from '@trellis/nodes/server';
import { TrellisError, errorMessage, type ProviderStatus, type ProviderTestResult } from '@trellis/schema';
import type { Credentials } from './credentials.js';

type Env = Record<string, string | undefined>;

/** The hosted providers and the variable holding each one's key (as the model resolver reads them). */
const HOSTED: Record<string, { variable: string; baseUrl: (env: Env) => string }> = {
  openai: { variable: 'OPENAI_API_KEY', baseUrl: (env) => (env.OPENAI_BASE_URL || 'https://api.openai.com/v1').replace(/\/+$/, '') },
  anthropic: { variable: 'ANTHROPIC_API_KEY', baseUrl: (env) => anthropicBaseURL(env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com') },
};
const CUSTOM_PROVIDER = /^TRELLIS_PROVIDER_([A-Z0-9_]+)_BASE_URL$/;

const prefix = (id: string) => `TRELLIS_PROVIDER_${id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;

/** An OpenAI-compatible server's base URL and the variables that may hold its key, as the model resolver reads them. */
function compatible(id: string, env: Env): { baseUrl?: string; keyVariables: string[] } {
  const baseUrl = env[`${prefix(id)}_BASE_URL`] || env[`${id.toUpperCase()}_BASE_URL`] || KNOWN_COMPATIBLE[id];
  return { ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}), keyVariables: [`${prefix(id)}_API_KEY`, `${id.toUpperCase()}_API_KEY`] };
}

/** The providers this runner knows: hosted, local, set by a base URL variable, or named by a stored key. */
async function providerIds(env: Env, credentials: Credentials): Promise<string[]> {
  const ids = new Set([...Object.keys(HOSTED), ...Object.keys(KNOWN_COMPATIBLE)]);
  for (const name of Object.keys(env)) {
    const custom = CUSTOM_PROVIDER.exec(name);
    if (custom && env[name]) ids.add(custom[1]!.toLowerCase());
  }
  for (const id of await credentials.storedProviders()) ids.add(id);
  return [...ids];
}

/**
 * Each model provider with whether the runner can use it and where its key comes from: the
 * environment wins over a key stored in Settings. Never a key, nor a base URL (which may carry one).
 */
export async function providerStatuses(env: Env, credentials: Credentials): Promise<ProviderStatus[]> {
  const statuses: ProviderStatus[] = [];
  for (const id of await providerIds(env, credentials)) statuses.push(await providerStatus(id, env, credentials));
  return statuses;
}

async function providerStatus(id: string, env: Env, credentials: Credentials): Promise<ProviderStatus> {
  const hosted = HOSTED[id];
  const server = hosted ? undefined : compatible(id, env);
  const variables = hosted ? [hosted.variable] : server!.keyVariables;
  const fromEnv = variables.find((v) => env[v]);
  if (fromEnv) {
    return { id, configured: Boolean(hosted || server?.baseUrl), source: 'env', note: `its key comes from ${fromEnv}, which wins over a key in Settings` };
  }
  const stored = await credentials.providerCredential(id);
  if (stored && !stored.readable) {
    return { id, configured: false, source: 'credential', credential: stored.credential, note: `the credential "${stored.credential}" cannot be decrypted (the secret key changed): enter the key again` };
  }
  if (hosted) {
    return stored
      ? { id, configured: true, source: 'credential', credential: stored.credential }
      : { id, configured: false, source: 'none', note: `no key: set ${hosted.variable} on the runner or add a key in Settings; until then runs answer with the built-in test provider` };
  }
  if (!server!.baseUrl) {
    return { id, configured: false, source: stored ? 'credential' : 'none', ...(stored ? { credential: stored.credential } : {}), note: `an OpenAI-compatible server needs its address: set ${prefix(id)}_BASE_URL on the runner` };
  }
  return stored
    ? { id, configured: true, source: 'credential', credential: stored.credential }
    : { id, configured: true, source: 'local', note: 'an OpenAI-compatible server: needs no key, but is only checked by a test' };
}

/** The key a provider is used with: the environment's, else the stored one. */
async function keyOf(id: string, env: Env, credentials: Credentials): Promise<string | undefined> {
  const variables = HOSTED[id] ? [HOSTED[id].variable] : compatible(id, env).keyVariables;
  const fromEnv = variables.map((v) => env[v]).find(Boolean);
  if (fromEnv) return fromEnv;
  await credentials.refresh();
  return credentials.providerKey(id);
}

/**
 * One cheap call to a provider (its model list), bounded by `timeoutMs`: whether its key and
 * address work, in words. Never the key, even in the provider's own error message.
 */
export async function testProvider(id: string, env: Env, credentials: Credentials, timeoutMs = 10_000): Promise<ProviderTestResult> {
  if (id === 'test') return { ok: true, message: 'the built-in test provider needs no key and calls no model', durationMs: 0 };
  if (!(await providerIds(env, credentials)).includes(id)) throw new TrellisError('not_found', `there is no model provider "${id}" on this runner`);
  const started = performance.now();
  const hosted = HOSTED[id];
  const baseUrl = hosted ? hosted.baseUrl(env) : compatible(id, env).baseUrl;
  const key = await keyOf(id, env, credentials);
  const done = (ok: boolean, message: string): ProviderTestResult => ({ ok, message: key ? message.split(key).join('[redacted]') : message, durationMs: Math.round(performance.now() - started) });
  if (!baseUrl) return done(false, `no address: set ${prefix(id)}_BASE_URL on the runner`);
  if (hosted && !key) return done(false, `no key: set ${hosted.variable} on the runner or add a key in Settings`);
  const headers: Record<string, string> =
    id === 'anthropic' ? { 'x-api-key': key!, 'anthropic-version': '2023-06-01' } : key ? { authorization: `Bearer ${key}` } : {};
  try {
    const response = await fetch(`${baseUrl}/models`, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    const text = await response.text();
    if (response.ok) {
      const count = countModels(text);
      return done(true, `the provider answered${count === undefined ? '' : ` with ${count} model${count === 1 ? '' : 's'}`}`);
    }
    const reason = providerMessage(text);
    if (response.status === 401 || response.status === 403) return done(false, `the provider refused the key (${response.status})${reason ? `: ${reason}` : ''}`);
    return done(false, `the provider answered ${response.status}${reason ? `: ${reason}` : ''}`);
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return done(false, `the provider did not answer within ${timeoutMs / 1000} s`);
    const cause = error instanceof Error && error.cause ? errorMessage(error.cause) : errorMessage(error);
    return done(false, `the provider could not be reached: ${cause}`);
  }
}

function countModels(text: string): number | undefined {
  try {
    const body = JSON.parse(text) as { data?: unknown; models?: unknown };
    const list = Array.isArray(body.data) ? body.data : Array.isArray(body.models) ? body.models : undefined;
    return list?.length;
  } catch {
    return undefined;
  }
}

/** The provider's own sentence from an error body (OpenAI and Anthropic both say `{ error: { message } }`), kept short. */
function providerMessage(text: string): string {
  let message = text;
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const found = typeof body.error === 'string' ? body.error : (body.error?.message ?? body.message);
    if (typeof found === 'string') message = found;
  } catch {
    // not JSON: the text as is
  }
  message = message.trim();
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
