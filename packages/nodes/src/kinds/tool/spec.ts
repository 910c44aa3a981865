import type { CheckContext } from '@trellis/schema';
import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { networkPolicy } from '../../lib/policy.js';
import { transformSyntaxError } from '../../lib/transform.js';
import { common } from './common.js';
import { CodeToolConfig, checkCodeTool, codeFieldHints } from './code.js';
import { McpToolConfig, checkMcp, mcpFields } from './mcp-spec.js';

/** An HTTP header's name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;

/**
 * A secret the request sends, named (the runner's credentials, or TRELLIS_CREDENTIAL_<NAME>):
 * `Authorization: Bearer <value>` by default, `Basic` with the value as `user:password`, or the
 * value as is in a header of its own (`header: 'X-Api-Key'`). The value is read when the request
 * is sent and goes nowhere else: not into the scope, the output, the trace or an error.
 */
export const HttpAuth = z
  .object({
    secret: z.string().min(1).max(100).regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must be the name of a credential (letters, digits, _ and -)'),
    scheme: z.enum(['bearer', 'basic']).optional(),
    header: z.string().regex(HEADER_NAME, 'must be an HTTP header name').optional(),
  })
  .strict()
  .refine((auth) => !(auth.scheme && auth.header), { message: 'give a scheme (sent in Authorization) or a header (the value as is), not both', path: ['header'] });
export type HttpAuth = z.infer<typeof HttpAuth>;

/** The header an auth setting fills. */
export function authHeaderName(auth: HttpAuth): string {
  return (auth.header ?? 'authorization').toLowerCase();
}

export const HttpToolConfig = z.object({
  tool: z.literal('http'),
  ...common,
  http: z.object({
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
    url: z.string().min(1, 'the request needs a URL').max(8_000),
    headers: z.record(z.string(), z.string()).optional(),
    /** A named secret sent with the request (see HttpAuth). */
    auth: HttpAuth.optional(),
    /** JSON body; string leaves are templates. */
    body: z.unknown().optional(),
    timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    maxResponseBytes: z.number().int().min(1_024).max(20_000_000).default(1_000_000),
    /** Fail the step on a 4xx/5xx answer (an agent always gets the answer to reason about). */
    failOnHttpError: z.boolean().default(true),
  }),
});

export const TransformToolConfig = z.object({
  tool: z.literal('transform'),
  ...common,
  /** A JSONata expression, e.g. `{ 'total': $sum(items.price) }`. */
  expression: z.string().min(1, 'the transform needs an expression').max(20_000),
  /** What the expression reads: a template naming a value, e.g. `{{ nodes.fetch.output.body }}`. Default: the whole scope. */
  source: z.string().max(2_000).optional(),
});

export const ToolConfig = z.discriminatedUnion('tool', [HttpToolConfig, TransformToolConfig, CodeToolConfig, McpToolConfig]);
export type ToolConfig = z.infer<typeof ToolConfig>;
export type HttpToolConfig = z.infer<typeof HttpToolConfig>;
export type TransformToolConfig = z.infer<typeof TransformToolConfig>;
export { CodeToolConfig };
export type { McpToolConfig };

function checkTool(config: ToolConfig, ctx: CheckContext): KindProblem[] {
  if (config.tool === 'code') return checkCodeTool(config, ctx);
  if (config.tool === 'mcp') return checkMcp(config, ctx);
  if (config.tool === 'transform') {
    const syntax = transformSyntaxError(config.expression);
    return [
      ...(syntax ? [{ code: 'invalid_expression' as const, path: ['expression'], message: `JSONata: ${syntax}` }] : []),
      ...(config.source ? checkTemplate(config.source, ctx, ['source']) : []),
    ];
  }
  const auth = config.http.auth;
  const clash = auth && Object.keys(config.http.headers ?? {}).find((name) => name.toLowerCase() === authHeaderName(auth));
  return [
    ...(clash ? [{ code: 'invalid_config' as const, path: ['http', 'headers', clash], message: `the header "${clash}" is also set by auth (the secret "${auth!.secret}"): keep one` }] : []),
    ...checkTemplate(config.http.url, ctx, ['http', 'url']),
    ...templateLeaves(config.http.headers, ['http', 'headers']).flatMap(([t, path]) => checkTemplate(t, ctx, path)),
    ...templateLeaves(config.http.body, ['http', 'body']).flatMap(([t, path]) => checkTemplate(t, ctx, path)),
  ];
}

export const toolSpec = defineKind<ToolConfig>({
  type: 'tool',
  version: 1,
  label: 'Tool',
  description: 'One tool call as a step (HTTP request, JSON transform, sandboxed JavaScript, MCP server); wired to an agent\'s tools, a tool the agent may call.',
  category: 'tools',
  configSchema: ToolConfig,
  defaults: () => ({ tool: 'http', requiresApproval: false, http: { method: 'GET', url: 'https://example.com', timeoutMs: 10_000, maxResponseBytes: 1_000_000, failOnHttpError: true } }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      { id: 'out', label: 'Out', type: 'data' },
      { id: 'tool', label: 'As tool', type: 'tool', description: "Wire to an agent's tools" },
    ],
  }),
  check: checkTool,
  fields: [
    { path: 'tool', label: 'Tool', widget: 'select', options: ['http', 'transform', 'code', 'mcp'] },
    { path: 'name', label: 'Tool name', widget: 'text', help: 'The name an agent calls it by.' },
    // An MCP server describes its own tools and their arguments.
    { path: 'description', label: 'Description', widget: 'textarea', help: 'Tells an agent when to use it.', showWhen: { path: 'tool', equals: ['http', 'transform', 'code'] } },
    { path: 'parameters', label: 'Arguments schema', widget: 'json-schema', showWhen: { path: 'tool', equals: ['http', 'transform', 'code'] } },
    { path: 'requiresApproval', label: 'Needs approval', widget: 'boolean' },
    { path: 'http.method', label: 'Method', widget: 'select', options: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'], showWhen: { path: 'tool', equals: ['http'] } },
    { path: 'http.url', label: 'URL', widget: 'template', showWhen: { path: 'tool', equals: ['http'] } },
    { path: 'http.headers', label: 'Headers', widget: 'template-json', showWhen: { path: 'tool', equals: ['http'] } },
    { path: 'http.body', label: 'Body', widget: 'template-json', showWhen: { path: 'tool', equals: ['http'] } },
    { path: 'http.timeoutMs', label: 'Timeout (ms)', widget: 'number', showWhen: { path: 'tool', equals: ['http'] } },
    { path: 'expression', label: 'JSONata expression', widget: 'textarea', showWhen: { path: 'tool', equals: ['transform'] } },
    { path: 'source', label: 'Source', widget: 'template', showWhen: { path: 'tool', equals: ['transform'] } },
    ...codeFieldHints,
    ...mcpFields,
  ],
  defaultPolicy: networkPolicy,
});
