import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { MAX_JSON_DEPTH } from '@trellis/schema';
import { apiHarness, fourNodeFlow } from './support/api.js';
import { harness } from './support/harness.js';
import { flow, input, output } from '@trellis/test-support/flows';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

const DEEP = 5000;
const deepArray = () => '['.repeat(DEEP) + ']'.repeat(DEEP);
const deepObject = (key: string) => `{"${key}":`.repeat(DEEP) + '1' + '}'.repeat(DEEP);
const TOKEN = 'an-admin-token-for-hostile-tests';
const admin = { Authorization: `Bearer ${TOKEN}` };

describe('JSON nested 5,000 levels deep', () => {
  let h: Harness;
  let secret: string;
  beforeEach(async () => {
    h = await apiHarness({ adminToken: TOKEN });
    expect((await h.call('POST', '/api/flows', fourNodeFlow('four'), admin)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/four/publish', { slug: 'double' }, admin)).status).toBe(201);
    secret = (await h.call<Body>('POST', '/api/keys', { name: 'k' }, admin)).body.secret as string;
  });
  afterEach(async () => {
    await h.close();
  });

  /** Every route of the OpenAPI document that takes a body, with real ids, plus the published endpoint. */
  async function routesWithBodies(): Promise<Array<{ method: string; path: string; headers: Record<string, string> }>> {
    const doc = await h.call<Body>('GET', '/openapi.json', undefined, admin);
    const routes: Array<{ method: string; path: string; headers: Record<string, string> }> = [];
    for (const [path, operations] of Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of ['post', 'put', 'patch']) {
        if (!operations[method]) continue;
        const real = path.replace('{id}', path.startsWith('/api/approvals') || path.startsWith('/api/runs') || path.startsWith('/api/keys') ? 'some-id' : 'four').replace('{name}', 'a-prompt').replace('{slug}', 'double').replace('{version}', '1');
        routes.push({ method: method.toUpperCase(), path: real, headers: real.startsWith('/v1/') ? { Authorization: `Bearer ${secret}` } : admin });
      }
    }
    return routes;
  }

  it('answers 400 naming the limit on every route that takes a body, never 500', async () => {
    const routes = await routesWithBodies();
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    for (const expected of ['POST /api/flows', 'PUT /api/flows/four', 'POST /api/validate', 'POST /api/flows/four/runs', 'POST /api/approvals/some-id', 'POST /api/prompts/import', 'POST /api/prompts', 'POST /api/prompts/a-prompt/try', 'POST /api/flows/four/publish', 'POST /api/keys', 'POST /v1/flows/double']) {
      expect(paths).toContain(expected);
    }
    for (const { method, path, headers } of routes) {
      for (const body of [deepArray(), deepObject('input'), `{"input":{"message":"hi","n":1,"extra":${deepArray()}}}`]) {
        const answer = await h.call<Body>(method, path, body, headers);
        expect(answer.status, `${method} ${path}`).toBe(400);
        expect(answer.body.error.code, `${method} ${path}`).toBe('too_deep');
        expect(answer.body.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels, the limit`);
        expect(answer.body.error.details.limit).toBe(MAX_JSON_DEPTH);
      }
    }
    expect(h.lines.join('\n')).not.toContain('request failed');
  });

  it('names the field that nests too deep', async () => {
    const run = await h.call<Body>('POST', '/api/flows/four/runs', `{"input":{"n":1,"extra":${deepObject('a')}}}`, admin);
    expect(run.body.error.message).toBe(`body.input.extra.a.a.a.a… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
    expect(run.body.error.details.problems[0].path).toMatch(/^body\.input\.extra\.a/);
  });

  it('answers the published endpoint 400 for a deep body without a Content-Type too, and keeps serving', async () => {
    const res = await h.app.request('/v1/flows/double', { method: 'POST', body: new TextEncoder().encode(deepArray()), headers: { Authorization: `Bearer ${secret}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as Body).error.code).toBe('too_deep');
    const ok = await h.call<Body>('POST', '/v1/flows/double', { n: 21 }, { Authorization: `Bearer ${secret}` });
    expect(ok.body).toMatchObject({ status: 'succeeded', output: { result: 42 } });
  });

  it('accepts a body nested exactly to the limit', async () => {
    let extra: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 2; i++) extra = [extra];
    const run = await h.call<Body>('POST', '/api/flows/four/runs', { input: { n: 1, extra } }, admin);
    expect(run.status).toBe(201);
    for (let status = ''; status !== 'succeeded'; ) {
      status = (await h.call<Body>('GET', `/api/runs/${run.body.id}`, undefined, admin)).body.status as string;
      expect(['queued', 'running', 'succeeded']).toContain(status);
      await new Promise((r) => setTimeout(r, 10));
    }
  });
});

describe('the CLI with JSON nested 5,000 levels deep', () => {
    const fixture = fileURLToPath(new URL('./fixtures/triage.flow.json', import.meta.url));
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-hostile-'));


  it('refuses a flow file with its problem naming the node and the limit, in validate and run', async () => {
    const flow = JSON.parse(readFileSync(fixture, 'utf8')) as { nodes: Array<{ id: string; config: Record<string, unknown> }> };
    flow.nodes[0]!.config.description = '@DEEP@';
    const flowFile = join(scratch, 'deep.flow.json');
    writeFileSync(flowFile, JSON.stringify(flow).replace('"@DEEP@"', deepArray()));
    const [validate, run] = await Promise.all([trellis(['validate', flowFile]), trellis(['run', flowFile])]);
    expect(validate.code).toBe(1);
    expect(validate.stdout).toContain(`node "${flow.nodes[0]!.id}": nodes[0].config.description[0][0]… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
    for (const r of [validate, run]) expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |Maximum call stack/);
  });

  it('refuses --input and a mocks file with one line naming the option and the limit', async () => {
    const mocksFile = join(scratch, 'mocks.json');
    writeFileSync(mocksFile, deepArray());
    const [input, mocks] = await Promise.all([trellis(['run', fixture, '--input', deepObject('message')]), trellis(['run', fixture, '--mocks-file', mocksFile])]);
    expect(input.code).toBe(2);
    expect(input.stderr.trim()).toBe(`trellis: --input is nested too deep: message.message.message.message.message.message… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
    expect(mocks.code).toBe(2);
    expect(mocks.stderr).toContain(`trellis: mocks file ${mocksFile} is nested too deep: [0][0][0][0][0][0]…`);
    for (const r of [input, mocks]) expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |Maximum call stack/);
  });
});

describe('the engine with JSON nested 5,000 levels deep', () => {
  const deep = () => JSON.parse(deepArray()) as unknown;
  const echo = () => flow([input(), output('out', { x: '{{ input }}' })], [['in', 'out']]);

  it('refuses such input, mocks or flow with a coded error naming the limit, before the run exists', async () => {
    const { engine, events } = harness();
    await expect(engine.start(echo(), { input: { deep: deep() } })).rejects.toMatchObject({ code: 'invalid_input', message: `input.deep[0][0][0][0][0]… nests deeper than ${MAX_JSON_DEPTH} levels, the limit` });
    await expect(engine.start(echo(), { input: {}, mocks: { out: deep() } })).rejects.toMatchObject({ code: 'invalid_mocks', message: expect.stringContaining(`mocks.out[0]`) });
    const deepFlow = echo();
    (deepFlow.nodes[1] as { config: Record<string, unknown> }).config.value = deep();
    await expect(engine.start(deepFlow, { input: {} })).rejects.toMatchObject({ code: 'invalid_flow', message: expect.stringContaining(`nests deeper than ${MAX_JSON_DEPTH} levels, the limit`) });
    expect(events).toEqual([]); // no run was started
    const ok = await engine.start(echo(), { input: { n: 1 } });
    expect(ok.status).toBe('succeeded');
  });

  it('fails an HTTP tool step whose server answers such JSON, naming the limit, and nothing else breaks', async () => {
    const server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(deepArray());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/deep`;
      const { engine } = harness({ network: { allowPrivateNetwork: true } });
      const f = flow([input(), { id: 'fetch', type: 'tool', config: { tool: 'http', http: { method: 'GET', url } } }, output('out', { got: '{{ nodes.fetch.output }}' })], [['in', 'fetch'], ['fetch', 'out']]);
      const result = await engine.start(f, { input: {} });
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ code: 'http_too_deep', message: expect.stringContaining(`is nested too deep: body[0][0][0][0][0][0]… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`) });
    } finally {
      server.close();
    }
  });
});
