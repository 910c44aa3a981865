/**
 * MCP tools on an agent: a real MCP server (the SDK's McpServer, test-support/fake-mcp) on
 * loopback over streamable HTTP, and the same server over stdio from the operator's list. The
 * agent runs on the engine with a mock script, so every call goes through the real client.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeMcpStdioCommand, startFakeMcp, type FakeMcp } from '@trellis/test-support/fake-mcp';
import { flow, input, output, type Json } from '@trellis/test-support/flows';
import type { NetworkPolicy } from '@trellis/nodes/server';
import { agent, harness } from './support/harness.js';

let mcp: FakeMcp;
beforeAll(async () => {
  mcp = await startFakeMcp();
});
afterAll(async () => {
  await mcp.close();
});

const allow: NetworkPolicy = { allowPrivateNetwork: true };

/** in → helper → out, with an mcp tool node on the helper's tools. */
function mcpFlow(mcpConfig: Json, extra: Json = {}) {
  return flow(
    [input(), { id: 'orders', type: 'tool', config: { tool: 'mcp', ...extra, mcp: mcpConfig } }, agent('helper', { maxSteps: 4 }), output('out', '{{ nodes.helper.output }}')],
    [['in', 'helper'], ['orders', 'helper', 'tool', 'tools'], ['helper', 'out']],
  );
}

const lookup = (id: string, tool = 'lookup_order') => ({ toolCalls: [{ tool, args: { id } }] });

describe('mcp tools over streamable HTTP', () => {
  it("gives an agent the server's tools; the structured result reaches the model and the agent finishes", async () => {
    const h = harness({ network: allow });
    const before = mcp.calls.length;
    const result = await h.engine.start(mcpFlow({ url: mcp.url, headers: { 'x-team': '{{ input.team }}' } }), {
      input: { message: 'Where is order 42?', team: 'blue' },
      mocks: { helper: [lookup('42'), { text: 'Order 42 has shipped.' }] },
    });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', output: 'Order 42 has shipped.' });
    expect(mcp.calls.slice(before)).toEqual([{ tool: 'lookup_order', args: { id: '42' } }]);
    expect(h.of('node.tool_result')[0]!.data).toMatchObject({ tool: 'lookup_order', toolNodeId: 'orders', result: { id: '42', status: 'shipped' } });
    expect(mcp.headers.at(-1)?.['x-team']).toBe('blue');
  });

  it('offers only the chosen tools, prefixed by the node name when it has one', async () => {
    const h = harness({ network: allow });
    const result = await h.engine.start(mcpFlow({ url: mcp.url, tools: ['echo'] }, { name: 'shop' }), {
      input: { message: 'hi' },
      mocks: { helper: [{ toolCalls: [{ tool: 'shop_echo', args: { text: 'hello' } }, { tool: 'shop_lookup_order', args: { id: '1' } }] }, { text: 'ok' }] },
    });
    expect(result.status).toBe('succeeded');
    const results = h.of('node.tool_result').map((e) => e.data);
    expect(results.find((d) => d.tool === 'shop_echo')).toMatchObject({ result: 'echo: hello' });
    // Not chosen, so not offered: the model's call of it is an error, and the server never saw it.
    expect(results.find((d) => d.tool === 'shop_lookup_order')?.error).toBeDefined();
    expect(mcp.calls.some((c) => c.tool === 'lookup_order' && c.args.id === '1')).toBe(false);
  });

  it("an isError result is an error the model reads, and the agent goes on", async () => {
    const h = harness({ network: allow });
    const result = await h.engine.start(mcpFlow({ url: mcp.url }), {
      input: { message: 'try' },
      mocks: { helper: [{ toolCalls: [{ tool: 'fail', args: {} }] }, { text: 'The warehouse is closed, sorry.' }] },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'The warehouse is closed, sorry.' });
    expect(h.of('node.tool_result')[0]!.data.error).toMatch(/"fail" failed: the warehouse is closed/);
  });

  it('a tool marked for approval waits for a person, and runs once approved', async () => {
    const h = harness({ network: allow });
    const before = mcp.calls.length;
    const waiting = await h.engine.start(mcpFlow({ url: mcp.url, approval: ['lookup_order'] }), {
      input: { message: 'Where is order 7?' },
      mocks: { helper: [{ toolCalls: [{ tool: 'echo', args: { text: 'checking' } }, { tool: 'lookup_order', args: { id: '7' } }] }, { text: 'Shipped.' }] },
    });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting[0]).toMatchObject({ nodeId: 'helper', kind: 'tool_approval', payload: { tool: 'lookup_order', toolNodeId: 'orders', args: { id: '7' } } });
    // echo needs no approval and ran; lookup_order waits.
    expect(mcp.calls.slice(before)).toEqual([{ tool: 'echo', args: { text: 'checking' } }]);
    const done = await h.engine.resume(waiting.runId, { answer: { waitId: waiting.waiting[0]!.waitId, approved: true, by: 'ann' } });
    expect(done).toMatchObject({ status: 'succeeded', output: 'Shipped.' });
    expect(mcp.calls.slice(before)).toEqual([{ tool: 'echo', args: { text: 'checking' } }, { tool: 'lookup_order', args: { id: '7' } }]);
  });

  it('refuses a loopback server unless the runner allows the private network, as the HTTP tool does', async () => {
    const h = harness({ network: { allowPrivateNetwork: false } });
    const before = mcp.headers.length;
    const result = await h.engine.start(mcpFlow({ url: mcp.url }), { input: { message: 'hi' }, mocks: { helper: [{ text: 'never' }] } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'http_forbidden_address', message: expect.stringMatching(/Refusing to connect to 127\.0\.0\.1:\d+ .*private, loopback.*TRELLIS_ALLOW_PRIVATE_NETWORK/) });
    expect(mcp.headers.length).toBe(before); // never reached the server
  });

  it('as a step, calls its one configured tool and outputs the result', async () => {
    const h = harness({ network: allow });
    const f = flow(
      [input(), { id: 'orders', type: 'tool', config: { tool: 'mcp', mcp: { url: mcp.url, call: { tool: 'lookup_order', args: { id: '{{ input.id }}' } } } } }, output('out', '{{ nodes.orders.output }}')],
      [['in', 'orders'], ['orders', 'out']],
    );
    const result = await h.engine.start(f, { input: { id: '9' } });
    expect(result).toMatchObject({ status: 'succeeded', output: { id: '9', status: 'shipped' } });
  });

  it('a server that goes away mid-call fails the call with a clear error, without waiting for the timeout', async () => {
    const dying = await startFakeMcp();
    const h = harness({ network: allow });
    const started = Date.now();
    const run = h.engine.start(mcpFlow({ url: dying.url, timeoutMs: 60_000 }), {
      input: { message: 'wait' },
      mocks: { helper: [{ toolCalls: [{ tool: 'slow', args: { ms: 30_000 } }] }, { text: 'The server went away.' }] },
    });
    while (!dying.calls.length) await new Promise((resolve) => setTimeout(resolve, 10));
    await dying.kill();
    const result = await run;
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result).toMatchObject({ status: 'succeeded', output: 'The server went away.' });
    expect(h.of('node.tool_result')[0]!.data.error).toMatch(/MCP server at .* (closed the connection|failed) while calling "slow"/);
  });
});

describe('mcp tools over stdio', () => {
  const servers = { fake: fakeMcpStdioCommand() };

  it("starts a server the operator listed, by its name, and the agent uses its tools", async () => {
    const h = harness({ network: { allowPrivateNetwork: false, mcpServers: servers } });
    const result = await h.engine.start(mcpFlow({ server: 'fake' }), {
      input: { message: 'Where is order 5?' },
      mocks: { helper: [lookup('5'), { text: 'Order 5 shipped.' }] },
    });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', output: 'Order 5 shipped.' });
    expect(h.of('node.tool_result')[0]!.data).toMatchObject({ tool: 'lookup_order', result: { id: '5', status: 'shipped' } });
  }, 30_000);

  it('refuses a server the operator did not list, naming the ones listed', async () => {
    const h = harness({ network: { allowPrivateNetwork: true, mcpServers: servers } });
    const result = await h.engine.start(mcpFlow({ server: 'rm-rf' }), { input: { message: 'hi' }, mocks: { helper: [{ text: 'never' }] } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'mcp_unknown_server', message: expect.stringMatching(/"rm-rf" is not in this runner's list \(TRELLIS_MCP_SERVERS\); it lists "fake"/) });
  });

  it('a flow cannot give a command: one written in its config is dropped, and the name alone decides', async () => {
    const marker = join(tmpdir(), `trellis-mcp-${process.pid}-${Date.now()}`);
    const h = harness({ network: { allowPrivateNetwork: true, mcpServers: servers } });
    const f = mcpFlow({ server: 'evil', command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x')`] });
    const result = await h.engine.start(f, { input: { message: 'hi' }, mocks: { helper: [{ text: 'never' }] } });
    expect(result.error).toMatchObject({ code: 'mcp_unknown_server' });
    expect(existsSync(marker)).toBe(false);
  });
});
