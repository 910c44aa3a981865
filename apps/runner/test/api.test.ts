import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, configFromEnv } from '../src/server/config.js';
import { loadExamplePromptsOnce, loadExamplesOnce } from '../src/server/examples.js';
import { REPO_EXAMPLES } from '../src/server/serve.js';
import { validateJson } from '@trellis/nodes/server';
import { apiHarness, approvalFlow, fourNodeFlow, parseSse } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

let h: Harness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

const errorOf = (body: unknown) => (body as { error: { code: string; message: string; details?: Body } }).error;

describe('flows', () => {
  it('creates, reads, versions, updates and deletes a flow', async () => {
    const created = await h.call<Body>('POST', '/api/flows', fourNodeFlow('four'));
    expect(created.status).toBe(201);
    // A save answers the version it made and the problems, not the document it was sent.
    expect(created.body).toEqual({ id: 'four', name: 'Four nodes', version: 1, updatedAt: expect.any(String), problems: [] });

    expect((await h.call('POST', '/api/flows', fourNodeFlow('four'))).status).toBe(409);

    const changed = { ...fourNodeFlow('four'), name: 'Four nodes, renamed' };
    const put = await h.call<Body>('PUT', '/api/flows/four', changed);
    expect(put.status).toBe(200);
    expect(put.body.version).toBe(2);

    const list = await h.call<Body>('GET', '/api/flows');
    expect(list.body.items).toEqual([expect.objectContaining({ id: 'four', name: 'Four nodes, renamed', latestVersion: 2 })]);
    const versions = await h.call<Body>('GET', '/api/flows/four/versions');
    expect(versions.body.items.map((v: Body) => v.version).sort()).toEqual([1, 2]);
    const v1 = await h.call<Body>('GET', '/api/flows/four/versions/1');
    expect(v1.body.document.name).toBe('Four nodes');
    expect((await h.call('GET', '/api/flows/four/versions/9')).status).toBe(404);

    const stale = await h.call('PUT', '/api/flows/four?expectVersion=1', changed);
    expect(stale.status).toBe(409);
    expect(errorOf(stale.body).code).toBe('conflict');

    expect((await h.call('DELETE', '/api/flows/four')).status).toBe(204);
    expect((await h.call('GET', '/api/flows/four')).status).toBe(404);
    expect((await h.call('DELETE', '/api/flows/four')).status).toBe(404);
  });

  it('saves a half-drawn flow with its problems, refuses what is not a flow, and refuses to run it', async () => {
    const draft = fourNodeFlow('draft');
    draft.edges.push({ id: 'e9', source: 'out', sourceHandle: 'out', target: 'nowhere', targetHandle: 'in' });
    const saved = await h.call<Body>('POST', '/api/flows', draft);
    expect(saved.status).toBe(201);
    expect(saved.body.problems).toContainEqual(expect.objectContaining({ code: 'dangling_edge', edgeId: 'e9' }));
    // Read back, it has them; fixed in a new version, it has none; deleted and made again with
    // the problem, the same id and version 1 has them again (problems are kept per saved version).
    const read = async () => ((await h.call<Body>('GET', '/api/flows/draft')).body.problems as Body[]).map((p) => p.code);
    expect(await read()).toContain('dangling_edge');
    expect((await h.call('PUT', '/api/flows/draft', fourNodeFlow('draft'))).status).toBe(200);
    expect(await read()).toEqual([]);
    expect((await h.call('DELETE', '/api/flows/draft')).status).toBe(204);
    expect((await h.call('POST', '/api/flows', draft)).status).toBe(201);
    expect(await read()).toContain('dangling_edge');

    const run = await h.call<Body>('POST', '/api/flows/draft/runs', { input: { n: 1 } });
    expect(run.status).toBe(422);
    expect(errorOf(run.body).details?.problems).toContainEqual(expect.objectContaining({ edgeId: 'e9' }));

    const notAFlow = await h.call('POST', '/api/flows', { hello: 'world' });
    expect(notAFlow.status).toBe(400);
    const wrongId = await h.call('PUT', '/api/flows/other', fourNodeFlow('four'));
    expect(wrongId.status).toBe(400);
    expect(errorOf(wrongId.body).code).toBe('id_mismatch');
  });

  it('validates a flow, returning every problem at once', async () => {
    const ok = await h.call<Body>('POST', '/api/validate', fourNodeFlow());
    expect(ok.body).toEqual({ ok: true, problems: [] });
    const bad = fourNodeFlow();
    bad.nodes.push({ id: 'extra', type: 'nope', position: { x: 0, y: 0 }, config: {} } as never);
    bad.edges.push({ id: 'e9', source: 'in', sourceHandle: 'out', target: 'ghost', targetHandle: 'in' });
    const result = await h.call<Body>('POST', '/api/validate', bad);
    expect(result.body.ok).toBe(false);
    expect(result.body.problems.map((p: Body) => p.code)).toEqual(expect.arrayContaining(['unknown_kind', 'unreachable', 'dangling_edge']));
  });
});

describe('errors', () => {
  it('answers every kind of bad request with a JSON error naming what is wrong', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const malformed = await h.call('POST', '/api/flows/four/runs', '{"input": ');
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed.body).code).toBe('invalid_json');

    const wrongType = await h.call('POST', '/api/flows/four/runs', { input: {}, version: 'two' });
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType.body)).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('body.version') });

    const unknownField = await h.call('POST', '/api/flows/four/runs', { input: {}, verison: 2 });
    expect(unknownField.status).toBe(400);
    expect(errorOf(unknownField.body).message).toContain('verison');

    expect(errorOf((await h.call('GET', '/api/runs/nope')).body).code).toBe('not_found');
    expect((await h.call('POST', '/api/flows/nope/runs', { input: {} })).status).toBe(404);

    const huge = await h.call('POST', '/api/validate', { blob: 'x'.repeat(100 * 1024) });
    expect(huge.status).toBe(413);
    expect(errorOf(huge.body).code).toBe('payload_too_large');

    const route = await h.call('GET', '/api/nothing-here');
    expect(route.status).toBe(404);
    expect(errorOf(route.body).message).toContain('/api/nothing-here');

    const method = await h.call('PATCH', '/api/flows/four');
    expect(method.status).toBe(405);
    expect(method.headers.get('Allow')).toContain('PUT');
    expect(errorOf(method.body).code).toBe('method_not_allowed');

    for (const answer of [malformed, wrongType, huge, route, method]) expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts:\d+/);
  });

  it('needs the admin token on /api when one is configured', async () => {
    const guarded = await apiHarness({ adminToken: 'a-long-admin-token-123' });
    try {
      expect((await guarded.call('GET', '/api/flows')).status).toBe(401);
      expect((await guarded.call('GET', '/api/flows', undefined, { Authorization: 'Bearer wrong-token-xxxxxxxx' })).status).toBe(401);
      expect((await guarded.call('GET', '/api/flows', undefined, { Authorization: 'Bearer a-long-admin-token-123' })).status).toBe(200);
      expect((await guarded.call('GET', '/healthz')).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('refuses to listen beyond loopback without an admin token', () => {
    expect(() => configFromEnv({ HOST: '0.0.0.0' })).toThrow(ConfigError);
    expect(() => configFromEnv({ HOST: '0.0.0.0' })).toThrow(/TRELLIS_ADMIN_TOKEN/);
    expect(configFromEnv({ HOST: '0.0.0.0', TRELLIS_ADMIN_TOKEN: 'x'.repeat(20) }).host).toBe('0.0.0.0');
    expect(configFromEnv({})).toMatchObject({ host: '127.0.0.1', port: 3000 });
    expect(() => configFromEnv({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});

describe('runs', () => {
  it('starts a run, reads it, lists it by flow and status, and pages through runs', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const started = await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 21 } });
    expect(started.status).toBe(201);
    const runId = started.body.id as string;
    const run = await h.runUntil(runId, ['succeeded']);
    expect(run).toMatchObject({ flowId: 'four', flowVersion: 1, input: { n: 21 }, output: { result: 42 }, usage: { totalTokens: 0 } });
    expect(run.durationMs).toBeTypeOf('number');

    for (let i = 0; i < 4; i++) await h.runUntil(((await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: i } })).body.id as string), ['succeeded']);
    const page1 = await h.call<Body>('GET', '/api/runs?flowId=four&status=succeeded&limit=3');
    expect(page1.body.items).toHaveLength(3);
    const page2 = await h.call<Body>('GET', `/api/runs?flowId=four&status=succeeded&limit=3&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.nextCursor).toBeUndefined();
    const ids = [...page1.body.items, ...page2.body.items].map((r: Body) => r.id);
    expect(new Set(ids).size).toBe(5);
    expect((await h.call<Body>('GET', '/api/runs?status=failed')).body.items).toEqual([]);
    expect((await h.call('GET', '/api/runs?status=bogus')).status).toBe(400);
    expect((await h.call('GET', '/api/runs?cursor=garbage')).status).toBe(400);
  });

  it('refuses an input that does not match the input schema at the edge, naming the field, and makes no run', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const wrong = await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 'twenty-one' } });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.body)).toMatchObject({ code: 'invalid_input', message: expect.stringContaining('input.n') });
    expect(errorOf(wrong.body).details!.problems).toEqual([expect.objectContaining({ path: 'input.n' })]);
    const missing = await h.call<Body>('POST', '/api/flows/four/runs', {});
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body).message).toMatch(/n/);
    expect((await h.call<Body>('GET', '/api/runs?flowId=four')).body.items).toEqual([]);
  });

  it('answers a start and a save from what was written, without reading it back', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const getRun = vi.spyOn(h.store, 'getRun');
    const getFlow = vi.spyOn(h.store, 'getFlow');
    const started = await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 1 }, version: 1 });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ flowId: 'four', flowVersion: 1, status: 'queued', input: { n: 1 }, labels: { source: 'api' } });
    expect(started.body).not.toHaveProperty('flow');
    const saved = await h.call<Body>('PUT', '/api/flows/four', fourNodeFlow('four'));
    expect(saved.body).toMatchObject({ id: 'four', version: 2, problems: [] });
    expect(getRun).not.toHaveBeenCalled();
    expect(getFlow).not.toHaveBeenCalled();
    await h.runUntil(started.body.id as string, ['succeeded']);
  });

  it('answers a store failure while paging as a server error, not as a bad cursor', async () => {
    vi.spyOn(h.store, 'listRuns').mockRejectedValueOnce(new Error('connection reset'));
    const failed = await h.call<Body>('GET', '/api/runs?cursor=WyIyMDI2IiwiYSJd');
    expect(failed.status).toBe(500);
    expect(errorOf(failed.body).code).toBe('internal');
  });

  it('runs a given version with a mock script', async () => {
    await h.call('POST', '/api/flows', {
      schema: 'trellis.flow/v1', id: 'talk', name: 'Talk',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'say', type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'openai:gpt-4.1-mini', prompt: { template: 'hi' } } },
        { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ nodes.say.output }}' } },
      ],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'say', targetHandle: 'in' },
        { id: 'e2', source: 'say', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ],
    });
    const started = await h.call<Body>('POST', '/api/flows/talk/runs', { input: {}, version: 1, mocks: { say: { text: 'Hello from the script' } } });
    const run = await h.runUntil(started.body.id, ['succeeded']);
    expect(run.output).toBe('Hello from the script');
    const badMocks = await h.call('POST', '/api/flows/talk/runs', { input: {}, mocks: { nobody: { text: 'x' } } });
    expect(badMocks.status).toBe(400);
    expect(errorOf(badMocks.body).message).toContain('nobody');
    expect((await h.call('POST', '/api/flows/talk/runs', { input: {}, version: 7 })).status).toBe(404);
  });

  it('streams the trace by SSE and resumes after Last-Event-ID with no gap or duplicate', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const runId = (await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 2 } })).body.id as string;
    await h.runUntil(runId, ['succeeded']);
    const all = await h.call<string>('GET', `/api/runs/${runId}/events`, undefined, { Accept: 'text/event-stream' });
    expect(all.headers.get('Content-Type')).toContain('text/event-stream');
    const events = parseSse(all.body);
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)?.event).toBe('run.completed');

    const resumed = parseSse((await h.call<string>('GET', `/api/runs/${runId}/events`, undefined, { Accept: 'text/event-stream', 'Last-Event-ID': '3' })).body);
    expect(resumed.map((e) => Number(e.id))).toEqual(events.slice(3).map((e) => Number(e.id)));
    expect(resumed.map((e) => e.data)).toEqual(events.slice(3).map((e) => e.data));

    const json = await h.call<Body>('GET', `/api/runs/${runId}/events?after=2&limit=2`);
    expect(json.body.items.map((e: Body) => e.seq)).toEqual([3, 4]);
    expect(json.body.lastSeq).toBe(4);
    expect((await h.call('GET', `/api/runs/${runId}/events`, undefined, { Accept: 'text/event-stream', 'Last-Event-ID': 'abc' })).status).toBe(400);
  });

  it('streams a live run: a follower connected while the run waits gets the rest once it is approved', async () => {
    await h.call('POST', '/api/flows', approvalFlow());
    const runId = (await h.call<Body>('POST', '/api/flows/needs-ok/runs', { input: { amount: 5 } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const following = Promise.resolve(h.app.request(`/api/runs/${runId}/events`, { headers: { Accept: 'text/event-stream' } })).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 50));
    const [approval] = (await h.call<Body>('GET', `/api/approvals?runId=${runId}`)).body.items;
    await h.call('POST', `/api/approvals/${approval.id}`, { decision: 'approve' });
    const events = parseSse(await following);
    expect(events.map((e) => e.event)).toContain('run.waiting');
    expect(events.at(-1)?.event).toBe('run.completed');
    expect(events.map((e) => Number(e.id))).toEqual(events.map((_, i) => i + 1));
  });

  it('cancels a waiting run and refuses to cancel a finished one', async () => {
    await h.call('POST', '/api/flows', approvalFlow());
    const runId = (await h.call<Body>('POST', '/api/flows/needs-ok/runs', { input: { amount: 5 } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const cancelled = await h.call<Body>('POST', `/api/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await h.call<Body>('GET', `/api/approvals?runId=${runId}&status=cancelled`)).body.items).toHaveLength(1);
    const again = await h.call('POST', `/api/runs/${runId}/cancel`);
    expect(again.status).toBe(409);
    expect((await h.call('POST', '/api/runs/nope/cancel')).status).toBe(404);
  });
});

describe('approvals', () => {
  it('lists pending approvals and approves one with a comment, an edited payload and who decided, all in the trace', async () => {
    await h.call('POST', '/api/flows', approvalFlow());
    const runId = (await h.call<Body>('POST', '/api/flows/needs-ok/runs', { input: { amount: 80 } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const pending = await h.call<Body>('GET', '/api/approvals');
    expect(pending.body.items).toEqual([expect.objectContaining({ runId, nodeId: 'ok', status: 'pending', message: 'Refund 80?', payload: { amount: 80 } })]);
    const id = pending.body.items[0].id as string;

    const decided = await h.call<Body>('POST', `/api/approvals/${id}`, { decision: 'approve', comment: 'fine, but less', payload: { amount: 50 }, by: 'ana@example.com' });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ status: 'approved', decidedBy: 'ana@example.com', comment: 'fine, but less', editedPayload: { amount: 50 } });
    const run = await h.runUntil(runId, ['succeeded']);
    expect(run.output).toEqual({ approved: true, payload: { amount: 50 }, by: 'ana@example.com' });

    const trace = (await h.call<Body>('GET', `/api/runs/${runId}/events`)).body.items as Body[];
    const resumed = trace.find((e) => e.type === 'run.resumed');
    expect(resumed?.data.decision).toEqual({ approved: true, by: 'ana@example.com', comment: 'fine, but less', payload: { amount: 50 } });
    expect((await h.call<Body>('GET', '/api/approvals')).body.items).toEqual([]);

    const twice = await h.call('POST', `/api/approvals/${id}`, { decision: 'reject' });
    expect(twice.status).toBe(409);
    expect((await h.call('POST', '/api/approvals/nope', { decision: 'reject' })).status).toBe(404);
    expect((await h.call('POST', `/api/approvals/${id}`, { decision: 'maybe' })).status).toBe(400);
  });

  it('resolves an approval whose deadline passed as timed out, and the run goes on', async () => {
    const flow = approvalFlow('expires');
    (flow.nodes[1]!.config as Record<string, unknown>).timeoutMs = 1000;
    await h.call('POST', '/api/flows', flow);
    const runId = (await h.call<Body>('POST', '/api/flows/expires/runs', { input: { amount: 3 } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const [approval] = (await h.call<Body>('GET', '/api/approvals')).body.items;
    expect(approval.deadline).toBeTypeOf('string');
    const run = await h.runUntil(runId, ['succeeded'], 5000);
    expect(run.output).toEqual({ approved: false });
    expect((await h.call<Body>('GET', `/api/approvals/${approval.id}`)).body.status).toBe('timed_out');
  });

  it('rejects, and the run takes the rejected branch', async () => {
    await h.call('POST', '/api/flows', approvalFlow());
    const runId = (await h.call<Body>('POST', '/api/flows/needs-ok/runs', { input: { amount: 80 } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const [approval] = (await h.call<Body>('GET', '/api/approvals')).body.items;
    await h.call('POST', `/api/approvals/${approval.id}`, { decision: 'reject', comment: 'too much' });
    const run = await h.runUntil(runId, ['succeeded']);
    expect(run.output).toEqual({ approved: false });
    expect((await h.call<Body>('GET', `/api/approvals/${approval.id}`)).body).toMatchObject({ status: 'rejected', comment: 'too much', decidedBy: 'api' });
  });
});

describe('published endpoints', () => {
  async function publishWithKey(options: { slugs?: string[]; rateLimit?: unknown; cors?: unknown } = {}) {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const published = await h.call<Body>('POST', '/api/flows/four/publish', { slug: 'double', ...(options.cors ? { cors: options.cors } : {}) });
    expect(published.status).toBe(201);
    const key = await h.call<Body>('POST', '/api/keys', { name: 'test key', ...(options.slugs ? { slugs: options.slugs } : {}), ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}) });
    expect(key.status).toBe(201);
    return { secret: key.body.secret as string, keyId: key.body.key.id as string, auth: { Authorization: `Bearer ${key.body.secret}` } };
  }

  it('answers with the output (sync), 202 with a status URL (async), and the events (SSE)', async () => {
    const { auth } = await publishWithKey();
    const sync = await h.call<Body>('POST', '/v1/flows/double', { n: 21 }, auth);
    expect(sync.status).toBe(200);
    expect(sync.body).toMatchObject({ status: 'succeeded', output: { result: 42 } });
    expect(sync.headers.get('X-Trellis-Run-Id')).toBe(sync.body.runId);

    const async = await h.call<Body>('POST', '/v1/flows/double?mode=async', { n: 5 }, auth);
    expect(async.status).toBe(202);
    expect(async.body.statusUrl).toBe(`/v1/flows/double/runs/${async.body.runId}`);
    await h.runUntil(async.body.runId, ['succeeded']);
    const status = await h.call<Body>('GET', async.body.statusUrl, undefined, auth);
    expect(status.body).toEqual({ runId: async.body.runId, status: 'succeeded', output: { result: 10 } });
    expect((await h.call('GET', async.body.statusUrl)).status).toBe(401);
    expect((await h.call('GET', `/v1/flows/double/runs/${sync.body.runId.replace(/.$/, '0')}x`, undefined, auth)).status).toBe(404);

    const sse = await h.call<string>('POST', '/v1/flows/double', { n: 1 }, { ...auth, Accept: 'text/event-stream' });
    const events = parseSse(sse.body);
    expect(events[0]?.event).toBe('run.started');
    expect(events.at(-1)?.event).toBe('run.completed');
    expect(JSON.parse(events.at(-1)!.data).data.output).toEqual({ result: 2 });

    expect((await h.call('POST', '/v1/flows/double?mode=later', { n: 1 }, auth)).status).toBe(400);
    const runs = await h.call<Body>('GET', '/api/runs?slug=double');
    expect(runs.body.items).toHaveLength(3);
  });

  it('answers 202 with the status URL when the run waits for an approval', async () => {
    await h.call('POST', '/api/flows', approvalFlow());
    await h.call('POST', '/api/flows/needs-ok/publish', { slug: 'refund' });
    const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.secret}` };
    const answer = await h.call<Body>('POST', '/v1/flows/refund', { amount: 10 }, auth);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'waiting', statusUrl: `/v1/flows/refund/runs/${answer.body.runId}` });
    expect(answer.body.waiting[0]).toMatchObject({ message: 'Refund 10?' });
    const status = await h.call<Body>('GET', answer.body.statusUrl, undefined, auth);
    expect(status.body).toMatchObject({ status: 'waiting', waiting: [expect.objectContaining({ message: 'Refund 10?' })] });
    // One shape for a wait on both routes, with the approval to answer.
    expect(status.body.waiting).toEqual(answer.body.waiting);
    const [approval] = (await h.call<Body>('GET', `/api/approvals?runId=${answer.body.runId}`)).body.items;
    expect(answer.body.waiting[0]).toMatchObject({ id: approval.id, nodeId: approval.nodeId, waitId: approval.waitId, kind: 'approval', answerUrl: `/api/approvals/${approval.id}` });

    // A stream that stops on the wait ends with the same answer: the approval's id and where to answer it.
    const sse = parseSse((await h.call<string>('POST', '/v1/flows/refund', { amount: 5 }, { ...auth, Accept: 'text/event-stream' })).body);
    expect(sse.at(-2)?.event).toBe('run.waiting');
    expect(sse.at(-1)?.event).toBe('endpoint.waiting');
    expect(sse.at(-1)?.id).toBeUndefined();
    const closing = JSON.parse(sse.at(-1)!.data) as Body;
    expect(closing).toMatchObject({ status: 'waiting', statusUrl: `/v1/flows/refund/runs/${closing.runId}` });
    expect(closing.waiting).toEqual([expect.objectContaining({ kind: 'approval', message: 'Refund 5?', answerUrl: `/api/approvals/${closing.waiting[0].id}` })]);
    expect((await h.call<Body>('GET', `/api/approvals/${closing.waiting[0].id}`)).status).toBe(200);

    // The published document says so: every wait has its id and answerUrl.
    const wait = (await h.call<Body>('GET', '/openapi.json')).body.components.schemas.EndpointWait;
    expect(wait.required).toEqual(expect.arrayContaining(['id', 'answerUrl', 'kind']));
  });

  it('says why the output is null when no output node ran (a rejection with nothing wired)', async () => {
    const flow = approvalFlow('bare');
    flow.nodes = flow.nodes.filter((n) => n.id !== 'no');
    flow.edges = flow.edges.filter((e) => e.id !== 'e3');
    const saved = await h.call<Body>('POST', '/api/flows', flow);
    expect(saved.body.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'unwired_outcome', nodeId: 'ok' })]);
    await h.call('POST', '/api/flows/bare/publish', { slug: 'bare' });
    const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.secret}` };
    const waiting = await h.call<Body>('POST', '/v1/flows/bare', { amount: 10 }, auth);
    await h.call('POST', waiting.body.waiting[0].answerUrl, { decision: 'reject' });
    await h.runUntil(waiting.body.runId, ['succeeded']);
    const status = await h.call<Body>('GET', waiting.body.statusUrl, undefined, auth);
    expect(status.body).toEqual({
      runId: waiting.body.runId,
      status: 'succeeded',
      output: null,
      note: 'no output node ran, so the output is null: the run ended at "ok" → rejected, which has nothing wired',
    });
    // An output that ran, even null, has no note.
    const approved = await h.call<Body>('POST', '/v1/flows/bare', { amount: 3 }, auth);
    await h.call('POST', approved.body.waiting[0].answerUrl, { decision: 'approve' });
    await h.runUntil(approved.body.runId, ['succeeded']);
    expect((await h.call<Body>('GET', approved.body.statusUrl, undefined, auth)).body).not.toHaveProperty('note');
  });

  it('marks an answer the test provider made up, in the body and a header, and only then', async () => {
    const prompted = {
      schema: 'trellis.flow/v1',
      id: 'greets',
      name: 'Greets',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object', properties: { name: { type: 'string' } } } } },
        { id: 'greet', type: 'prompt', position: { x: 200, y: 0 }, config: { model: 'openai:gpt-4.1-mini', prompt: { template: 'Greet {{ input.name }}' } } },
        { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: { greeting: '{{ nodes.greet.output }}' } } },
      ],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'greet', targetHandle: 'in' },
        { id: 'e2', source: 'greet', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ],
    };
    await h.call('POST', '/api/flows', prompted);
    await h.call('POST', '/api/flows/greets/publish', { slug: 'greets' });
    const { auth } = await publishWithKey();
    const made = await h.call<Body>('POST', '/v1/flows/greets', { name: 'Ana' }, auth);
    expect(made.status).toBe(200);
    expect(made.body.testProvider).toEqual([{ nodeId: 'greet', model: 'openai:gpt-4.1-mini', reason: 'no OPENAI_API_KEY is set (nor an openai key in Settings)' }]);
    expect(made.headers.get('X-Trellis-Test-Provider')).toBe('greet');
    const status = await h.call<Body>('GET', `/v1/flows/greets/runs/${made.body.runId}`, undefined, auth);
    expect(status.body.testProvider).toEqual(made.body.testProvider);
    expect(status.headers.get('X-Trellis-Test-Provider')).toBe('greet');

    // A model call in a run the flow starts (here a map over the flow, one child run per item) is marked too.
    const mapping = {
      schema: 'trellis.flow/v1',
      id: 'greets-all',
      name: 'Greets all',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
        { id: 'each', type: 'map', position: { x: 200, y: 0 }, config: { items: 'input.names', flow: { id: 'greets', input: { name: '{{ item }}' } } } },
        { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: '{{ nodes.each.output }}' } },
      ],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'each', targetHandle: 'in' },
        { id: 'e2', source: 'each', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ],
    };
    expect((await h.call('POST', '/api/flows', mapping)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/greets-all/publish', { slug: 'greets-all' })).status).toBe(201);
    const mapped = await h.call<Body>('POST', '/v1/flows/greets-all', { names: ['Ana'] }, auth);
    expect(mapped.status).toBe(200);
    expect(mapped.body.testProvider).toEqual([{ nodeId: 'greet', model: 'openai:gpt-4.1-mini', reason: 'no OPENAI_API_KEY is set (nor an openai key in Settings)' }]);
    expect(mapped.headers.get('X-Trellis-Test-Provider')).toBe('greet');

    // No model call, no marker.
    const plain = await h.call<Body>('POST', '/v1/flows/double', { n: 2 }, auth);
    expect(plain.body).not.toHaveProperty('testProvider');
    expect(plain.headers.get('X-Trellis-Test-Provider')).toBeNull();
    // The document says so.
    const doc = await h.call<Body>('GET', '/openapi.json');
    expect(doc.body.components.schemas.EndpointOutput.properties.testProvider).toMatchObject({ type: 'array', items: { $ref: '#/components/schemas/TestProviderStep' } });
  });

  it('checks the input against the flow input schema, naming the field', async () => {
    const { auth } = await publishWithKey();
    const missing = await h.call('POST', '/v1/flows/double', { email: 'a@b.co' }, auth);
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body).code).toBe('invalid_input');
    expect(errorOf(missing.body).message).toContain('n');
    const wrongType = await h.call('POST', '/v1/flows/double', { n: 'seven' }, auth);
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType.body).details?.problems[0].path).toBe('input.n');
    const malformed = await h.call('POST', '/v1/flows/double', '{n:', auth);
    expect(errorOf(malformed.body).code).toBe('invalid_json');
    expect((await h.call('POST', '/v1/flows/double', 'n=1', { ...auth, 'Content-Type': 'application/x-www-form-urlencoded' })).status).toBe(415);
  });

  it('refuses no key, a wrong key, a revoked key and a key for another slug', async () => {
    const { auth, keyId } = await publishWithKey();
    const none = await h.call('POST', '/v1/flows/double', { n: 1 });
    expect(none.status).toBe(401);
    expect(errorOf(none.body).code).toBe('missing_key');
    expect(none.headers.get('WWW-Authenticate')).toContain('Bearer');
    expect(errorOf((await h.call('POST', '/v1/flows/double', { n: 1 }, { Authorization: 'Bearer trl_nope' })).body).code).toBe('invalid_key');

    const other = await h.call<Body>('POST', '/api/keys', { name: 'other only', slugs: ['other'] });
    const forbidden = await h.call('POST', '/v1/flows/double', { n: 1 }, { Authorization: `Bearer ${other.body.secret}` });
    expect(forbidden.status).toBe(404); // issue 11: a key for other slugs is not told that this one exists

    expect((await h.call('POST', '/v1/flows/double', { n: 1 }, auth)).status).toBe(200);
    const keys = await h.call<Body>('GET', '/api/keys');
    expect(JSON.stringify(keys.body)).not.toContain(auth.Authorization.slice(7));
    expect((await h.call('DELETE', `/api/keys/${keyId}`)).status).toBe(204);
    const revoked = await h.call('POST', '/v1/flows/double', { n: 1 }, auth);
    expect(revoked.status).toBe(401);
    expect(errorOf(revoked.body).code).toBe('revoked_key');
    expect((await h.call('DELETE', `/api/keys/${keyId}`)).status).toBe(404);

    expect((await h.call('POST', '/v1/flows/nothing', { n: 1 }, auth)).status).toBe(401); // issue 11: a revoked key learns nothing of slugs
  });

  it('rate-limits per key with 429 and Retry-After', async () => {
    const { auth } = await publishWithKey({ rateLimit: { requests: 3, windowSeconds: 60 } });
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 5; i++) {
      last = await h.call('POST', '/v1/flows/double', { n: 1 }, auth);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(last!.headers.get('Retry-After'))).toBeGreaterThanOrEqual(1);
    expect(errorOf(last!.body).code).toBe('rate_limited');
  });

  it('applies the CORS settings of each published flow', async () => {
    const { auth } = await publishWithKey({ cors: { origins: ['https://app.example.com'] } });
    const preflight = await h.app.request('/v1/flows/double', { method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('Access-Control-Allow-Headers')).toContain('Authorization');
    const stranger = await h.app.request('/v1/flows/double', { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' } });
    expect(stranger.headers.get('Access-Control-Allow-Origin')).toBeNull();
    const call = await h.call('POST', '/v1/flows/double', { n: 1 }, { ...auth, Origin: 'https://app.example.com' });
    expect(call.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
    const refused = await h.call('POST', '/v1/flows/double', { n: 1 }, { Origin: 'https://app.example.com' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com');
  });

  it('publishes, lists and unpublishes, refusing bad slugs and taken ones', async () => {
    await publishWithKey();
    expect((await h.call('POST', '/api/flows/four/publish', { slug: 'Not A Slug' })).status).toBe(400);
    await h.call('POST', '/api/flows', approvalFlow());
    const taken = await h.call('POST', '/api/flows/needs-ok/publish', { slug: 'double' });
    expect(taken.status).toBe(409);
    const list = await h.call<Body>('GET', '/api/published');
    expect(list.body.items).toEqual([expect.objectContaining({ slug: 'double', flowId: 'four', version: 1, url: '/v1/flows/double' })]);
    expect((await h.call('DELETE', '/api/published/double')).status).toBe(204);
    expect((await h.call('DELETE', '/api/published/double')).status).toBe(404);
  });
});

describe('the editor and shutdown', () => {
  it('serves the built editor at / and its index for client-side paths, leaving API misses as JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-editor-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Trellis editor</title><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("editor")');
    const withEditor = await apiHarness({ editorDir: dir });
    try {
      const home = await withEditor.call<string>('GET', '/');
      expect(home.status).toBe(200);
      expect(home.body).toContain('Trellis editor');
      expect((await withEditor.call<string>('GET', '/flows/support-triage')).body).toContain('Trellis editor');
      const asset = await withEditor.app.request('/assets/app.js');
      expect(asset.status).toBe(200);
      expect(await asset.text()).toContain('editor');
      expect((await withEditor.call('GET', '/assets/missing.js')).status).toBe(404);
      expect(errorOf((await withEditor.call('GET', '/api/nothing')).body).code).toBe('not_found');
    } finally {
      await withEditor.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says plainly when the editor is not built', async () => {
    const page = await h.call<string>('GET', '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('editor is not built');
  });

  it('refuses new work with 503 while shutting down, but still answers reads', async () => {
    let stopping = false;
    const draining = await apiHarness({ isShuttingDown: () => stopping });
    try {
      await draining.call('POST', '/api/flows', fourNodeFlow('four'));
      stopping = true;
      const refused = await draining.call('POST', '/api/flows/four/runs', { input: { n: 1 } });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('Retry-After')).toBe('5');
      expect((await draining.call('GET', '/api/flows/four')).status).toBe(200);
    } finally {
      await draining.close();
    }
  });
});

describe('on PostgreSQL', () => {
  it('runs, approves, streams and serves a published flow the same way', async () => {
    const pg = await apiHarness({ postgres: true });
    try {
      expect((await pg.call<Body>('GET', '/healthz')).body.store).toBe('postgres');
      await pg.call('POST', '/api/flows', approvalFlow());
      const runId = (await pg.call<Body>('POST', '/api/flows/needs-ok/runs', { input: { amount: 9 } })).body.id as string;
      await pg.runUntil(runId, ['waiting']);
      const [approval] = (await pg.call<Body>('GET', '/api/approvals')).body.items;
      await pg.call('POST', `/api/approvals/${approval.id}`, { decision: 'approve', by: 'pg' });
      expect((await pg.runUntil(runId, ['succeeded'])).output).toEqual({ approved: true, payload: { amount: 9 }, by: 'pg' });
      const events = parseSse((await pg.call<string>('GET', `/api/runs/${runId}/events`, undefined, { Accept: 'text/event-stream', 'Last-Event-ID': '2' })).body);
      expect(events[0]?.id).toBe('3');
      expect(events.at(-1)?.event).toBe('run.completed');

      await pg.call('POST', '/api/flows', fourNodeFlow('four'));
      await pg.call('POST', '/api/flows/four/publish', { slug: 'double' });
      const { body: key } = await pg.call<Body>('POST', '/api/keys', { name: 'k' });
      const answer = await pg.call<Body>('POST', '/v1/flows/double', { n: 4 }, { Authorization: `Bearer ${key.secret}` });
      expect(answer.body).toMatchObject({ status: 'succeeded', output: { result: 8 } });
    } finally {
      await pg.close();
    }
  });
});

describe('first start', () => {
  it('loads the bundled example flows into a new database, once', async () => {
    const loaded = await loadExamplesOnce(h.store, REPO_EXAMPLES, h.log);
    expect(loaded.sort()).toEqual(['content-pipeline', 'research-agent', 'research-orchestrator', 'support-handoffs', 'support-triage']);
    const flows = (await h.call<Body>('GET', '/api/flows')).body.items.map((f: Body) => f.id);
    expect(flows.sort()).toEqual(['content-pipeline', 'research-agent', 'research-orchestrator', 'support-handoffs', 'support-triage']);
    await h.call('DELETE', '/api/flows/research-agent');
    expect(await loadExamplesOnce(h.store, REPO_EXAMPLES, h.log)).toEqual([]);
    expect((await h.call<Body>('GET', '/api/flows')).body.items).toHaveLength(4);
  });

  it('fills the prompt library from the bundled example prompts, once', async () => {
    const created = await loadExamplePromptsOnce(h.store, REPO_EXAMPLES, h.log);
    expect(created).toContain('ticket-classifier');
    const role = (await h.call<Body>('GET', '/api/prompts/support-agent-role')).body;
    expect(role).toMatchObject({ latestVersion: 2, tags: expect.arrayContaining(['role']) });
    expect((await h.call<Body>('GET', '/api/prompts?tag=handoff')).body.items.map((p: Body) => p.name).sort()).toEqual(['escalate-to-human', 'thread-summary']);
    await h.call('DELETE', '/api/prompts/ticket-classifier');
    expect(await loadExamplePromptsOnce(h.store, REPO_EXAMPLES, h.log)).toEqual([]);
    expect((await h.call<Body>('GET', '/api/prompts/ticket-classifier')).status).toBe(404);
  });
});

describe('docs and health', () => {
  it('describes every route and each published flow in /openapi.json, and serves /docs and /healthz', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    await h.call('POST', '/api/flows/four/publish', { slug: 'double' });
    const doc = await h.call<Body>('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    for (const path of ['/api/flows', '/api/flows/{id}', '/api/flows/{id}/versions', '/api/validate', '/api/flows/{id}/runs', '/api/runs', '/api/runs/{id}', '/api/runs/{id}/events', '/api/runs/{id}/cancel', '/api/approvals', '/api/approvals/{id}', '/api/flows/{id}/publish', '/api/published', '/api/keys', '/api/keys/{id}']) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    // The trace is the real union of run events (packages/schema), each event by its name.
    const events = doc.body.paths['/api/runs/{id}/events'].get.responses['200'].content['application/json'].schema;
    expect(events).toEqual({ $ref: '#/components/schemas/EventPage' });
    const union = doc.body.components.schemas.EventPage.properties.items.items;
    expect(union).toEqual({ $ref: '#/components/schemas/RunEvent' });
    const variants = (doc.body.components.schemas.RunEvent.oneOf as Body[]).map((v) => v.$ref);
    expect(variants).toHaveLength(16);
    expect(variants).toContain('#/components/schemas/NodeGuardrailEvent');
    expect(variants).toContain('#/components/schemas/NodeHandoffEvent');
    expect(variants).toContain('#/components/schemas/NodeCompletedEvent');
    expect(doc.body.components.schemas.NodeCompletedEvent.properties.data.properties.usage).toEqual({ $ref: '#/components/schemas/Usage' });
    expect(doc.body.components.schemas.Approval.properties.status).toEqual({ $ref: '#/components/schemas/ApprovalStatus' });
    expect(doc.body.paths['/api/flows'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/FlowSaved' });
    // Each error answer names the codes the catalog gives its status.
    expect(doc.body.paths['/api/flows/{id}'].get.responses['404'].description).toContain('`not_found`');

    const endpoint = doc.body.paths['/v1/flows/double'].post;
    expect(endpoint.requestBody.content['application/json'].schema).toMatchObject({ required: ['n'], properties: { n: { type: 'number' } } });
    expect(endpoint.responses['200'].content['application/json'].schema.properties.output).toMatchObject({ type: 'object', properties: { result: {} } });
    // The answers' shapes are the contract's, listed once and named.
    expect(endpoint.responses['200'].content['application/json'].schema.allOf).toEqual([{ $ref: '#/components/schemas/EndpointOutput' }]);
    expect(endpoint.responses['202'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/EndpointAccepted' });
    expect(doc.body.components.schemas.EndpointAccepted.properties.waiting.items).toEqual({ $ref: '#/components/schemas/EndpointWait' });
    expect(doc.body.components.schemas.EndpointRunStatus.properties.status).toEqual({ $ref: '#/components/schemas/RunStatus' });

    const promising = fourNodeFlow('promising');
    const promised = { type: 'object', properties: { result: { type: 'number' } }, required: ['result'] };
    (promising.nodes[3] as { config: Record<string, unknown> }).config.schema = promised;
    await h.call('POST', '/api/flows', promising);
    await h.call('POST', '/api/flows/promising/publish', { slug: 'promising' });
    const again = await h.call<Body>('GET', '/openapi.json');
    expect(again.body.paths['/v1/flows/promising'].post.responses['200'].content['application/json'].schema.properties.output).toEqual(promised);

    const docs = await h.call<string>('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('/openapi.json');
    expect(docs.body).toContain('/docs/scalar.js');
    const script = await h.app.request('/docs/scalar.js');
    expect(script.status).toBe(200);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await h.call<Body>('GET', '/healthz')).body).toMatchObject({ status: 'ok', store: 'sqlite' });
  });

  it("documents a flow's 200 as its runs answer it, whichever output nodes run", async () => {
    const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.secret}` };
    const node = (id: string, type: string, config: unknown) => ({ id, type, position: { x: 0, y: 0 }, config });
    const wire = (source: string, sourceHandle: string, target: string) => ({ id: `${source}-${sourceHandle}-${target}`, source, sourceHandle, target, targetHandle: 'in' });
    const input = node('in', 'input', { schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } });
    const big = node('big', 'condition', { branches: [{ id: 'yes', when: 'input.n > 10' }] });
    // Both ends of a condition never run together; a summary beside them always runs.
    const flows = {
      exclusive: { nodes: [input, big, node('large', 'output', { value: { size: 'large' } }), node('small', 'output', { value: { size: 'small', n: '{{ input.n }}' } })], edges: [wire('in', 'out', 'big'), wire('big', 'yes', 'large'), wire('big', 'else', 'small')] },
      together: { nodes: [input, node('a', 'output', { value: { a: 1 } }), node('b', 'output', { value: 'b' })], edges: [wire('in', 'out', 'a'), wire('in', 'out', 'b')] },
      mixed: { nodes: [input, big, node('large', 'output', { value: { size: 'large' } }), node('always', 'output', { value: { n: '{{ input.n }}' } })], edges: [wire('in', 'out', 'big'), wire('big', 'yes', 'large'), wire('in', 'out', 'always')] },
    };
    for (const [id, parts] of Object.entries(flows)) {
      await h.call('POST', '/api/flows', { schema: 'trellis.flow/v1', id, name: id, ...parts });
      expect((await h.call('POST', `/api/flows/${id}/publish`, { slug: id })).status).toBe(201);
    }
    const doc = (await h.call<Body>('GET', '/openapi.json')).body;
    const outputOf = (slug: string) => doc.paths[`/v1/flows/${slug}`].post.responses['200'].content['application/json'].schema.properties.output as Record<string, unknown>;
    expect(outputOf('exclusive').anyOf).toEqual([
      { type: 'object', properties: { size: { type: 'string' } } },
      // `n` may be anything: said with every type, as the document says every schema's type.
      { type: 'object', properties: { size: { type: 'string' }, n: { type: ['null', 'boolean', 'string', 'number', 'integer', 'object', 'array'] } } },
    ]);
    expect(outputOf('together')).toMatchObject({ type: 'object', required: ['a', 'b'], properties: { a: { type: 'object' }, b: { type: 'string' } } });
    expect(outputOf('mixed').anyOf).toHaveLength(3);

    // Every answer a real run gives matches what the document says, and the wrong shapes do not.
    const cases: Array<[string, number, unknown]> = [
      ['exclusive', 20, { size: 'large' }],
      ['exclusive', 1, { size: 'small', n: 1 }],
      ['together', 1, { a: { a: 1 }, b: 'b' }],
      ['mixed', 20, { large: { size: 'large' }, always: { n: 20 } }],
      ['mixed', 1, { n: 1 }],
    ];
    for (const [slug, n, expected] of cases) {
      const answer = await h.call<Body>('POST', `/v1/flows/${slug}`, { n }, auth);
      expect(answer.body.output).toEqual(expected);
      expect(validateJson(answer.body.output, outputOf(slug))).toEqual([]);
    }
    expect(validateJson({ size: 7 }, outputOf('exclusive'))).not.toEqual([]);
    expect(validateJson({ a: { a: 1 } }, outputOf('together'))).not.toEqual([]);
  });

  it('serves /docs loading nothing from the internet, with no hosted buttons and no doubled tag', async () => {
    const docs = await h.call<string>('GET', '/docs');
    expect(docs.status).toBe(200);
    // Only the XML/SVG namespaces may look like addresses; nothing is fetched from anywhere else.
    const urls = (docs.body.match(/https?:\/\/[^\s"'<>)]+/g) ?? []).filter((u) => !u.startsWith('http://www.w3.org/'));
    expect(urls).toEqual([]);
    expect(docs.body).toContain('<script src="/docs/scalar.js">');
    for (const setting of ['"withDefaultFonts":false', '"proxyUrl":""', '"hideClientButton":true', '"showDeveloperTools":"never"', '"telemetry":false']) {
      expect(docs.body.replaceAll('&quot;', '"').replace(/":\s+/g, '":')).toContain(setting);
    }
    // Scalar lists the schemas under "Models": no tag of ours is called that too.
    const doc = await h.call<Body>('GET', '/openapi.json');
    const tags = Object.values(doc.body.paths as Record<string, Record<string, { tags?: string[] }>>).flatMap((ops) => Object.values(ops).flatMap((op) => op.tags ?? []));
    expect(tags).not.toContain('Models');
    // Every schema says its type (an "any" one lists all seven): Scalar's reference flags one that does not.
    const typeless: string[] = [];
    const walk = (schema: unknown, at: string): void => {
      if (!schema || typeof schema !== 'object') return;
      const s = schema as Body;
      if (s.type === undefined && s.$ref === undefined) typeless.push(at);
      for (const key of ['items', 'not', 'additionalProperties']) walk(s[key], `${at}/${key}`);
      for (const key of ['anyOf', 'oneOf', 'allOf']) (s[key] as unknown[] | undefined)?.forEach((m, i) => walk(m, `${at}/${key}/${i}`));
      for (const [name, p] of Object.entries((s.properties ?? {}) as Body)) walk(p, `${at}/properties/${name}`);
    };
    for (const [name, schema] of Object.entries(doc.body.components.schemas as Body)) walk(schema, name);
    expect(typeless).toEqual([]);
    expect(doc.body.components.schemas.EndpointWait.properties.payload.type).toEqual(['null', 'boolean', 'string', 'number', 'integer', 'object', 'array']);
    // The published flows' own schemas are left as they were written: the document has its own copies.
    const anyInput = fourNodeFlow('any-input') as Body;
    const entry = (anyInput.nodes as Body[]).find((n) => n.type === 'input')!;
    entry.config = { ...entry.config, schema: { type: 'object', properties: { n: {} } } };
    expect((await h.call('POST', '/api/flows', anyInput)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/any-input/publish', { slug: 'any-input' })).status).toBe(201);
    const typed = (await h.call<Body>('GET', '/openapi.json')).body.paths['/v1/flows/any-input'].post.requestBody.content['application/json'].schema;
    expect(typed.properties.n.type).toEqual(['null', 'boolean', 'string', 'number', 'integer', 'object', 'array']);
    const held = (await h.service.flowVersion('any-input', 1)).document.nodes.find((n) => n.type === 'input')!;
    expect(held.config.schema).toEqual({ type: 'object', properties: { n: {} } });
    // The browser's own request for an icon is answered (a 404 in the reference's console otherwise).
    const icon = await h.app.request('/favicon.ico');
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('logs at debug each step of a run and the request that started it, with the run id', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    h.log.level = 'debug';
    try {
      const runId = (await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 1 } })).body.id as string;
      await h.runUntil(runId, ['succeeded']);
      const entries = h.lines.map((l) => JSON.parse(l) as Body);
      expect(entries.filter((e) => e.msg === 'request' && e.path === '/api/flows/four/runs')).toEqual([expect.objectContaining({ status: 201, runId, level: 20 })]);
      const steps = entries.filter((e) => e.runId === runId && e.msg === 'node.completed');
      expect(steps.map((e) => e.nodeId)).toEqual(['in', 'big', 'double', 'out']);
      expect(steps.every((e) => e.level === 20)).toBe(true);
      expect(entries.filter((e) => e.runId === runId && e.level === 30).map((e) => e.msg)).toEqual(['run.completed']);
    } finally {
      h.log.level = 'info';
    }
  });
});
