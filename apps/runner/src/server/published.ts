import { flowInputSchema, kinds, validateFlow } from '@trellis/nodes';
import { applyDefaults, schemaProblems } from '@trellis/nodes/server';
import { TOP_LEVEL, TrellisError, type Flow, type FlowGraph, type PublishedEndpoint } from '@trellis/schema';
import { flowReferences } from '../engine/subflows.js';
import type { Store } from '../store/types.js';
import { TtlCache } from './cache.js';
import { describeProblems } from './errors.js';
import type { RunService } from './service.js';

export interface Endpoint {
  published: PublishedEndpoint;
  document: Flow;
  /** JSON Schema of the input (the input node's schema). */
  inputSchema: Record<string, unknown>;
  /** Whether a run of it may start runs of other flows (a sub-flow node, a map over a flow): their steps are theirs, not in its result. */
  runsFlows: boolean;
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
      return { published, document, inputSchema: inputSchemaOf(document), runsFlows: flowReferences(document, kinds).length > 0 };
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
  const violations = schemaProblems(filled, schema, 'the input schema');
  if (!violations.length) return filled;
  const problems = violations.map((v) => ({ path: v.path ? `input.${v.path}` : 'input', message: v.message }));
  throw new TrellisError('invalid_input', `the input does not match the flow's input schema: ${describeProblems(problems)}`, { details: { problems } });
}

/**
 * What a run of the flow answers, for the docs, as the engine's collectOutput makes it: the value
 * of the one output node that ran, or, when several ran, an object of their values keyed by node
 * id. Output nodes on exclusive branches (different handles of one condition, approval, guardrail
 * or question: a step fires exactly one of its data handles) never run together, so the answer
 * is one of their shapes; output nodes that always run answer together, keyed; otherwise either.
 * Each node's shape is its `schema` when it declares one, else the shape of its mapped value.
 */
export function outputSchemaOf(flow: Flow): Record<string, unknown> {
  const { graph } = validateFlow(flow);
  const top = graph?.levels.get(TOP_LEVEL) ?? flow.nodes.filter((n) => !n.parent).map((n) => n.id);
  const outputs = flow.nodes.filter((n) => n.type === 'output' && top.includes(n.id));
  if (outputs.length === 1) return outputShape(outputs[0]!.config);
  const singles = outputs.map((n) => outputShape(n.config));
  const keyed = (required: boolean) => ({
    type: 'object',
    description: 'Several output nodes ran: the value of each, by node id',
    properties: Object.fromEntries(outputs.map((n, i) => [n.id, singles[i]!])),
    ...(required ? { required: outputs.map((n) => n.id) } : {}),
  });
  if (outputs.length === 0) return { type: 'null', description: 'The flow has no output node' };
  if (!graph) return keyed(false);
  const memo = new Map<string, Map<string, string>>();
  const conditions = outputs.map((n) => branchesTaken(graph, n.id, memo));
  const exclusive = conditions.every((a, i) => conditions.every((b, j) => i === j || excludes(a, b)));
  if (exclusive) return { description: 'The value of the output node that ran (they are on exclusive branches)', anyOf: singles };
  if (conditions.every((c) => c.size === 0)) return keyed(true);
  return { description: 'The value of the output node that ran, or, when several ran, each by node id', anyOf: [...singles, keyed(false)] };
}

function outputShape(config: unknown): Record<string, unknown> {
  const c = (config ?? {}) as { schema?: unknown; value?: unknown };
  if (c.schema && typeof c.schema === 'object') return c.schema as Record<string, unknown>;
  return shapeOf(c.value);
}

/**
 * The branches every way to a step goes through: `node → handle` for each node with several data
 * handles (of which one fires) whose handle is on every path of data edges leading to `id`.
 */
function branchesTaken(graph: FlowGraph, id: string, memo = new Map<string, Map<string, string>>()): Map<string, string> {
  const known = memo.get(id);
  if (known) return known;
  let taken: Map<string, string> | undefined;
  for (const edge of graph.incoming.get(id) ?? []) {
    const viaEdge = new Map(branchesTaken(graph, edge.source, memo));
    const dataHandles = graph.ports.get(edge.source)?.outputs.filter((p) => p.type === 'data').length ?? 0;
    if (dataHandles > 1) viaEdge.set(edge.source, edge.sourceHandle);
    // A step runs when any of its incoming edges was taken: only what every way has in common holds.
    taken = taken ? new Map([...taken].filter(([node, handle]) => viaEdge.get(node) === handle)) : viaEdge;
  }
  const result = taken ?? new Map<string, string>();
  memo.set(id, result);
  return result;
}

/** Whether two steps are on different branches of one step, so never both run. */
function excludes(a: Map<string, string>, b: Map<string, string>): boolean {
  return [...a].some(([node, handle]) => b.has(node) && b.get(node) !== handle);
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
