import { z } from 'zod';
import { Flow, FlowNode } from './flow.js';
import type { KindRegistry } from './kinds.js';

/**
 * The JSON Schema of the flow format, with each node's config described by its kind,
 * so other tools (and editors with JSON Schema support) can validate flow files.
 */
export function flowJsonSchema(registry: KindRegistry): Record<string, unknown> {
  const nodeSchemas = registry.types().map((type) =>
    FlowNode.extend({ type: z.literal(type), config: registry.get(type)!.configSchema as z.ZodType }),
  );
  const node = nodeSchemas.length > 0 ? z.union(nodeSchemas as unknown as [z.ZodType, ...z.ZodType[]]) : FlowNode;
  const schema = Flow.extend({ nodes: z.array(node) });
  return {
    $id: 'https://trellis.dev/schema/flow-v1.json',
    title: 'Trellis flow (trellis.flow/v1)',
    ...z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }),
  };
}
