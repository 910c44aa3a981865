/**
 * The mcp variant of the tool kind without a server: its checks, and the refusals made before
 * anything connects. The client against a real MCP server (HTTP and stdio) is tested on the
 * engine, in apps/runner/test/mcp-tools.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFlow } from '../../index.js';
import { guardedFetch } from '../../lib/http.js';
import { ctx, failure } from '../../../test/support/kind-context.js';
import { toolExecutor } from './execute.js';
import { ToolConfig } from './spec.js';

/** in → helper (agent) → out, with an mcp tool node `orders`, on the agent's tools unless `attached` is false. */
function flowWith(mcp: Record<string, unknown>, attached = true) {
  return {
    schema: 'trellis.flow/v1',
    id: 'f',
    name: 'f',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
      { id: 'orders', type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'mcp', mcp } },
      { id: 'helper', type: 'agent', position: { x: 0, y: 0 }, config: { model: 'test:m', instructions: 'Help.', prompt: 'hi' } },
      { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ nodes.helper.output }}' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'helper', targetHandle: 'in' },
      { id: 'e2', source: 'helper', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ...(attached ? [{ id: 'e3', source: 'orders', sourceHandle: 'tool', target: 'helper', targetHandle: 'tools' }] : []),
    ],
  };
}

const messagesOf = (raw: unknown) => validateFlow(raw).problems.filter((p) => p.nodeId === 'orders').map((p) => `${p.code}: ${p.message}`);

describe('tool: mcp config', () => {
  it('a URL server on an agent is a valid flow', () => {
    expect(messagesOf(flowWith({ url: 'https://mcp.example.com/mcp', tools: ['a'], approval: ['a'] }))).toEqual([]);
  });

  it('needs exactly one of url and server', () => {
    expect(messagesOf(flowWith({}))).toEqual([expect.stringMatching(/invalid_config: .*exactly one of `url`.* or `server`/)]);
    expect(messagesOf(flowWith({ url: 'https://x.example/mcp', server: 'files' }))).toEqual([expect.stringMatching(/exactly one/)]);
  });

  it('refuses a URL that is not http(s), and warns of an approval on a tool not chosen', () => {
    expect(messagesOf(flowWith({ url: 'file:///etc/passwd' }))).toEqual([expect.stringMatching(/is not an http\(s\) URL/)]);
    const result = validateFlow(flowWith({ url: 'https://x.example/mcp', tools: ['a'], approval: ['b'] }));
    expect(result.problems.find((p) => p.nodeId === 'orders')).toMatchObject({ severity: 'warning', message: expect.stringMatching(/"b" needs approval but is not among the chosen tools/) });
  });

  it('as a step of its own, it needs a call', () => {
    const loose = flowWith({ url: 'https://x.example/mcp' }, false);
    expect(messagesOf(loose).some((m) => /invalid_wiring: .*wire its "As tool" handle to an agent's tools, or set `mcp.call`/.test(m))).toBe(true);
    const calling = flowWith({ url: 'https://x.example/mcp', call: { tool: 'echo', args: { text: '{{ input.text }}' } } }, false);
    expect(messagesOf(calling).some((m) => m.startsWith('invalid_wiring'))).toBe(false);
  });

  it('has no way to carry a command: the config keeps only what it knows', () => {
    const config = ToolConfig.parse({ tool: 'mcp', mcp: { server: 'files', command: 'rm', args: ['-rf', '/'] } });
    expect(config).toEqual({ tool: 'mcp', requiresApproval: false, mcp: { server: 'files', timeoutMs: 30_000 } });
  });

  it('offers no single tool: its tools come from the server, through toolset', async () => {
    const config = ToolConfig.parse({ tool: 'mcp', mcp: { server: 'unlisted' } });
    const tc = { runId: 'r', node: { id: 'orders', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } };
    expect(toolExecutor.asTool!(tc)).toBeUndefined();
    await expect(toolExecutor.toolset!(tc)).rejects.toMatchObject({ code: 'mcp_unknown_server' });
    const http = ToolConfig.parse({ tool: 'http', http: { url: 'https://x.example' } });
    expect(toolExecutor.toolset!({ ...tc, config: http })).toBeUndefined();
  });

  it('a step naming a stdio server the runner does not list fails before starting anything', async () => {
    const config = ToolConfig.parse({ tool: 'mcp', mcp: { server: 'files', call: { tool: 'read', args: {} } } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, { network: { allowPrivateNetwork: true, mcpServers: { docs: { command: 'docs-server' } } } })));
    expect(e.code).toBe('mcp_unknown_server');
    expect(e.message).toMatch(/"files" is not in this runner's list \(TRELLIS_MCP_SERVERS\); it lists "docs"/);
  });
});

describe('guardedFetch', () => {
  let server: http.Server;
  let base = '';
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits++;
      if (req.url === '/big') return res.end('x'.repeat(10_000));
      if (req.url === '/redirect') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest' });
        return res.end();
      }
      res.setHeader('content-type', 'text/event-stream');
      res.write('data: one\n\n');
      setTimeout(() => res.end('data: two\n\n'), 20);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('refuses a loopback address (literal or by name) with the HTTP tool\'s error, before connecting', async () => {
    const before = hits;
    await expect(guardedFetch(false)(`${base}/x`)).rejects.toMatchObject({ code: 'http_forbidden_address' });
    await expect(guardedFetch(false)(base.replace('127.0.0.1', 'localhost'))).rejects.toMatchObject({ code: 'http_forbidden_address' });
    expect(hits).toBe(before);
  });

  it('streams the body when allowed, and hands a redirect back unfollowed', async () => {
    const res = await guardedFetch(true)(`${base}/stream`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('data: one\n\ndata: two\n\n');
    const redirect = await guardedFetch(true)(`${base}/redirect`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://169.254.169.254/latest');
  });

  it('errors the body past its size cap', async () => {
    const res = await guardedFetch(true, 1_000)(`${base}/big`);
    await expect(res.text()).rejects.toThrow();
    expect(await (await guardedFetch(true, 20_000)(`${base}/big`)).text()).toHaveLength(10_000);
  });
});
