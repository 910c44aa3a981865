import { TrellisError } from '../../errors.js';
import { httpRequest } from '../../lib/http.js';
import { evaluateTransform } from '../../lib/transform.js';
import { renderTemplate, renderValue, templateLeaves, templateVariables } from '../../lib/template.js';
import { defineExecutor, type NetworkPolicy, type Scope } from '../../runtime.js';
import { authHeaderName, type HttpAuth, type HttpToolConfig, type ToolConfig, type TransformToolConfig } from './spec.js';
import { codeArgumentsSchema } from './code.js';
import { runCodeStep, runCodeTool } from './code-run.js';
import { mcpStep, mcpToolset } from './mcp.js';

/** What a tool call works with beyond its config and scope. */
interface ToolIo {
  network: NetworkPolicy;
  signal: AbortSignal;
  /** A step fails on an HTTP error status; an agent's call gets the answer. */
  asStep: boolean;
  idempotencyKey?: string | undefined;
  secret?: ((name: string) => Promise<string>) | undefined;
}

/** The header an auth setting sends, and the texts that must not leave the request (the value, and its encoded forms). */
async function authHeader(auth: HttpAuth, io: ToolIo): Promise<{ name: string; value: string; hidden: string[] }> {
  if (!io.secret) throw new TrellisError('missing_secret', `the secret "${auth.secret}" is not available: this runner keeps no credentials`);
  const secret = await io.secret(auth.secret);
  const name = authHeaderName(auth);
  if (auth.header) return { name, value: secret, hidden: [secret] };
  const encoded = auth.scheme === 'basic' ? Buffer.from(secret, 'utf8').toString('base64') : secret;
  return { name, value: `${auth.scheme === 'basic' ? 'Basic' : 'Bearer'} ${encoded}`, hidden: [secret, encoded] };
}

async function runHttp(config: HttpToolConfig, scope: Scope, io: ToolIo) {
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
  if (io.idempotencyKey && !Object.keys(headerText).some((k) => k.toLowerCase() === 'idempotency-key')) headerText['idempotency-key'] = io.idempotencyKey;
  // The secret is read here, at request time, and only the request carries it: whatever comes back is scrubbed of it.
  const auth = http.auth ? await authHeader(http.auth, io) : undefined;
  if (auth) {
    for (const name of Object.keys(headerText)) if (name.toLowerCase() === auth.name) delete headerText[name];
    headerText[auth.name] = auth.value;
  }
  const hide = <T>(value: T): T => (auth ? redact(value, auth.hidden) : value);
  let response: Awaited<ReturnType<typeof httpRequest>>;
  try {
    response = await httpRequest({
      method: http.method,
      url,
      headers: headerText,
      ...(sendsBody ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      timeoutMs: http.timeoutMs,
      maxResponseBytes: http.maxResponseBytes,
      allowPrivateNetwork: io.network.allowPrivateNetwork,
      signal: io.signal,
      ...(auth ? { sensitiveHeaders: [auth.name] } : {}),
    });
  } catch (error) {
    if (auth && error instanceof Error) error.message = hide(error.message);
    throw error;
  }
  const answer = hide({ status: response.status, ok: response.ok, headers: response.headers, body: response.body });
  if (!answer.ok && io.asStep && http.failOnHttpError) {
    const retryable = answer.status === 429 || answer.status >= 500;
    const retryAfter = Number(answer.headers['retry-after']);
    throw new TrellisError('http_status', `${http.method} ${url} answered ${answer.status}${summary(answer.body)}`, {
      retryable,
      ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
    });
  }
  return answer;
}

/** A JSON value with every occurrence of the hidden texts replaced (a service that echoes its request must not hand the secret back). */
export function redact<T>(value: T, hidden: readonly string[]): T {
  const texts = hidden.filter((h) => h.length >= 4); // shorter ones would scramble ordinary text and hide nothing
  if (!texts.length) return value;
  const scrub = (text: string) => texts.reduce((out, h) => out.split(h).join('[redacted]'), text);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [scrub(k), walk(x)]));
    return v;
  };
  return walk(value) as T;
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

function run(config: Exclude<ToolConfig, { tool: 'mcp' }>, scope: Scope, io: ToolIo) {
  if (config.tool === 'code') return runCodeTool(config, scope.args ?? {}, io.signal);
  return config.tool === 'http' ? runHttp(config, scope, io) : runTransform(config, scope);
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
  // A transform reads the scope and nothing else; HTTP, MCP and code (seconds of CPU, worth a checkpoint) are not pure.
  pure: (config) => config.tool === 'transform',
  async execute({ config, scope, network, signal, idempotencyKey, secret }) {
    // A code step also reports its console output, beside its output.
    if (config.tool === 'code') return runCodeStep(config, scope, signal);
    if (config.tool === 'mcp') return { status: 'done', output: await mcpStep(config, scope, network, signal) };
    return { status: 'done', output: await run(config, scope, { network, signal, asStep: true, idempotencyKey, secret }) };
  },
  asTool({ config, scope, node, network, secret }) {
    if (config.tool === 'mcp') return undefined; // its tools are the server's: see toolset
    return {
      name: config.name ?? node.id,
      description: config.description ?? node.name ?? `The ${config.tool} tool "${node.id}"`,
      inputSchema: argumentsSchema(config),
      requiresApproval: config.requiresApproval,
      execute: (args, signal) => run(config, { ...scope, args }, { network, signal, asStep: false, secret }),
    };
  },
  toolset({ config, scope, network, signal }) {
    return config.tool === 'mcp' ? mcpToolset(config, scope, network, signal) : undefined;
  },
});
