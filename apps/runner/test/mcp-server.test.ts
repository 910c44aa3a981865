import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, approvalFlow, fourNodeFlow } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- results are checked field by field

/** input (a bare string, not an object) → output: the tool takes it as the argument `input`. */
const echoFlow = {
  schema: 'trellis.flow/v1',
  id: 'echo',
  name: 'Echo',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'string', minLength: 1 } } },
    { id: 'out', type: 'output', position: { x: 200, y: 0 }, config: { value: { said: '{{ input }}' } } },
  ],
  edges: [{ id: 'e1', source: 'in', sourceHandle: 'out', target: 'out', targetHandle: 'in' }],
};

/** input → an HTTP call to a private address, which the runner refuses: the run fails. */
const failingFlow = {
  schema: 'trellis.flow/v1',
  id: 'fails',
  name: 'Fails',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
    { id: 'fetch', type: 'tool', position: { x: 200, y: 0 }, config: { tool: 'http', http: { method: 'GET', url: 'http://127.0.0.1:9/private' } } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: '{{ nodes.fetch.output }}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', sourceHandle: 'out', target: 'fetch', targetHandle: 'in' },
    { id: 'e2', source: 'fetch', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
  ],
};

let h: Harness;
let server: ServerType;
let base: string;
const clients: Client[] = [];

/** A runner on a real socket (the SDK's client speaks HTTP), with "four" as "double", "needs-ok" as "refund", and "echo". */
async function start(options: Parameters<typeof apiHarness>[0] = {}) {
  h = await apiHarness(options);
  for (const flow of [fourNodeFlow('four'), approvalFlow('needs-ok'), echoFlow, failingFlow]) expect((await h.call('POST', '/api/flows', flow)).status).toBe(201);
  for (const [flow, slug] of [['four', 'double'], ['needs-ok', 'refund'], ['echo', 'echo'], ['fails', 'fails']]) {
    expect((await h.call('POST', `/api/flows/${flow}/publish`, { slug })).status).toBe(201);
  }
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
  });
  base = `http://127.0.0.1:${port}`;
}
async function stop() {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
}
beforeEach(() => start());
afterEach(() => stop());

async function newKey(options: { slugs?: string[]; rateLimit?: unknown } = {}): Promise<string> {
  const key = await h.call<Body>('POST', '/api/keys', { name: 'mcp test', ...options });
  expect(key.status).toBe(201);
  return key.body.secret as string;
}

/** The official SDK client, connected (initialize and its notification) with `Authorization: Bearer <secret>`. */
async function connect(secret: string | undefined): Promise<Client> {
  const client = new Client({ name: 'trellis-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL('/mcp', base), { requestInit: { headers: secret === undefined ? {} : { Authorization: `Bearer ${secret}` } } });
  await client.connect(transport);
  clients.push(client);
  return client;
}

const call = (client: Client, name: string, args: Record<string, unknown>) => client.callTool({ name, arguments: args }) as Promise<CallToolResult>;
const textOf = (result: CallToolResult) => result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

describe('the MCP server at /mcp', () => {
  it("lists exactly the published flows the key may call, each with the flow's input schema", async () => {
    const every = await connect(await newKey());
    const { tools } = await every.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['double', 'echo', 'fails', 'refund']);
    const double = tools.find((t) => t.name === 'double')!;
    expect(double.title).toBe('Four nodes');
    expect(double.description).toContain('Four nodes: Input, condition, transform, output');
    expect(double.inputSchema).toEqual((fourNodeFlow().nodes as Body[]).find((n) => n.id === 'in')!.config.schema);
    // An input that is not an object is offered as the argument `input`.
    expect(tools.find((t) => t.name === 'echo')!.inputSchema).toEqual({ type: 'object', properties: { input: { type: 'string', minLength: 1 } }, required: ['input'] });

    const limited = await connect(await newKey({ slugs: ['double'] }));
    expect((await limited.listTools()).tools.map((t) => t.name)).toEqual(['double']);
  });

  it('runs a flow and answers its output, as text and as structured content', async () => {
    const client = await connect(await newKey());
    const result = await call(client, 'double', { n: 21 });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ result: 42 });
    expect(JSON.parse(textOf(result))).toEqual({ result: 42 });
    const runId = result._meta?.['trellis/runId'] as string;
    expect((await h.call<Body>('GET', `/api/runs/${runId}`)).body).toMatchObject({ status: 'succeeded', labels: { source: 'mcp', slug: 'double' } });

    const echoed = await call(client, 'echo', { input: 'hello' });
    expect(echoed.structuredContent).toEqual({ said: 'hello' });
  });

  it("answers a failed run with a tool error carrying the run's error and id", async () => {
    const client = await connect(await newKey());
    const result = await call(client, 'fails', {});
    expect(result.isError).toBe(true);
    const body = result.structuredContent as Body;
    expect(body).toMatchObject({ status: 'failed', runId: expect.any(String), error: { message: expect.stringMatching(/private/) } });
    expect(textOf(result)).toBe(`the run failed: ${body.error.message} (run ${body.runId})`);
    expect((await h.call<Body>('GET', `/api/runs/${body.runId}`)).body.status).toBe('failed');
  });

  it('answers invalid arguments with a tool error naming the field, and starts no run', async () => {
    const client = await connect(await newKey());
    const wrongType = await call(client, 'double', { n: 'seven' });
    expect(wrongType.isError).toBe(true);
    expect(textOf(wrongType)).toMatch(/input\.n/);
    expect(wrongType.structuredContent).toMatchObject({ code: 'invalid_input', details: { problems: [expect.objectContaining({ path: 'input.n' })] } });
    const missing = await call(client, 'double', {});
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/\bn\b/);
    const noInput = await call(client, 'echo', {});
    expect(noInput.isError).toBe(true);
    expect((await h.call<Body>('GET', '/api/runs')).body.items).toHaveLength(0);
  });

  it('answers a run that waits for a person with its status and where to answer; approving it finishes the run', async () => {
    const secret = await newKey();
    const client = await connect(secret);
    const result = await call(client, 'refund', { amount: 10 });
    expect(result.isError).toBeFalsy();
    const body = result.structuredContent as Body;
    expect(JSON.parse(textOf(result))).toEqual(body);
    expect(body).toMatchObject({ status: 'waiting', statusUrl: `${base}/v1/flows/refund/runs/${body.runId}` });
    expect(body.waiting).toEqual([expect.objectContaining({ kind: 'approval', message: 'Refund 10?', answerUrl: `${base}/api/approvals/${body.waiting[0].id}` })]);

    // The same waits, URLs aside, as the published endpoint's status answer shows them.
    const status = await h.call<Body>('GET', `/v1/flows/refund/runs/${body.runId}`, undefined, { Authorization: `Bearer ${secret}` });
    expect(status.body.waiting).toEqual(body.waiting.map((w: Body) => ({ ...w, answerUrl: new URL(w.answerUrl).pathname })));

    const approved = await h.call('POST', new URL(body.waiting[0].answerUrl).pathname, { decision: 'approve' });
    expect(approved.status).toBe(200);
    const run = await h.runUntil(body.runId, ['succeeded']);
    expect(run.output).toMatchObject({ approved: true });
  });

  it('refuses a request without a key or with a wrong one, before anything is listed', async () => {
    await expect(connect(undefined)).rejects.toThrow(/missing_key.*Authorization: Bearer <key>/);
    await expect(connect('trl_not-a-key')).rejects.toThrow(/invalid_key/);
    const raw = await fetch(new URL('/mcp', base), { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: 'Bearer trl_nope' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    expect(raw.status).toBe(401);
    expect(raw.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
    expect(((await raw.json()) as Body).error.code).toBe('invalid_key');
  });

  it('refuses a body that is not JSON, or not said to be, as the published endpoint does', async () => {
    const headers = { Accept: 'application/json, text/event-stream', Authorization: `Bearer ${await newKey()}` };
    const post = (body: string, type?: string) => fetch(new URL('/mcp', base), { method: 'POST', headers: { ...headers, ...(type ? { 'Content-Type': type } : {}) }, body });
    const plain = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', 'text/plain');
    expect(plain.status).toBe(415);
    expect(((await plain.json()) as Body).error.code).toBe('unsupported_media_type');
    const broken = await post('{"jsonrpc":', 'application/json');
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as Body).error.code).toBe('invalid_json');
    const deep = await post('['.repeat(5000) + ']'.repeat(5000), 'application/json');
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as Body).error.code).toBe('too_deep');
  });

  it('lets a key limited to one slug call no other, telling it nothing of which slugs exist', async () => {
    const client = await connect(await newKey({ slugs: ['double'] }));
    const refused = call(client, 'refund', { amount: 10 });
    await expect(refused).rejects.toThrow(/no tool "refund"/);
    const notAllowed = await refused.then(String, (e: Error) => e.message);
    const unknown = await call(client, 'no-such-slug', {}).then(String, (e: Error) => e.message);
    expect(notAllowed.replace('refund', 'X')).toBe(unknown.replace('no-such-slug', 'X'));
    expect((await h.call<Body>('GET', '/api/runs')).body.items).toHaveLength(0);
    expect((await call(client, 'double', { n: 1 })).structuredContent).toEqual({ result: 2 });
  });

  it("counts every request against the key's rate limit", async () => {
    const client = await connect(await newKey({ rateLimit: { requests: 3, windowSeconds: 60 } })); // initialize and its notification
    await client.listTools();
    await expect(client.listTools()).rejects.toThrow(/rate_limited/);

    // A batch counts each of its messages: two calls in one request are two requests.
    const secret = await newKey({ rateLimit: { requests: 1, windowSeconds: 60 } });
    const batch = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'double', arguments: { n: id } } });
    const raw = await fetch(new URL('/mcp', base), { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${secret}` }, body: JSON.stringify([batch(1), batch(2)]) });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('Retry-After')).toBeTruthy();
    expect((await h.call<Body>('GET', '/api/runs')).body.items).toHaveLength(0);
  });

  it('refuses arguments larger than the body limit with a clear error, and goes on serving', async () => {
    const client = await connect(await newKey());
    await expect(call(client, 'double', { n: 1, email: 'x'.repeat(100 * 1024) })).rejects.toThrow(/payload_too_large.*larger than 65536 bytes/);
    expect((await call(client, 'double', { n: 2 })).structuredContent).toEqual({ result: 4 });
    expect((await h.call<Body>('GET', '/api/runs')).body.items).toHaveLength(1);
  });

  it('answers a run still going past the sync bound with its status URL, not an error', async () => {
    await stop();
    await start({ syncTimeoutMs: 0 });
    const client = await connect(await newKey());
    const result = await call(client, 'double', { n: 3 });
    expect(result.isError).toBeFalsy();
    const body = result.structuredContent as Body;
    expect(body).toMatchObject({ status: 'running', statusUrl: `${base}/v1/flows/double/runs/${body.runId}`, message: expect.stringMatching(/poll statusUrl/) });
    expect((await h.runUntil(body.runId, ['succeeded'])).output).toEqual({ result: 6 });
  });

  it('answers a GET (a server-initiated stream) with 405, as the spec allows a stateless server', async () => {
    const res = await fetch(new URL('/mcp', base), { headers: { Accept: 'text/event-stream', Authorization: `Bearer ${await newKey()}` } });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('POST');
  });
});
