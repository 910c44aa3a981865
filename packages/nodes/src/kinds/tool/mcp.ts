/**
 * The `mcp` tool: the tools of an MCP server, through the official SDK's client.
 *
 * - A `url` server is reached over streamable HTTP with `guardedFetch`, so it passes the same
 *   private-address guard as the HTTP tool; a `server` is a stdio server the operator listed in
 *   the runner's configuration (`network.mcpServers`), never a command from the flow.
 * - Every use connects, does its one thing (list the tools, or call one) and closes, whatever
 *   happens: an agent's step may wait days for an approval or move to another runner, so no
 *   connection is kept between calls, and none outlives a step.
 * - Everything is bounded: connecting and each request by `timeoutMs`, all of it by the step's signal.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { describeTooDeep, findTooDeep } from '@trellis/schema';
import { TrellisError, errorMessage } from '../../errors.js';
import { guardedFetch } from '../../lib/http.js';
import { renderValue } from '../../lib/template.js';
import type { NetworkPolicy, Scope, ToolDefinition } from '../../runtime.js';
import type { McpToolConfig } from './mcp-spec.js';

/** Which server to talk to, with its headers already rendered. */
export interface McpTarget {
  url?: string | undefined;
  server?: string | undefined;
  headers?: Record<string, string> | undefined;
  timeoutMs: number;
}

/** A tool as the server lists it. */
export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
}

/** The MCP SDK's client half, loaded by the first MCP call: a runner that calls no MCP server never holds it (about 20 MB). */
async function loadSdk() {
  const [client, stdio, http, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return { Client: client.Client, StdioClientTransport: stdio.StdioClientTransport, StreamableHTTPClientTransport: http.StreamableHTTPClientTransport, McpError: types.McpError, ErrorCode: types.ErrorCode };
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
let sdk: Promise<Sdk> | undefined;
const mcpSdk = () => (sdk ??= loadSdk());

/** How much of a stdio server's stderr a failure quotes. */
const STDERR_TAIL = 1_000;

function where(target: McpTarget): string {
  return target.url ? `the MCP server at ${target.url}` : `the MCP server "${target.server}"`;
}

function transportFor({ StdioClientTransport, StreamableHTTPClientTransport }: Sdk, target: McpTarget, network: NetworkPolicy): { transport: Transport; stderr: () => string } {
  if (target.url !== undefined) {
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      throw new TrellisError('mcp_invalid_url', `"${target.url}" is not a valid URL`);
    }
    const transport = new StreamableHTTPClientTransport(url, {
      fetch: guardedFetch(network.allowPrivateNetwork),
      requestInit: { headers: target.headers ?? {} },
      // A server that drops the stream has lost the call: fail it now rather than retry for minutes.
      reconnectionOptions: { maxRetries: 0, initialReconnectionDelay: 1_000, maxReconnectionDelay: 1_000, reconnectionDelayGrowFactor: 1 },
    });
    return { transport, stderr: () => '' };
  }
  const name = target.server ?? '';
  const listed = network.mcpServers ?? {};
  const server = Object.hasOwn(listed, name) ? listed[name] : undefined;
  if (!server) {
    const names = Object.keys(listed);
    throw new TrellisError(
      'mcp_unknown_server',
      `the stdio MCP server "${name}" is not in this runner's list (TRELLIS_MCP_SERVERS); ` +
        (names.length ? `it lists ${names.map((n) => `"${n}"`).join(', ')}` : 'it lists none') +
        ': ask the operator to add it, or use a server URL',
    );
  }
  const transport = new StdioClientTransport({
    command: server.command,
    ...(server.args ? { args: server.args } : {}),
    ...(server.env ? { env: server.env } : {}),
    ...(server.cwd ? { cwd: server.cwd } : {}),
    stderr: 'pipe',
  });
  let tail = '';
  transport.stderr?.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString('utf8')).slice(-STDERR_TAIL)));
  return { transport, stderr: () => tail.trim() };
}

/** The error a person reads, for whatever the SDK or the transport threw. */
function explain({ McpError, ErrorCode }: Sdk, error: unknown, target: McpTarget, doing: string, stderr: string): unknown {
  if (TrellisError.isInstance(error) && error.code === 'http_network') {
    return new TrellisError('mcp_unreachable', `${where(target)} could not be reached: ${error.message}`, { retryable: true, cause: error });
  }
  if (TrellisError.isInstance(error)) return error; // the address guard's, the abort's, ours
  const said = stderr ? ` (its stderr: ${stderr})` : '';
  if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
    return new TrellisError('mcp_timeout', `${where(target)} did not answer ${doing} in time${said}`, { retryable: true, cause: error });
  }
  if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
    return new TrellisError('mcp_connection_lost', `${where(target)} closed the connection while ${doing}${said}`, { retryable: true, cause: error });
  }
  return new TrellisError('mcp_failed', `${where(target)} failed while ${doing}: ${errorMessage(error)}${said}`, { retryable: !(error instanceof McpError), cause: error });
}

/**
 * Connects, runs `use`, and closes. `use` is raced against the connection breaking: a server
 * that goes away mid-call ends the call with an error at once, not at its timeout.
 */
export async function withMcpClient<T>(
  target: McpTarget,
  network: NetworkPolicy,
  signal: AbortSignal | undefined,
  doing: string,
  use: (client: Client, options: RequestOptions) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw new TrellisError('cancelled', `cancelled before ${doing}`);
  const loaded = await mcpSdk();
  const { McpError, ErrorCode } = loaded;
  const { transport, stderr } = transportFor(loaded, target, network);
  const client = new loaded.Client({ name: 'trellis', version: '1' });
  const options: RequestOptions = { timeout: target.timeoutMs, ...(signal ? { signal } : {}) };
  let lost: (error: Error) => void = () => {};
  const broken = new Promise<never>((_, reject) => (lost = reject));
  broken.catch(() => {}); // raced below; unobserved when the call ends first
  try {
    try {
      await client.connect(transport, options); // its own error (the address guard's…) says more than the close that follows it
    } catch (error) {
      throw explain(loaded, error, target, 'connecting', stderr());
    }
    // A stream cut off before its answer is reported here, not to the pending request.
    client.onerror = (error) => {
      if (/SSE stream disconnected|reconnect/i.test(error.message)) lost(new McpError(ErrorCode.ConnectionClosed, error.message));
    };
    client.onclose = () => lost(new McpError(ErrorCode.ConnectionClosed, 'connection closed'));
    try {
      return await Promise.race([use(client, options), broken]);
    } catch (error) {
      throw explain(loaded, error, target, doing, stderr());
    }
  } finally {
    client.onclose = undefined;
    await client.close().catch(() => {}); // closes the transport: the HTTP session, or the child process
  }
}

/** The server's tools, as it lists them (every page). */
export function listMcpTools(target: McpTarget, network: NetworkPolicy, signal?: AbortSignal): Promise<McpToolInfo[]> {
  return withMcpClient(target, network, signal, 'listing its tools', async (client, options) => {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {}, options);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 10_000);
    return tools.map((t) => ({ name: t.name, ...(t.description ? { description: t.description } : {}), inputSchema: t.inputSchema as Record<string, unknown> }));
  });
}

/** Calls one tool; its structured content, or its text joined. An `isError` result throws, with the server's text. */
export async function callMcpTool(target: McpTarget, network: NetworkPolicy, signal: AbortSignal | undefined, tool: string, args: Record<string, unknown>): Promise<unknown> {
  const result = await withMcpClient(target, network, signal, `calling "${tool}"`, (client, options) =>
    client.callTool({ name: tool, arguments: args }, undefined, options) as Promise<CallToolResult>,
  );
  const text = (result.content ?? []).flatMap((c) => (c.type === 'text' ? [c.text] : [])).join('\n');
  if (result.isError) throw new TrellisError('mcp_tool_error', `the MCP tool "${tool}" failed: ${text || 'no message'}`);
  const value = result.structuredContent ?? text;
  // The result is stored in the trace and serialised, which recurses: a hostile server's deep JSON stops here.
  const tooDeep = findTooDeep(value);
  if (tooDeep) throw new TrellisError('mcp_too_deep', `the result of the MCP tool "${tool}" is nested too deep: ${describeTooDeep('result', tooDeep)}`);
  return value;
}

async function targetOf(config: McpToolConfig, scope: Scope): Promise<McpTarget> {
  const { url, server, headers, timeoutMs } = config.mcp;
  const rendered = headers ? ((await renderValue(headers, scope)) as Record<string, unknown>) : undefined;
  return {
    url,
    server,
    timeoutMs,
    ...(rendered ? { headers: Object.fromEntries(Object.entries(rendered).map(([k, v]) => [k, String(v)])) } : {}),
  };
}

/** A model may only call tools named like this; an MCP name may hold more (dots, slashes…). */
function modelName(prefix: string | undefined, tool: string): string {
  return `${prefix ? `${prefix}_` : ''}${tool}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/** An agent's tools from the node: the server's, or the chosen ones, each needing approval as configured. */
export async function mcpToolset(config: McpToolConfig, scope: Scope, network: NetworkPolicy, signal?: AbortSignal): Promise<ToolDefinition[]> {
  const target = await targetOf(config, scope);
  const listed = await listMcpTools(target, network, signal);
  const chosen = config.mcp.tools;
  if (chosen) {
    const missing = chosen.filter((name) => !listed.some((t) => t.name === name));
    if (missing.length) {
      throw new TrellisError('mcp_unknown_tool', `${where(target)} has no tool ${missing.map((n) => `"${n}"`).join(', ')} (it has ${listed.map((t) => `"${t.name}"`).join(', ') || 'none'})`);
    }
  }
  const approval = new Set(config.mcp.approval ?? []);
  return listed
    .filter((t) => !chosen || chosen.includes(t.name))
    .map((t) => ({
      name: modelName(config.name, t.name),
      description: t.description ?? `The tool "${t.name}" of ${where(target)}`,
      inputSchema: t.inputSchema,
      requiresApproval: config.requiresApproval || approval.has(t.name),
      execute: (args, callSignal) => callMcpTool(target, network, callSignal, t.name, args),
    }));
}

/** As a step: calls `mcp.call.tool` with its arguments rendered over the scope. */
export async function mcpStep(config: McpToolConfig, scope: Scope, network: NetworkPolicy, signal: AbortSignal): Promise<unknown> {
  const call = config.mcp.call;
  if (!call) {
    throw new TrellisError('invalid_wiring', "this MCP tool has no `mcp.call`, so it can only give its tools to an agent: wire its \"As tool\" handle to an agent's tools");
  }
  const args = call.args === undefined ? {} : await renderValue(call.args, scope);
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TrellisError('invalid_config', `the arguments of the MCP call "${call.tool}" must be an object`);
  }
  return callMcpTool(await targetOf(config, scope), network, signal, call.tool, args as Record<string, unknown>);
}
