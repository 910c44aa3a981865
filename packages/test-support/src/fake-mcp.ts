/**
 * fake-mcp: a real MCP server for tests, built with the official SDK (McpServer), served over
 * streamable HTTP on 127.0.0.1 (`startFakeMcp`) or over stdio (`fakeMcpStdioCommand`, which runs
 * ./fake-mcp-stdio.ts as a child process: what an operator's TRELLIS_MCP_SERVERS entry starts).
 *
 * Its tools:
 *   lookup_order { id }  → structured content { id, status: 'shipped' } (and the same as text)
 *   echo { text }        → text content "echo: <text>"
 *   fail {}              → an isError result: "the warehouse is closed"
 *   slow { ms }          → answers "slept" after `ms` (for a server that goes away mid-call)
 *
 * Usage:
 *   const mcp = await startFakeMcp();
 *   // … a flow with { tool: 'mcp', mcp: { url: mcp.url } } …
 *   expect(mcp.calls).toEqual([{ tool: 'lookup_order', args: { id: '42' } }]);
 *   await mcp.close();
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export interface FakeMcpCall {
  tool: string;
  args: Record<string, unknown>;
}

/** An McpServer with the fake's tools; every call is pushed to `calls`. */
export function fakeMcpServer(calls: FakeMcpCall[] = []): McpServer {
  const server = new McpServer({ name: 'fake-mcp', version: '1.0.0' });
  server.registerTool(
    'lookup_order',
    {
      description: 'Looks up an order by its id',
      inputSchema: { id: z.string().describe('The order id') },
      outputSchema: { id: z.string(), status: z.string() },
    },
    async ({ id }) => {
      calls.push({ tool: 'lookup_order', args: { id } });
      const order = { id, status: 'shipped' };
      return { content: [{ type: 'text', text: JSON.stringify(order) }], structuredContent: order };
    },
  );
  server.registerTool('echo', { description: 'Says the text back', inputSchema: { text: z.string() } }, async ({ text }) => {
    calls.push({ tool: 'echo', args: { text } });
    return { content: [{ type: 'text', text: `echo: ${text}` }] };
  });
  server.registerTool('fail', { description: 'Always fails', inputSchema: {} }, async () => {
    calls.push({ tool: 'fail', args: {} });
    return { content: [{ type: 'text', text: 'the warehouse is closed' }], isError: true };
  });
  server.registerTool('slow', { description: 'Answers after a while', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    calls.push({ tool: 'slow', args: { ms } });
    await new Promise((resolve) => setTimeout(resolve, ms));
    return { content: [{ type: 'text', text: 'slept' }] };
  });
  return server;
}

export interface FakeMcp {
  /** The streamable HTTP endpoint, e.g. http://127.0.0.1:PORT/mcp. */
  url: string;
  /** Every tool call, in arrival order. */
  calls: FakeMcpCall[];
  /** Headers of every HTTP request, lowercased names. */
  headers: Record<string, string | string[] | undefined>[];
  /** Goes away at once: every open connection is cut, a call in progress never answers. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

/** Serves the fake over streamable HTTP (stateless: a server and transport per request, as the SDK's example does). */
export async function startFakeMcp(): Promise<FakeMcp> {
  const calls: FakeMcpCall[] = [];
  const headers: FakeMcp['headers'] = [];
  const sockets = new Set<Socket>();
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    headers.push({ ...req.headers });
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/mcp') {
      res.statusCode = 404;
      return res.end();
    }
    if (req.method !== 'POST') {
      res.statusCode = 405; // no standalone stream: stateless
      return res.end();
    }
    const server = fakeMcpServer(calls);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => {
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
  });
  http.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= new Promise<void>((resolve) => {
      http.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }));
  return { url, calls, headers, kill: close, close };
}

/** The command that serves the fake over stdio, as a runner's TRELLIS_MCP_SERVERS entry gives it. */
export function fakeMcpStdioCommand(): { command: string; args: string[] } {
  const require = createRequire(import.meta.url);
  // tsx loads the TypeScript script; resolved through the runner, which depends on it.
  const tsx = createRequire(require.resolve('@trellis/runner/bin/trellis.mjs')).resolve('tsx');
  const script = fileURLToPath(new URL('./fake-mcp-stdio.ts', import.meta.url));
  return { command: process.execPath, args: ['--import', pathToFileURL(tsx).href, script] };
}
