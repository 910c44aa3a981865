import type { RunEvent } from '@trellis/schema';
import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient, type EventSourceLike } from '../src/api.js';

interface Call {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that answers from a list and records what it was asked. */
function stubFetch(...answers: (Response | Error)[]) {
  const calls: Call[] = [];
  const fetch = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fetch, calls };
}
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const event = (seq: number, type: RunEvent['type'] = 'node.started'): RunEvent =>
  ({ runId: 'r1', seq, ts: '2025-01-01T00:00:00Z', type, nodeId: 'a', data: {} }) as unknown as RunEvent;

describe('api client', () => {
  it('calls the routes with the base URL, JSON bodies and query strings', async () => {
    const { fetch, calls } = stubFetch(
      json({ items: [{ id: 'f', name: 'F' }] }),
      json({ id: 'f', name: 'F', version: 4, updatedAt: '', problems: [] }),
      json({ items: [], nextCursor: 'c2' }),
      new Response(null, { status: 204 }),
      json({ id: 'a1', status: 'approved' }),
    );
    const api = createApiClient({ baseUrl: 'http://runner:8787/', fetch });
    expect(await api.listFlows()).toEqual([{ id: 'f', name: 'F' }]);
    await api.saveFlow('f', { schema: 'trellis.flow/v1', id: 'f', name: 'F', nodes: [], edges: [] }, 3);
    expect(await api.listRuns({ flowId: 'f', status: 'waiting', limit: 20 })).toEqual({ items: [], nextCursor: 'c2' });
    expect(await api.revokeKey('k/1')).toBeUndefined();
    await api.decideApproval('a1', { decision: 'approve', comment: 'ok' });

    expect(calls.map((c) => `${c.init?.method} ${c.url}`)).toEqual([
      'GET http://runner:8787/api/flows',
      'PUT http://runner:8787/api/flows/f?expectVersion=3',
      'GET http://runner:8787/api/runs?flowId=f&status=waiting&limit=20',
      'DELETE http://runner:8787/api/keys/k%2F1',
      'POST http://runner:8787/api/approvals/a1',
    ]);
    expect(JSON.parse(String(calls[4]!.init?.body))).toEqual({ decision: 'approve', comment: 'ok' });
    expect((calls[1]!.init?.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it("turns the runner's error body into an ApiError with its status, code, message and details", async () => {
    const { fetch } = stubFetch(json({ error: { code: 'conflict', message: 'flow "f" is at version 5, but the save expected version 3', details: { at: 5 } } }, 409));
    const api = createApiClient({ fetch });
    const error = await api.saveFlow('f', { schema: 'trellis.flow/v1', id: 'f', name: 'F', nodes: [], edges: [] }, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'flow "f" is at version 5, but the save expected version 3', details: { at: 5 } });
  });

  it('gives an ApiError for an error that is not the runner\'s JSON (a proxy page)', async () => {
    const { fetch } = stubFetch(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await createApiClient({ fetch }).getRun('r1').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_502', message: 'The runner answered 502 Bad Gateway to GET /api/runs/r1.' });
  });

  it('gives code "network" and a sentence when the runner cannot be reached', async () => {
    const { fetch } = stubFetch(new TypeError('fetch failed'));
    const error = await createApiClient({ fetch, baseUrl: 'http://down:1' }).listFlows().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 0, code: 'network' });
    expect((error as ApiError).message).toMatch(/^Could not reach the Trellis runner at http:\/\/down:1\/api\/flows \(fetch failed\)\./);
  });
});

describe('followRun', () => {
  class FakeEventSource implements EventSourceLike {
    static made: FakeEventSource[] = [];
    readyState = 0;
    onerror: ((event: Event) => void) | null = null;
    closed = false;
    readonly listeners = new Map<string, ((event: MessageEvent<string>) => void)[]>();
    constructor(readonly url: string) {
      FakeEventSource.made.push(this);
    }
    addEventListener(type: string, listener: (event: MessageEvent<string>) => void) {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
    }
    emit(e: RunEvent) {
      for (const l of this.listeners.get(e.type) ?? []) l(new MessageEvent(e.type, { data: JSON.stringify(e) }));
    }
    close() {
      this.closed = true;
      this.readyState = 2;
    }
  }

  it('delivers each event once, reconnects with ?after= the last seq, and closes on the run\'s end', async () => {
    vi.useFakeTimers();
    try {
      FakeEventSource.made = [];
      const api = createApiClient({ baseUrl: 'http://r', EventSource: FakeEventSource, fetch: vi.fn() });
      const seen: number[] = [];
      const onEnd = vi.fn();
      api.followRun('r1', (e) => seen.push(e.seq), { after: 2, onEnd });
      const first = FakeEventSource.made[0]!;
      expect(first.url).toBe('http://r/api/runs/r1/events?after=2');
      first.emit(event(3));
      first.emit(event(4));
      first.emit(event(4)); // a duplicate is dropped
      first.readyState = 2; // the browser gave up
      first.onerror?.(new Event('error'));
      await vi.advanceTimersByTimeAsync(1000);
      const second = FakeEventSource.made[1]!;
      expect(second.url).toBe('http://r/api/runs/r1/events?after=4');
      second.emit(event(5, 'run.completed'));
      expect(seen).toEqual([3, 4, 5]);
      expect(second.closed).toBe(true);
      expect(onEnd).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('polls the JSON trace when there is no EventSource, and reports a missing run', async () => {
    const { fetch, calls } = stubFetch(
      json({ items: [event(1), event(2, 'run.completed')], lastSeq: 2 }),
      json({ error: { code: 'not_found', message: 'there is no run "r2"' } }, 404),
    );
    const api = createApiClient({ fetch, EventSource: null });
    const seen: number[] = [];
    await new Promise<void>((resolve) => api.followRun('r1', (e) => seen.push(e.seq), { onEnd: resolve }));
    expect(seen).toEqual([1, 2]);
    expect(calls[0]!.url).toBe('/api/runs/r1/events?after=0');
    const error = await new Promise<ApiError>((resolve) => api.followRun('r2', () => {}, { onError: resolve }));
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('requests started as the app starts', () => {
  it('hands a prefetched answer to the first identical GET once, and asks the network for the rest', async () => {
    const { prefetch } = await import('../src/api-prefetch.js');
    const network = vi.fn(async (url: string) => json({ items: [{ id: `from ${url}` }], nextCursor: undefined }));
    const previous = globalThis.fetch;
    globalThis.fetch = vi.fn(async () => json({ items: [{ id: 'prefetched' }] })) as unknown as typeof fetch;
    try {
      prefetch('/api/runs?status=failed&limit=50');
    } finally {
      globalThis.fetch = previous;
    }
    const api = createApiClient({ fetch: network, usePrefetched: true });
    // Another query is not the prefetched one: it goes to the network.
    expect((await api.listRuns({ limit: 50 })).items[0]!.id).toBe('from /api/runs?limit=50');
    expect((await api.listRuns({ status: 'failed', limit: 50 })).items[0]!.id).toBe('prefetched');
    // Taken once: the same request again is asked anew (a reload must see new runs).
    expect((await api.listRuns({ status: 'failed', limit: 50 })).items[0]!.id).toBe('from /api/runs?status=failed&limit=50');
    expect(network).toHaveBeenCalledTimes(2);
  });
});

describe('what an opening page asks for first', () => {
  it('is what its requests then ask for: the filtered runs page, a flow, the flow list', async () => {
    const { startupRequests } = await import('../src/startup-requests.js');
    expect(startupRequests({ page: 'runs', query: 'status=failed,waiting&flow=support-triage' })).toEqual([
      '/api/runs?flowId=support-triage&status=failed%2Cwaiting&limit=50',
      '/api/flows',
      '/api/published',
    ]);
    // The runs list's own first request (use-run-list.ts) asks for exactly that path.
    const { apiQuery, filtersFromQuery, RUNS_PAGE } = await import('../src/runs/filters.js');
    const { fetch, calls } = stubFetch(json({ items: [] }));
    const key = JSON.stringify(apiQuery(filtersFromQuery('status=failed,waiting&flow=support-triage')));
    await createApiClient({ fetch }).listRuns({ ...(JSON.parse(key) as object), limit: RUNS_PAGE });
    expect(calls[0]!.url).toBe(startupRequests({ page: 'runs', query: 'status=failed,waiting&flow=support-triage' })[0]);
    expect(startupRequests({ page: 'flow', id: 'a b' })).toEqual(['/api/flows/a%20b']);
    expect(startupRequests({ page: 'flows' })).toEqual(['/api/flows', '/api/published']);
    expect(startupRequests({ page: 'settings' })).toEqual([]);
  });
});
