import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { pureStepPolicy } from '../../lib/policy.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';

export const OutputConfig = z.object({
  /** The run's result. String leaves are templates; a leaf that is exactly one {{…}} keeps its type. */
  value: z.unknown().default('{{ input }}'),
  /** JSON Schema the result must match: a published endpoint promises it to its callers, and its docs show it. */
  schema: JsonSchemaObject.optional(),
});
export type OutputConfig = z.infer<typeof OutputConfig>;

export const outputSpec = defineKind<OutputConfig>({
  type: 'output',
  version: 1,
  label: 'Output',
  description: "The run's result, mapped from the scope.",
  category: 'input/output',
  runOutput: true,
  configSchema: OutputConfig,
  defaults: () => ({ value: { result: '{{ input }}' } }),
  ports: () => ({ inputs: [{ id: 'in', label: 'In', type: 'data' }], outputs: [] }),
  check: (config, ctx) => templateLeaves(config.value, ['value']).flatMap(([t, path]) => checkTemplate(t, ctx, path)),
  fields: [
    { path: 'value', label: 'Result', widget: 'template-json', help: 'JSON whose string leaves are templates.' },
    { path: 'schema', label: 'Result schema', widget: 'json-schema', help: 'Optional: JSON Schema the result must match (shown in the API docs of a published flow).' },
  ],
  defaultPolicy: pureStepPolicy,
});
