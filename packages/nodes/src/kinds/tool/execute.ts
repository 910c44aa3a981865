import { TrellisError } from '../../errors.js';
import { httpRequest } from '../../lib/http.js';
import { evaluateTransform } from '../../lib/transform.js';
import { renderTemplate, renderValue, templateLeaves, templateVariables } from '../../lib/template.js';
import { defineExecutor, type NetworkPolicy, type Scope } from '../../runtime.js';
import type { HttpToolConfig, ToolConfig, TransformToolConfig } from './spec.js';
import { codeArgumentsSchema } from './code.js';
import { runCodeStep, runCodeTool } from './code-run.js';
import { mcpStep, mcpToolset } from './mcp.js';

async function runHttp(config: HttpToolConfig, scope: Scope, network: NetworkPolicy, signal: AbortSignal, asStep: boolean, idempotencyKey?: string) {
  const { http } = config;
  const url = await renderTemplate(http.url, scope);
  const headers = http.headers ? ((await renderValue(http.headers, scope)) as Record<string, unknown>) : {};
  const body = http.body === undefined ? undefined : await renderValue(http.body, scope);
  const sendsBody = body !== undefined && !['GET', 'HEAD'].includes(http.method);
  const headerText = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)]));
  if (sendsBody && !Object.keys(headerText).some((k) => k.toLowerCase() === 'content-type')) {
    headerText['content-type'] = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json';
  }
  // A step run again after a crash sends the same key, so the service can answer the repeat without doing it twice.
  if (idempotencyKey && !Object.keys(headerText).some((k) => k.toLowerCase() === 'idempotency-key')) headerText['idempotency-key'] = idempotencyKey;
  const response = await httpRequest({
    method: http.method,
    url,
    headers: headerText,
    ...(sendsBody ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    timeoutMs: http.timeoutMs,
    maxResponseBytes: http.maxResponseBytes,
    allowPrivateNetwork: network.allowPrivateNetwork,
    signal,
  });
  if (!response.ok && asStep && http.failOnHttpError) {
    const retryable = response.status === 429 || response.status >= 500;
    const retryAfter = Number(response.headers['retry-after']);
    throw new TrellisError('http_status', `${http.method} ${url} answered ${response.status}${summary(response.body)}`, {
      retryable,
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  return { status: response.status, ok: response.ok, headers: response.headers, body: response.body };
}

function summary(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

async function runTransform(config: TransformToolConfig, scope: Scope) {
  const data = config.source ? await renderValue(config.source, scope) : scope;
  try {
    return await evaluateTransform(config.expression, data);
  } catch (error) {
    throw new TrellisError('transform_failed', (error as Error).message);
  }
}

function run(config: Exclude<ToolConfig, { tool: 'mcp' }>, scope: Scope, network: NetworkPolicy, signal: AbortSignal, asStep: boolean, idempotencyKey?: string) {
  if (config.tool === 'code') return runCodeTool(config, scope.args ?? {}, signal);
  return config.tool === 'http' ? runHttp(config, scope, network, signal, asStep, idempotencyKey) : runTransform(config, scope);
}

/** Without a declared schema, an HTTP tool's arguments are the `{{ args.x }}` its templates use. */
function argumentsSchema(config: Exclude<ToolConfig, { tool: 'mcp' }>): Record<string, unknown> {
  if (config.parameters) return config.parameters;
  if (config.tool === 'code') return codeArgumentsSchema(config);
  const sources = config.tool === 'http' ? templateLeaves(config.http).map(([t]) => t) : config.source ? [config.source] : [];
  const names = new Set<string>();
  for (const source of sources) {
    for (const variable of templateVariables(source)) {
      const [root, name] = variable.split('.');
      if (root === 'args' && name) names.add(name);
    }
  }
  const properties = Object.fromEntries([...names].map((n) => [n, { type: 'string' }]));
  return { type: 'object', properties, required: [...names], additionalProperties: false };
}

export const toolExecutor = defineExecutor<ToolConfig>({
  type: 'tool',
  async execute({ config, scope, network, signal, idempotencyKey }) {
    // A code step also reports its console output, beside its output.
    if (config.tool === 'code') return runCodeStep(config, scope, signal);
    if (config.tool === 'mcp') return { status: 'done', output: await mcpStep(config, scope, network, signal) };
    return { status: 'done', output: await run(config, scope, network, signal, true, idempotencyKey) };
  },
  asTool({ config, scope, node, network }) {
    if (config.tool === 'mcp') return undefined; // its tools are the server's: see toolset
    return {
      name: config.name ?? node.id,
      description: config.description ?? node.name ?? `The ${config.tool} tool "${node.id}"`,
      inputSchema: argumentsSchema(config),
      requiresApproval: config.requiresApproval,
      execute: (args, signal) => run(config, { ...scope, args }, network, signal, false),
    };
  },
  toolset({ config, scope, network, signal }) {
    return config.tool === 'mcp' ? mcpToolset(config, scope, network, signal) : undefined;
  },
});
