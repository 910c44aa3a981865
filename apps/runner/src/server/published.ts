import { flowInputSchema } from '@trellis/nodes';
import { applyDefaults, validateJson } from '@trellis/nodes/server';
import { TrellisError, type Flow, type PublishedEndpoint } from '@trellis/schema';
import type { Store } from '../store/types.js';
import { TtlCache } from './cache.js';
import { describeProblems } from './errors.js';
import type { RunService } from './service.js';

export interface Endpoint {
  published: PublishedEndpoint;
  document: Flow;
  /** JSON Schema of the input (the input node's schema). */
  inputSchema: Record<string, unknown>;
}

/** Published slugs with their flow version, cached briefly: the hot path of every endpoint call. */
export class PublishedDirectory {
  private readonly cache = new TtlCache<Endpoint | null>(2000);

  constructor(
    private readonly store: Store,
    private readonly service: RunService,
  ) {}

  resolve(slug: string): Promise<Endpoint | null> {
    return this.cache.get(slug, async () => {
      const published = await this.store.getPublished(slug);
      if (!published) return null;
      const { document } = await this.service.flowVersion(published.flowId, published.version);
      return { published, document, inputSchema: inputSchemaOf(document) };
    });
  }

  invalidate(): void {
    this.cache.clear();
  }
}

export function inputSchemaOf(flow: Flow): Record<string, unknown> {
  return flowInputSchema(flow);
}

/**
 * Refuses (`invalid_input`, each field named under `input`) an input the flow's input schema
 * does not accept: checked before a run is made, the same way for the admin API and published flows.
 * Checked with the schema's defaults filled in (as the engine will start the run with them), so
 * a field with a default may be left out; answers that input. The caller's value is not changed.
 */
export function checkInput(schema: Record<string, unknown>, input: unknown): unknown {
  const filled = applyDefaults(input, schema);
  const violations = validateJson(filled, schema);
  if (!violations.length) return filled;
  const problems = violations.map((v) => ({ path: v.path ? `input.${v.path}` : 'input', message: v.message }));
  throw new TrellisError('invalid_input', `the input does not match the flow's input schema: ${describeProblems(problems)}`, { details: { problems } });
}

/**
 * What a run of the flow answers, for the docs: the output node's `schema` when it declares one,
 * otherwise the shape of its mapped value (objects keep their keys; template leaves are any value).
 */
export function outputSchemaOf(flow: Flow): Record<string, unknown> {
  const outputs = flow.nodes.filter((n) => n.type === 'output');
  const one = (config: unknown): Record<string, unknown> => {
    const c = (config ?? {}) as { schema?: unknown; value?: unknown };
    if (c.schema && typeof c.schema === 'object') return c.schema as Record<string, unknown>;
    return shapeOf(c.value);
  };
  if (outputs.length === 1) return one(outputs[0]!.config);
  return { type: 'object', properties: Object.fromEntries(outputs.map((n) => [n.id, one(n.config)])) };
}

function shapeOf(value: unknown, depth = 0): Record<string, unknown> {
  if (depth > 8 || value === undefined) return {};
  if (Array.isArray(value)) return { type: 'array' };
  if (value && typeof value === 'object') {
    return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shapeOf(v, depth + 1)])) };
  }
  if (typeof value === 'string') return /^\s*\{\{[^}]*\}\}\s*$/.test(value) ? {} : { type: 'string' };
  if (typeof value === 'number') return { type: 'number' };
  if (typeof value === 'boolean') return { type: 'boolean' };
  return {};
}
