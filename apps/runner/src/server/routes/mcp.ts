import { createRoute } from '@hono/zod-openapi';
import { McpToolList, McpToolsRequest, TrellisError, errorMessage } from '@trellis/schema';
import { listMcpTools } from '@trellis/nodes/server';
import type { Api, Deps } from '../deps.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

/** How long the inspector waits for a server to list its tools. */
const LIST_TIMEOUT_MS = 15_000;

/** What the runner refuses to reach: the request's fault (400), not the server's. */
const REFUSED = new Set(['mcp_unknown_server', 'mcp_invalid_url', 'http_forbidden_address', 'http_invalid_url']);

export function mcpToolRoutes(app: Api, deps: Deps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/mcp/tools',
      tags: ['MCP'],
      summary: "List an MCP server's tools",
      description:
        "Connects to a streamable HTTP server (under the runner's network rules: a private or loopback address only when TRELLIS_ALLOW_PRIVATE_NETWORK=1) or starts a stdio server the runner lists in TRELLIS_MCP_SERVERS, lists its tools, and disconnects. The editor's inspector uses it to choose an MCP tool node's tools.",
      request: { body: jsonBody(McpToolsRequest) },
      responses: { 200: json(McpToolList, "The server's tools"), ...errorResponses(400, 413, 502) },
    }),
    async (c) => {
      const { url, server, headers } = c.req.valid('json');
      try {
        const tools = await listMcpTools({ url, server, headers, timeoutMs: LIST_TIMEOUT_MS }, deps.service.network, c.req.raw.signal);
        return c.json({ tools }, 200);
      } catch (error) {
        const code = TrellisError.isInstance(error) ? error.code : 'mcp_failed';
        if (REFUSED.has(code)) throw new TrellisError('bad_request', errorMessage(error), { details: { code } });
        throw new TrellisError('mcp_unavailable', errorMessage(error), { details: { code } });
      }
    },
  );
}
