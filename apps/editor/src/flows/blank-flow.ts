import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { kinds } from '@trellis/nodes';

// Apart from flow-docs.ts because it needs the node kinds (and their libraries): the flows list
// loads it only when a blank flow is created, so its first load stays small.

function defaultsOf(type: 'input' | 'output'): Record<string, unknown> {
  const spec = kinds.get(type);
  if (!spec) throw new Error(`the "${type}" node kind is not registered`);
  return spec.defaults() as Record<string, unknown>;
}

/**
 * A new flow that can run at once: an input node (a `message` string) wired to an output node
 * that returns the input, each with its kind's defaults.
 */
export function blankFlow(id: string, name: string): Flow {
  return {
    schema: FLOW_SCHEMA_V1,
    id,
    name,
    nodes: [
      { id: 'input', type: 'input', position: { x: 0, y: 0 }, config: defaultsOf('input') },
      { id: 'output', type: 'output', position: { x: 320, y: 0 }, config: defaultsOf('output') },
    ],
    edges: [{ id: 'e1', source: 'input', sourceHandle: 'out', target: 'output', targetHandle: 'in' }],
  };
}
