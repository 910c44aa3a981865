import { z } from 'zod';

/** Which MCP server to list the tools of (POST /api/mcp/tools): exactly one of `url` and `server`. */
export const McpToolsRequest = z
  .object({
    /** A streamable HTTP server, reached under the runner's network rules (its private-address guard). */
    url: z.string().min(1).max(8_000).optional(),
    /** A stdio server by its name in the runner's TRELLIS_MCP_SERVERS list. */
    server: z.string().min(1).max(64).optional(),
    /** Sent with each request to a `url` server (as written: no template is rendered here). */
    headers: z.record(z.string(), z.string().max(8_000)).optional(),
  })
  .refine((r) => (r.url === undefined) !== (r.server === undefined), { message: 'give exactly one of url or server', path: ['url'] })
  .meta({ id: 'McpToolsRequest' });
export type McpToolsRequest = z.infer<typeof McpToolsRequest>;

/** One tool of an MCP server, as the server lists it. */
export const McpToolInfo = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    /** JSON Schema of the tool's arguments. */
    inputSchema: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'McpToolInfo' });
export type McpToolInfo = z.infer<typeof McpToolInfo>;

export const McpToolList = z.object({ tools: z.array(McpToolInfo) }).meta({ id: 'McpToolList' });
export type McpToolList = z.infer<typeof McpToolList>;
