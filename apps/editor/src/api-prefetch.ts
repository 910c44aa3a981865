/**
 * GETs started as the app's scripts start, before React first renders: the opening page's data is
 * on its way while the page is being drawn (on a slow machine that render is a few hundred ms).
 * Each answer is handed once to the app's first identical request, and only while fresh; any
 * other request goes to the network as usual.
 */
const FRESH_MS = 10_000;
/** Bounds what waits unclaimed: an opening page asks for a handful of things. */
const MAX_WAITING = 8;

interface Waiting {
  response: Promise<Response>;
  /** Settles once the answer is read (or failed): `ready` is then set when it is usable. */
  settled: Promise<void>;
  at: number;
  /** The answer's JSON once it has arrived whole, when it is a 200: a page can draw it in its first render. */
  ready?: { value: unknown };
}
const waiting = new Map<string, Waiting>();

export function prefetch(path: string): void {
  if (waiting.has(path) || waiting.size >= MAX_WAITING || typeof globalThis.fetch !== 'function') return;
  const response = globalThis.fetch(path, { headers: { Accept: 'application/json' } });
  const entry: Waiting = { response, settled: Promise.resolve(), at: Date.now() };
  // Read from a copy: the answer itself stays unread for a request that claims it. A failure is
  // the claimer's to report; unclaimed, it must not be an unhandled rejection.
  entry.settled = response
    .then((r) => (r.status === 200 ? r.clone().json() : Promise.reject(new Error(`answered ${r.status}`))))
    .then((value: unknown) => void (entry.ready = { value }))
    .catch(() => undefined);
  waiting.set(path, entry);
}

/**
 * Resolves when every prefetched answer has been read, or after `maxMs`: the app's first render
 * waits this long at most, so it can draw the opening page with its data instead of a skeleton
 * and then everything again (on a slow machine, one render of a page is a good part of a second).
 */
export function prefetchesSettled(maxMs: number): Promise<void> {
  if (waiting.size === 0) return Promise.resolve();
  return Promise.race([Promise.all([...waiting.values()].map((e) => e.settled)).then(() => undefined), new Promise<void>((resolve) => setTimeout(resolve, maxMs))]);
}

/** The JSON of a prefetched 200 answer to `path` that has already arrived, once; else undefined. */
export function takeReady(path: string): unknown {
  const entry = waiting.get(path);
  if (!entry?.ready || Date.now() - entry.at > FRESH_MS) return undefined;
  waiting.delete(path);
  return entry.ready.value;
}

/** The answer to a prefetched GET of `path`, once; undefined when none is waiting or it is stale. */
export function takePrefetched(path: string): Promise<Response> | undefined {
  const entry = waiting.get(path);
  if (!entry) return undefined;
  waiting.delete(path);
  return Date.now() - entry.at <= FRESH_MS ? entry.response : undefined;
}
