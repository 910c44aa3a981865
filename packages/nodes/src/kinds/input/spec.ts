import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { pureStepPolicy } from '../../lib/policy.js';

export const InputConfig = z.object({
  /** JSON Schema of the run input; the run is refused when its input does not match. */
  schema: JsonSchemaObject.default({ type: 'object' }),
});
export type InputConfig = z.infer<typeof InputConfig>;

export const inputSpec = defineKind<InputConfig>({
  type: 'input',
  version: 1,
  label: 'Input',
  description: "The run's input, checked against its JSON Schema.",
  category: 'input/output',
  entry: true,
  configSchema: InputConfig,
  defaults: () => ({ schema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } }),
  ports: () => ({ inputs: [], outputs: [{ id: 'out', label: 'Input', type: 'data' }] }),
  fields: [{ path: 'schema', label: 'Input schema', widget: 'json-schema', help: 'JSON Schema the run input must match.' }],
  defaultPolicy: pureStepPolicy,
});
