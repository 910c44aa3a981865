/**
 * Flow documents for tests, from terse node and edge lists. The builders add only what a test
 * does not care about (the format's header, edge ids); nodes are kept as given, so whatever a
 * test leaves out is left to the loader's defaults, and a test of those defaults still tests them.
 */
export type Json = Record<string, unknown>;

/** A node as a test writes it: an id and a kind, and anything else the format allows. */
export type NodeSpec = { id: string; type: string; config?: Json } & Json;

/** An edge as `[source, target, sourceHandle = 'out', targetHandle = 'in']`, or written out in full. */
export type EdgeSpec = readonly [source: string, target: string, sourceHandle?: string, targetHandle?: string] | Json;

/** A trellis.flow/v1 document; `extra` adds or overrides top-level fields (id, name, samples, …). */
export function flow(nodes: readonly Json[], edges: readonly EdgeSpec[] = [], extra: Json = {}) {
  return {
    schema: 'trellis.flow/v1',
    id: 'test-flow',
    name: 'Test flow',
    nodes,
    edges: edges.map((e, i) => (Array.isArray(e) ? edge(`e${i + 1}`, ...(e as [string, string, string?, string?])) : e)),
    ...extra,
  };
}

/** An edge with its id; handles default to the plain `out` → `in`. */
export function edge(id: string, source: string, target: string, sourceHandle = 'out', targetHandle = 'in'): Json {
  return { id, source, sourceHandle, target, targetHandle };
}

/** The entry node; its input schema accepts any object unless given one. */
export const input = (id = 'in', schema: Json = { type: 'object' }): NodeSpec => ({ id, type: 'input', config: { schema } });

/** A prompt node on the deterministic test model. */
export const prompt = (id: string, template = 'Say something about {{ input.topic }}', policy?: Record<string, number>): NodeSpec => ({
  id,
  type: 'prompt',
  config: { model: 'test:model', prompt: { template } },
  ...(policy ? { policy } : {}),
});

/** An output node answering `value` (templates allowed). */
export const output = (id: string, value: unknown): NodeSpec => ({ id, type: 'output', config: { value } });
