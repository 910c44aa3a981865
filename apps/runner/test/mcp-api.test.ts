/**
 * POST /api/mcp/tools: what the inspector's "Load tools" asks. A real MCP server on loopback
 * (test-support/fake-mcp), and the same server over stdio from the runner's list; the runner's
 * network rules apply as they do to runs.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeMcpStdioCommand, startFakeMcp, type FakeMcp } from '@trellis/test-support/fake-mcp';
import { ConfigError, configFromEnv } from '../src/server/config.js';
import { apiHarness } from './support/api.js';

let mcp: FakeMcp;
beforeAll(async () => {
  mcp = await startFakeMcp();
});
afterAll(async () => {
  await mcp.close();
});

type Listed = { tools: { name: string; description?: string; inputSchema: Record<string, unknown> }[] };
type Refused = { error: { code: string; message: string; details?: { code?: string } } };

describe('POST /api/mcp/tools', () => {
  it("lists a streamable HTTP server's tools, with their descriptions and argument schemas", async () => {
    const api = await apiHarness({ allowPrivateNetwork: true });
    try {
      const res = await api.call<Listed>('POST', '/api/mcp/tools', { url: mcp.url, headers: { authorization: 'Bearer t0ken' } });
      expect(res.status).toBe(200);
      expect(res.body.tools.map((t) => t.name)).toEqual(['lookup_order', 'echo', 'fail', 'slow']);
      expect(res.body.tools[0]).toMatchObject({ description: 'Looks up an order by its id', inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } });
      expect(mcp.headers.at(-1)?.authorization).toBe('Bearer t0ken');
    } finally {
      await api.close();
    }
  });

  it('refuses a loopback server when the runner does not allow the private network', async () => {
    const api = await apiHarness();
    try {
      const before = mcp.headers.length;
      const res = await api.call<Refused>('POST', '/api/mcp/tools', { url: mcp.url });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'bad_request', details: { code: 'http_forbidden_address' } });
      expect(res.body.error.message).toMatch(/Refusing to connect to 127\.0\.0\.1/);
      expect(mcp.headers.length).toBe(before);
    } finally {
      await api.close();
    }
  });

  it('lists a stdio server the runner lists, and refuses one it does not', async () => {
    const api = await apiHarness({ mcpServers: { fake: fakeMcpStdioCommand() } });
    try {
      const listed = await api.call<Listed>('POST', '/api/mcp/tools', { server: 'fake' });
      expect(listed.status).toBe(200);
      expect(listed.body.tools.map((t) => t.name)).toContain('lookup_order');
      const refused = await api.call<Refused>('POST', '/api/mcp/tools', { server: 'other' });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toMatch(/"other" is not in this runner's list/);
    } finally {
      await api.close();
    }
  }, 30_000);

  it('a server that cannot be reached is a 502 naming it; a request with both url and server a 400', async () => {
    const api = await apiHarness({ allowPrivateNetwork: true });
    try {
      const gone = await startFakeMcp();
      await gone.close();
      const res = await api.call<Refused>('POST', '/api/mcp/tools', { url: gone.url });
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({ code: 'mcp_unavailable' });
      expect(res.body.error.message).toContain(gone.url);
      const both = await api.call<Refused>('POST', '/api/mcp/tools', { url: mcp.url, server: 'fake' });
      expect(both.status).toBe(400);
    } finally {
      await api.close();
    }
  });
});

describe('TRELLIS_MCP_SERVERS', () => {
  const file = (content: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'trellis-mcp-config-')), 'servers.json');
    writeFileSync(path, content);
    return path;
  };

  it("reads the operator's stdio servers from a JSON file", () => {
    const path = file(JSON.stringify({ files: { command: 'npx', args: ['-y', 'some-mcp-server', '/srv/docs'], env: { LOG: '1' } } }));
    expect(configFromEnv({ TRELLIS_MCP_SERVERS: path }).mcpServers).toEqual({ files: { command: 'npx', args: ['-y', 'some-mcp-server', '/srv/docs'], env: { LOG: '1' } } });
    expect(configFromEnv({}).mcpServers).toBeUndefined();
  });

  it('refuses a file it cannot use, naming the variable and what is wrong', () => {
    expect(() => configFromEnv({ TRELLIS_MCP_SERVERS: '/nonexistent/servers.json' })).toThrow(ConfigError);
    expect(() => configFromEnv({ TRELLIS_MCP_SERVERS: file('{ nope') })).toThrow(/TRELLIS_MCP_SERVERS: .* is not JSON/);
    expect(() => configFromEnv({ TRELLIS_MCP_SERVERS: file(JSON.stringify({ files: { args: [] } })) })).toThrow(/TRELLIS_MCP_SERVERS: .*files\.command/);
    expect(() => configFromEnv({ TRELLIS_MCP_SERVERS: file(JSON.stringify({ 'bad name': { command: 'x' } })) })).toThrow(/"bad name" is not a server name/);
  });
});
