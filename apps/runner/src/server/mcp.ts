// The low-level Server, not McpServer: the tools are the published flows, found per request, with
// JSON Schemas of their own rather than zod shapes.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import { TrellisError, errorMessage, errorSpec, type EndpointAccepted } from '@trellis/schema';
import type { ApiKey } from '../store/types.js';
import { readBodyText } from './body.js';
import type { Api, Deps } from './deps.js';
import { errorBody } from './errors.js';
import { clientAddress, mayCall } from './keys.js';
import { checkInput, type Endpoint } from './published.js';
import { acceptedBody, settleWithin, type Outcome } from './routes/endpoints.js';

/** What MCP allows as a tool name. Every slug fits today (SLUG_PATTERN is narrower); a slug that would not is left out, not mangled. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/** The most messages the SDK's transport takes in one batch. */
const MAX_BATCH = 100;

/** The argument a flow whose input is not an object takes its input under (MCP tools take objects). */
const WRAPPED = 'input';

const INSTRUCTIONS =
  'Each tool runs a published Trellis flow with the arguments as its input and answers with its output. ' +
  'A run that waits for a person (an approval or a question) answers status "waiting" with each wait and its answerUrl; ' +
  'follow the run at statusUrl with the same API key.';

/** The MCP SDK's server half, loaded by the first request to /mcp: a runner nobody calls over MCP never holds it. */
async function loadSdk() {
  const [server, transport, types] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/index.js'),
    import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]);
  return { Server: server.Server, Transport: transport.WebStandardStreamableHTTPServerTransport, ...types };
}
type Sdk = Awaited<ReturnType<typeof loadSdk>>;
let sdk: Promise<Sdk> | undefined;

/**
 * The runner's MCP server at /mcp (streamable HTTP): each published flow the API key may call is a
 * tool. Stateless: every POST gets a fresh server and transport, so any runner of a cluster can
 * answer any request and nothing outlives it. The key is checked on every request exactly as on
 * /v1/flows (401 without a valid one, the failed-key throttle, the key's rate limit).
 */
export function mcpRoutes(app: Api, deps: Deps, version: string): void {
  // No stream the server opens (GET) and no session to end (DELETE): a stateless server answers
  // both 405, as the spec allows, and the SDK's client takes that in its stride.
  app.on(['GET', 'DELETE'], '/mcp', (c) => c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed on /mcp; send JSON-RPC messages by POST`), 405, { Allow: 'POST' }));
  app.post('/mcp', async (c) => {
    const key = await deps.keys.identify(c.req.header('Authorization'), clientAddress(c));
    await deps.keys.admit(key);
    // The app's middleware has read the body already (its size and depth limits); the transport
    // gets it parsed rather than reading a stream that is spent.
    const body = parseBody(c.req.header('Content-Type'), await readBodyText(c));
    // A batch (older protocol versions allow one) counts each message against the rate limit, so
    // many calls cannot ride on one request. Past MAX_BATCH the transport refuses the batch anyway.
    if (Array.isArray(body)) for (let i = 1; i < Math.min(body.length, MAX_BATCH); i++) await deps.keys.admit(key);
    const loaded = await (sdk ??= loadSdk());
    const server = mcpServer(loaded, deps, key, { version, base: c.req.url });
    const transport = new loaded.Transport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody: body });
    } finally {
      // With JSON responses the answer is complete here: nothing is left to stream.
      await server.close();
    }
  });
}

function parseBody(type: string | undefined, text: string): unknown {
  // Checked before parsing: the app's depth limit only looks at bodies that say they are JSON.
  if (!type || !JSON_TYPE.test(type)) throw new TrellisError('unsupported_media_type', `send JSON-RPC messages as JSON (Content-Type: application/json), not ${type ?? 'a body without a Content-Type'}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new TrellisError('invalid_json', `the body is not valid JSON: ${errorMessage(error)}`);
  }
}

/** An MCP server for one request by `key`: its tools are the published flows the key may call. */
function mcpServer({ Server, ListToolsRequestSchema, CallToolRequestSchema, McpError, ErrorCode }: Sdk, { store, service, published, config, log }: Deps, key: ApiKey, { version, base }: { version: string; base: string }): Server {
  const server = new Server({ name: 'trellis', title: 'Trellis published flows', version }, { capabilities: { tools: {} }, instructions: INSTRUCTIONS });

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: Tool[] = [];
    for (const { slug } of await store.listPublished()) {
      if (!TOOL_NAME.test(slug) || !mayCall(key, slug)) continue;
      const endpoint = await published.resolve(slug).catch(() => null); // a version that cannot be read is not offered
      if (endpoint) tools.push(toolOf(slug, endpoint));
    }
    return { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async ({ params }) => {
    const slug = params.name;
    try {
      // One answer for a slug that does not exist and one the key may not call: a key learns nothing
      // of other slugs. An unknown tool is a protocol error (invalid params), as the spec has it.
      const endpoint = TOOL_NAME.test(slug) && mayCall(key, slug) ? await published.resolve(slug) : null;
      if (!endpoint) throw new McpError(ErrorCode.InvalidParams, `there is no tool "${slug}": no published flow of that slug that this API key may call`);
      const args = params.arguments ?? {};
      const input = checkInput(endpoint.inputSchema, isWrapped(endpoint.inputSchema) ? args[WRAPPED] : args);
      const { runId, finished } = await service.startRun(endpoint.published.flowId, {
        input,
        version: endpoint.published.version,
        labels: { source: 'mcp', slug },
        unwatched: true, // an MCP client waits for the tool's result
        callerWaits: true,
      });
      // The same bound as a sync call of /v1/flows: past it, the caller follows the run at its status URL.
      const result = await settleWithin(finished, config.syncTimeoutMs);
      return await toolResult(slug, result ?? { runId, status: 'running' }, result !== undefined);
    } catch (error) {
      if (error instanceof McpError) throw error;
      return refusal(error);
    }
  });

  /** A run's outcome as a tool result: its output, its error, or (not an error) where it stands and where to answer. */
  async function toolResult(slug: string, outcome: Outcome, ended: boolean): Promise<CallToolResult> {
    const meta = { _meta: { 'trellis/runId': outcome.runId } };
    if (outcome.status === 'succeeded') {
      const output = outcome.output ?? null;
      return { content: [text(JSON.stringify(output))], ...(isRecord(output) ? { structuredContent: output } : {}), ...meta };
    }
    if (outcome.status === 'failed') {
      return failure(`the run failed: ${outcome.error?.message ?? 'unknown error'} (run ${outcome.runId})`, { runId: outcome.runId, status: 'failed', ...(outcome.error ? { error: outcome.error } : {}) });
    }
    if (outcome.status === 'cancelled') return failure(`the run was cancelled (run ${outcome.runId})`, { runId: outcome.runId, status: 'cancelled' });
    const body = absolute(await acceptedBody(store, slug, outcome, ended), base);
    return { content: [text(JSON.stringify(body))], structuredContent: body as unknown as Record<string, unknown>, ...meta };
  }

  /**
   * A call refused or failed as a tool error the model can read and act on (a bad field, a flow
   * that cannot run), never a protocol error: the catalog's message for a coded error, a generic
   * one for anything else (logged, as the HTTP API does), never a stack trace.
   */
  function refusal(error: unknown): CallToolResult {
    if (TrellisError.isInstance(error) && errorSpec(error.code)) {
      return failure(error.message, { code: error.code, ...(error.details === undefined ? {} : { details: error.details }) });
    }
    log.error({ err: error, path: '/mcp' }, 'tool call failed');
    return failure('something went wrong on the server; the error is in its log', { code: 'internal' });
  }

  return server;
}

/** The tool of a published flow: named by its slug, described by the flow, taking its input. */
function toolOf(slug: string, { document, inputSchema }: Endpoint): Tool {
  const description = document.description?.trim() ? `${document.name}: ${document.description.trim()}` : document.name;
  return { name: slug, title: document.name, description, inputSchema: toolInputSchema(inputSchema) };
}

/** MCP takes an object of arguments: a flow whose input is anything else takes it as the argument `input`. */
function toolInputSchema(schema: Record<string, unknown>): Tool['inputSchema'] {
  if (!isWrapped(schema)) return schema as Tool['inputSchema'];
  return { type: 'object', properties: { [WRAPPED]: schema }, required: [WRAPPED] };
}

const isWrapped = (schema: Record<string, unknown>) => schema.type !== 'object';

/**
 * The answer's URLs resolved against the /mcp request's own URL: an MCP client shows the result
 * to a model or a person who never saw the runner's address, so a bare path would lead nowhere.
 */
function absolute(body: EndpointAccepted, base: string): EndpointAccepted {
  const at = (path: string) => new URL(path, base).href;
  return { ...body, statusUrl: at(body.statusUrl), ...(body.waiting ? { waiting: body.waiting.map((w) => ({ ...w, answerUrl: at(w.answerUrl) })) } : {}) };
}

const text = (value: string) => ({ type: 'text' as const, text: value });

const failure = (message: string, structured: Record<string, unknown>): CallToolResult => ({ isError: true, content: [text(message)], structuredContent: structured });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
