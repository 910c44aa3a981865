import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { Scalar } from '@scalar/hono-api-reference';
import type { Context } from 'hono';
import { EndpointAccepted, EndpointOutput, EndpointRunStatus } from '@trellis/schema';
import { z } from 'zod';
import type { Store } from '../store/types.js';
import { clientAddress, type KeyAuth } from './keys.js';
import type { RunService } from './service.js';
import { inputSchemaOf, outputSchemaOf } from './published.js';

const require = createRequire(import.meta.url);

/** Which published flows a document lists: all, or those whose slug passes. */
export type Listed = 'all' | ((slug: string) => boolean);

/**
 * The published flows the caller of /openapi.json may see. With no admin token the runner only
 * listens on loopback and /api/published lists them to anyone there anyway, so all of them.
 * With one, the admin token sees all; an API key sees what it may call; no key sees none. A
 * wrong key is refused (401) and counted like one sent to a published flow.
 */
export async function listedFor(c: Context, keys: KeyAuth, isAdmin: ((header: string | undefined) => boolean) | undefined): Promise<Listed> {
  const header = c.req.header('Authorization');
  if (!isAdmin || isAdmin(header)) return 'all';
  if (header === undefined) return () => false;
  const key = await keys.identify(header, clientAddress(c));
  return key.slugs ? (slug) => key.slugs!.includes(slug) : 'all';
}

/** The OpenAPI document: the admin routes as declared, plus one path per published flow the caller may see. */
export async function openApiDocument(app: OpenAPIHono, store: Store, service: RunService, version: string, listed: Listed = 'all') {
  const doc = app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Trellis runner',
      version,
      description: 'Flows, runs, approvals and API keys under /api; published flows under /v1/flows/{slug}, and as the tools of the MCP server at /mcp.',
    },
  });
  doc.components ??= {};
  doc.components.securitySchemes = { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from POST /api/keys' } };
  doc.paths ??= {};
  // JSON Schema from zod is what the document holds; only its static type differs.
  doc.components.schemas = { ...endpointComponents(), ...doc.components.schemas } as typeof doc.components.schemas;
  const error = { $ref: '#/components/schemas/Error' };
  const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
  // A flow's own output schema in place of the shared answer's `output`.
  const withOutput = (output: unknown) => ({ allOf: [ref('EndpointOutput')], type: 'object', properties: { output } });
  const errors = (codes: Record<number, string>) => Object.fromEntries(Object.entries(codes).map(([code, description]) => [code, { description, content: { 'application/json': { schema: error } } }]));
  doc.paths['/mcp'] = {
    post: {
      tags: ['Published flows'],
      summary: 'The published flows as an MCP server (streamable HTTP)',
      description:
        'JSON-RPC per the Model Context Protocol (initialize, tools/list, tools/call), stateless: each published flow the key may call is a tool named by its slug, whose arguments are the flow\'s input. A run that waits for a person answers with its status and where to answer. Point an MCP client at this URL with the key as a bearer token.',
      security: [{ apiKey: [] }],
      requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', description: 'A JSON-RPC 2.0 request or batch' } } } },
      responses: {
        200: { description: 'The JSON-RPC response', content: { 'application/json': { schema: { type: 'object' } } } },
        ...errors({ 401: 'No key, or an unknown or revoked key', 413: 'The body is too large', 429: 'Too many calls (Retry-After)' }),
      },
    },
  };
  for (const endpoint of await store.listPublished()) {
    if (listed !== 'all' && !listed(endpoint.slug)) continue;
    const { document } = await service.flowVersion(endpoint.flowId, endpoint.version).catch(() => ({ document: undefined }));
    if (!document) continue;
    const input = inputSchemaOf(document);
    const output = outputSchemaOf(document);
    doc.paths[`/v1/flows/${endpoint.slug}`] = {
      post: {
        tags: ['Published flows'],
        summary: document.name,
        description: `${document.description ?? ''}\n\nRuns version ${endpoint.version} of flow \`${endpoint.flowId}\`. Answers with the output (default), the run's events as Server-Sent Events (\`Accept: text/event-stream\`), or \`202 {runId, statusUrl}\` with \`?mode=async\`. A run that waits for a person answers 202 with its status URL and each wait: an approval, or a question with the JSON Schema of its answer, and the URL to answer it at.`.trim(),
        security: [{ apiKey: [] }],
        parameters: [{ name: 'mode', in: 'query', required: false, schema: { type: 'string', enum: ['sync', 'async'], default: 'sync' } }],
        requestBody: { required: true, content: { 'application/json': { schema: input } } },
        responses: {
          200: {
            description: 'The run succeeded',
            content: {
              'application/json': { schema: withOutput(output) },
              'text/event-stream': { schema: { type: 'string', description: 'Run events until the run ends or waits; a stream that stops on a wait ends with an `endpoint.waiting` event whose data is the 202 body (EndpointAccepted: each wait\'s id and answerUrl)' } },
            },
          },
          202: {
            description: 'The run goes on (async mode, waiting for a person (an approval, or a question: see `waiting`), or still running after the sync timeout)',
            content: { 'application/json': { schema: ref('EndpointAccepted') } },
          },
          ...errors({ 400: 'The input does not match the input schema (details name the field)', 401: 'No key, or an unknown or revoked key', 404: 'No such published flow, or the key may not call it', 429: 'Rate limited, or too many wrong keys from this address; see Retry-After', 502: 'The run failed' }),
        },
      },
    };
    doc.paths[`/v1/flows/${endpoint.slug}/runs/{runId}`] = {
      get: {
        tags: ['Published flows'],
        summary: `Status of a run of ${endpoint.slug}`,
        security: [{ apiKey: [] }],
        parameters: [{ name: 'runId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          200: { description: 'The run: its status, and its output once it succeeded', content: { 'application/json': { schema: { oneOf: [withOutput(output), ref('EndpointRunStatus')] } } } },
          ...errors({ 401: 'No key, or an unknown or revoked key', 404: 'No such run of this flow' }),
        },
      },
    };
    doc.paths[`/v1/flows/${endpoint.slug}/runs/{runId}/questions/{id}`] = {
      post: {
        tags: ['Published flows'],
        summary: `Answer a question a run of ${endpoint.slug} asks`,
        description: "The `answerUrl` of a waiting question. The answer is checked against the question's `schema`; of two answers, one is taken. Approvals are decided on the admin API.",
        security: [{ apiKey: [] }],
        parameters: [
          { name: 'runId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        ],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', required: ['answer'], properties: { answer: { description: "Matches the question's schema" }, by: { type: 'string', maxLength: 200, description: 'Who answered, for the trace' } } } } },
        },
        responses: {
          200: { description: 'The answer was taken; the run goes on (poll statusUrl)', content: { 'application/json': { schema: ANSWERED } } },
          202: { description: 'Handed to the runner executing the run, which takes it in a moment (status stays pending until then)', content: { 'application/json': { schema: ANSWERED } } },
          ...errors({ 400: 'The answer does not match the schema (details name the field)', 401: 'No key, or an unknown or revoked key', 404: 'No such question of this run', 409: 'Already answered (by whom, when)' }),
        },
      },
    };
  }
  // A copy: the document holds the published flows' own input schemas, cached with their versions.
  return withExplicitTypes(structuredClone(doc));
}

/** A published flow's answered question, as its answer URL tells it. */
const ANSWERED = { type: 'object', properties: { id: { type: 'string' }, runId: { type: 'string' }, status: { type: 'string' }, answer: {}, statusUrl: { type: 'string' } } };

const ANY_TYPE = ['null', 'boolean', 'string', 'number', 'integer', 'object', 'array'];
/** Where a schema holds other schemas: one, a list, or a map of them. */
const ONE = ['items', 'not', 'contentSchema', 'additionalProperties', 'propertyNames', 'if', 'then', 'else', 'contains'];
const LIST = ['anyOf', 'oneOf', 'allOf', 'prefixItems'];
const MAP = ['properties', 'patternProperties', '$defs'];

/**
 * Every schema states its type (in place: give it a document of its own): one that allows any
 * JSON value (`{}`, a bare `anyOf`, a description alone) gets the list of all seven, which means
 * the same. Readers that require a
 * type on every schema then accept the document: Scalar's reference at /docs logged "document
 * validation errors" for each such schema.
 */
export function withExplicitTypes<T>(doc: T): T {
  const seen = new Set<object>();
  const schema = (s: unknown): void => {
    if (!s || typeof s !== 'object' || Array.isArray(s) || seen.has(s)) return;
    seen.add(s);
    const node = s as Record<string, unknown>;
    if (node.type === undefined && node.$ref === undefined) node.type = [...ANY_TYPE];
    for (const key of ONE) schema(node[key]);
    for (const key of LIST) if (Array.isArray(node[key])) (node[key] as unknown[]).forEach(schema);
    for (const key of MAP) if (node[key] && typeof node[key] === 'object') Object.values(node[key] as object).forEach(schema);
  };
  const content = (c: unknown) => c && typeof c === 'object' && Object.values(c as Record<string, { schema?: unknown }>).forEach((m) => schema(m?.schema));
  const d = doc as { components?: { schemas?: Record<string, unknown> }; paths?: Record<string, Record<string, unknown>> };
  Object.values(d.components?.schemas ?? {}).forEach(schema);
  for (const item of Object.values(d.paths ?? {})) {
    for (const op of Object.values(item ?? {})) {
      if (!op || typeof op !== 'object') continue;
      const o = op as { parameters?: Array<{ schema?: unknown }>; requestBody?: { content?: unknown }; responses?: Record<string, { content?: unknown }> };
      o.parameters?.forEach((p) => schema(p?.schema));
      content(o.requestBody?.content);
      Object.values(o.responses ?? {}).forEach((r) => content(r?.content));
    }
  }
  return doc;
}

let endpointSchemas: Record<string, unknown> | undefined;

/**
 * The published flows' answers (and the named schemas they use) as document components: no
 * declared route names them, but every published path refers to them. Built once; the schemas
 * the routes already list (RunStatus, RunError …) win over these where both name one.
 */
function endpointComponents(): Record<string, unknown> {
  if (endpointSchemas) return endpointSchemas;
  const built: Record<string, unknown> = {};
  for (const schema of [EndpointOutput, EndpointAccepted, EndpointRunStatus]) {
    const { $defs = {} } = z.toJSONSchema(schema, { io: 'output' }) as { $defs?: Record<string, unknown> };
    for (const [name, definition] of Object.entries($defs)) {
      built[name] ??= JSON.parse(JSON.stringify(definition).replaceAll('"#/$defs/', '"#/components/schemas/')) as unknown;
    }
  }
  return (endpointSchemas = built);
}

/** The API reference page, with its script served from this process so it works offline. */
export function docsRoutes(app: OpenAPIHono): void {
  let script: Promise<Buffer> | undefined;
  // The browser asks for one on every page without an icon of its own: a 404 in /docs' console otherwise.
  app.get('/favicon.ico', (c) => c.body(MARK_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'public, max-age=86400' }));
  app.get('/docs/scalar.js', async (c) => {
    script ??= readFile(require.resolve('@scalar/api-reference/browser/standalone.js'));
    return c.body(new Uint8Array(await script), 200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=86400' });
  });
  app.get('/docs', Scalar(DOCS_CONFIG));
}

/** Trellis's mark (the editor's icon). */
const MARK_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2f6fed"/><path d="M4 12V6m4 6V4m4 8V7M3 8.5h10M3 5.5h10" stroke="white" stroke-width="1.3" stroke-linecap="round"/></svg>';

/**
 * The reference page loads nothing from the internet: its script from this process, the
 * system's fonts, requests sent straight to this runner (no Scalar proxy), and none of the
 * hosted parts (the client app, the developer toolbar, the AI agent, telemetry).
 */
export const DOCS_CONFIG = {
  url: '/openapi.json',
  favicon: '/favicon.ico',
  pageTitle: 'Trellis API',
  cdn: '/docs/scalar.js',
  withDefaultFonts: false,
  proxyUrl: '',
  hideClientButton: true,
  showDeveloperTools: 'never' as const,
  telemetry: false,
  agent: { disabled: true },
};
