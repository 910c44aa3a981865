import { cleanTitle, FLOW_SCHEMA_V1, TITLE_MAX_LENGTH, type Flow } from '@trellis/schema';
import { kinds } from '@trellis/nodes';

/** The flow format's limit on a name. */
const MAX_NAME = TITLE_MAX_LENGTH;

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

/** A deep copy of `doc` under another id and name; nothing else changes (nodes, samples, vars…). */
export function copyOf(doc: Flow, id: string, name: string): Flow {
  return { ...structuredClone(doc), id, name };
}

/** The name a duplicate gets: `Support triage (copy)`, kept within the format's limit. */
export function copyName(name: string): string {
  const suffix = ' (copy)';
  return `${name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

/** A name a person typed, trimmed; or why it cannot be a flow's name (the words prompts use too: `cleanTitle`). */
export const cleanName = (typed: string) => cleanTitle('flow', typed);
