/**
 * The tool kind's executor (transform, asTool, http), run with a hand-built ExecContext
 * (test/support/kind-context.ts); HTTP goes to a local server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrellisError } from '../../errors.js';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { ToolConfig } from './spec.js';
import { toolExecutor } from './execute.js';

describe('tool: transform', () => {
  it('evaluates a JSONata expression over the scope', async () => {
    const config = ToolConfig.parse({ tool: 'transform', expression: "{ 'total': $sum(input.items.price), 'count': $count(input.items) }" });
    const r = done(await toolExecutor.execute(ctx(config, { input: { items: [{ price: 2 }, { price: 3.5 }] } })));
    expect(r.output).toEqual({ total: 5.5, count: 2 });
  });

  it('`source` picks what the expression reads', async () => {
    const config = ToolConfig.parse({ tool: 'transform', source: '{{ nodes.fetch.output.body }}', expression: '$sum(items.price)' });
    const r = done(await toolExecutor.execute(ctx(config, { nodes: { fetch: { output: { body: { items: [{ price: 1 }, { price: 4 }] } } } } })));
    expect(r.output).toBe(5);
  });

  /** Runs a transform step; returns how it ended and how long it took. */
  async function timed(expression: string) {
    const config = ToolConfig.parse({ tool: 'transform', expression });
    const started = Date.now();
    try {
      const r = await toolExecutor.execute(ctx(config, {}));
      return { ms: Date.now() - started, output: r.status === 'done' ? r.output : undefined, error: undefined };
    } catch (error) {
      return { ms: Date.now() - started, output: undefined, error: error as TrellisError };
    }
  }

  // Finite expressions that run past the limits (≈0.2 s and ≈4 s with no limits at all), so a
  // missing limit shows up as a failing test rather than a hung process.
  const DEEP = '($f := function($x){ $x >= 2000 ? 0 : 1 + $f($x + 1) }; $f(0))';
  const LONG = '($f := function($x){ $x >= 400000 ? $x : $f($x + 1) }; $f(0))';

  it('a deep (finite) recursion stops at the depth limit', async () => {
    const r = await timed(DEEP);
    expect(r.output, 'the expression ran to the end: no depth limit applied').toBeUndefined();
    expect(r.error?.code).toBe('transform_failed');
    expect(r.ms).toBeLessThan(3_000);
  });

  it('a long (finite) loop stops at the time limit', async () => {
    const r = await timed(LONG);
    expect(r.output, 'the expression ran to the end: no time limit applied').toBeUndefined();
    expect(r.error?.code).toBe('transform_failed');
    expect(r.ms).toBeLessThan(3_000);
  });

  it('infinite recursion fails with a bounded-time error', async () => {
    // JSONata evaluates on promises alone: an unbounded expression starves the event loop, so no
    // timer (not even the test's own timeout) could stop it. Only run it once the limits are seen to work.
    for (const canary of [DEEP, LONG]) {
      const r = await timed(canary);
      if (r.error === undefined) throw new Error(`transform limits do not apply (${canary} completed), so an infinite expression would hang the process`);
    }
    for (const expression of ['($f := function($x){ $f($x) }; $f(1))', '($f := function($x){ 1 + $f($x) }; $f(1))']) {
      const r = await timed(expression);
      expect(r.error?.code).toBe('transform_failed');
      expect(r.error?.message).toMatch(/deep|long|time|stack|depth/i);
      expect(r.ms).toBeLessThan(3_000);
    }
  });
});

describe('tool: asTool', () => {
  it('derives the arguments schema of an http tool from {{ args.x }}', () => {
    const config = ToolConfig.parse({
      tool: 'http',
      name: 'lookup_account',
      description: 'Looks up an account',
      http: { method: 'POST', url: 'https://api.example.com/accounts/{{ args.id }}', headers: { 'x-region': '{{args.region}}' }, body: { note: '{{ args.note }}' } },
    });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 't', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } })!;
    expect(def.name).toBe('lookup_account');
    expect(def.description).toBe('Looks up an account');
    expect(def.requiresApproval).toBe(false);
    expect(def.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const props = (def.inputSchema as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(props).sort()).toEqual(['id', 'note', 'region']);
    expect(props.id).toEqual({ type: 'string' });
    expect([...(def.inputSchema as { required: string[] }).required].sort()).toEqual(['id', 'note', 'region']);
  });

  it('a declared parameters schema wins, and the name defaults to the node id', () => {
    const parameters = { type: 'object', properties: { id: { type: 'integer' } } };
    const config = ToolConfig.parse({ tool: 'http', parameters, requiresApproval: true, http: { url: 'https://x.example/{{ args.id }}' } });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 'fetch', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } })!;
    expect(def.name).toBe('fetch');
    expect(def.inputSchema).toEqual(parameters);
    expect(def.requiresApproval).toBe(true);
  });

  it('a transform tool run by an agent sees its arguments as `args`', async () => {
    const config = ToolConfig.parse({ tool: 'transform', expression: 'args.a + args.b' });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 'add', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } })!;
    await expect(def.execute({ a: 2, b: 3 }, new AbortController().signal)).resolves.toBe(5);
  });
});

describe('tool: http', () => {
  let server: http.Server;
  let base = '';
  const seen: { method: string; url: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/accounts/')) {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ id: path.slice('/accounts/'.length), plan: 'pro' }));
      }
      if (path === '/boom') {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        return res.end('internal trouble');
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const allow = { network: { allowPrivateNetwork: true } };

  it('GET JSON returns {status, body}', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/accounts/{{ input.id }}` } });
    const r = done(await toolExecutor.execute(ctx(config, { input: { id: '42' } }, allow)));
    expect(r.output).toMatchObject({ status: 200, ok: true, body: { id: '42', plan: 'pro' } });
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/accounts/42' });
  });

  it('a 500 with failOnHttpError fails, retryable', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/boom`, failOnHttpError: true } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, allow)));
    expect(e.code).toBe('http_status');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('500');
    expect(e.message).toContain('internal trouble');
  });

  it('a 500 without failOnHttpError is an output', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/boom`, failOnHttpError: false } });
    const r = done(await toolExecutor.execute(ctx(config, {}, allow)));
    expect(r.output).toMatchObject({ status: 500, ok: false, body: 'internal trouble' });
  });

  it('without allowPrivateNetwork the same URL is refused', async () => {
    const before = seen.length;
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/accounts/1` } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, { network: { allowPrivateNetwork: false } })));
    expect(e.code).toBe('http_forbidden_address');
    expect(seen.length).toBe(before); // never reached the server
  });
});

describe('tool: http with a named secret (auth)', () => {
  let server: http.Server;
  let other: http.Server;
  let base = '';
  let otherBase = '';
  const seen: http.IncomingHttpHeaders[] = [];
  const secret = 'p4ss-w0rd-secret';

  beforeAll(async () => {
    // Echoes the request's headers, in its body and (for a refusal) its error text.
    const listen = async (s: http.Server) => {
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    };
    other = http.createServer((req, res) => {
      seen.push(req.headers);
      res.end('elsewhere');
    });
    otherBase = await listen(other);
    server = http.createServer((req, res) => {
      seen.push(req.headers);
      if (req.url === '/away') {
        res.writeHead(302, { location: `${otherBase}/landed` });
        return res.end();
      }
      res.writeHead(req.url === '/refuse' ? 403 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ echo: req.headers }));
    });
    base = await listen(server);
  });
  afterAll(async () => {
    for (const s of [server, other]) await new Promise<void>((resolve) => s.close(() => resolve()));
  });

  const allow = { network: { allowPrivateNetwork: true }, secret: async (name: string) => (name === 'crm' ? secret : Promise.reject(new Error(`no secret "${name}"`))) };

  it('sends Basic with the value as user:password, and scrubs every form of it from the output', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/ok`, auth: { secret: 'crm', scheme: 'basic' } } });
    const r = done(await toolExecutor.execute(ctx(config, {}, allow)));
    const encoded = Buffer.from(secret).toString('base64');
    expect(seen.at(-1)!.authorization).toBe(`Basic ${encoded}`);
    expect(JSON.stringify(r.output)).not.toContain(encoded);
    expect(r.output).toMatchObject({ body: { echo: { authorization: 'Basic [redacted]' } } });
  });

  it('keeps the secret out of a failed step\'s message and out of an agent\'s tool result', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/refuse`, auth: { secret: 'crm', header: 'X-Api-Key' } } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, allow)));
    expect(e.code).toBe('http_status');
    expect(e.message).toContain('[redacted]');
    expect(e.message).not.toContain(secret);
    const tool = toolExecutor.asTool!({ runId: 'r', node: { id: 't', type: 'tool', position: { x: 0, y: 0 }, config }, config, scope: { input: {}, nodes: {}, vars: {} }, ...allow })!;
    const result = await tool.execute({}, new AbortController().signal);
    expect(seen.at(-1)!['x-api-key']).toBe(secret);
    expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('does not send a secret header on to another origin after a redirect', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/away`, auth: { secret: 'crm', header: 'X-Api-Key' } } });
    done(await toolExecutor.execute(ctx(config, {}, allow)));
    expect(seen.at(-2)!['x-api-key']).toBe(secret);
    expect(seen.at(-1)!['x-api-key']).toBeUndefined();
  });

  it('refuses a scheme with a header, and a header the auth also sets', () => {
    expect(ToolConfig.safeParse({ tool: 'http', http: { url: base, auth: { secret: 'crm', scheme: 'bearer', header: 'X-Key' } } }).success).toBe(false);
    expect(ToolConfig.safeParse({ tool: 'http', http: { url: base, auth: { secret: 'not a name' } } }).success).toBe(false);
  });
});
