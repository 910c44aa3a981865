import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { checkTemplate } from '../../lib/template.js';
import { modelPolicy } from '../../lib/policy.js';

export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*:.+$/, 'must be "provider:model", e.g. "openai:gpt-4.1-mini"');

export const PromptConfig = z.object({
  model: ModelId.default('openai:gpt-4.1-mini'),
  system: z.string().max(100_000).optional(),
  prompt: z.object({ template: z.string().min(1, 'the prompt must not be empty').max(200_000) }),
  /** With a schema the answer is structured JSON, validated against it. */
  output: z.object({ schema: JsonSchemaObject.optional() }).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
});
export type PromptConfig = z.infer<typeof PromptConfig>;

export const promptSpec = defineKind<PromptConfig>({
  type: 'prompt',
  version: 1,
  label: 'Prompt',
  description: 'One model call: a template over the run scope, answering text or structured JSON.',
  category: 'ai',
  configSchema: PromptConfig,
  defaults: () => ({ model: 'openai:gpt-4.1-mini', prompt: { template: 'Summarise: {{ input.message }}' } }),
  ports: () => ({ inputs: [{ id: 'in', label: 'In', type: 'data' }], outputs: [{ id: 'out', label: 'Out', type: 'data' }] }),
  check: (config, ctx) => [
    ...checkTemplate(config.prompt.template, ctx, ['prompt', 'template']),
    ...(config.system ? checkTemplate(config.system, ctx, ['system']) : []),
  ],
  fields: [
    { path: 'model', label: 'Model', widget: 'model' },
    { path: 'system', label: 'System', widget: 'template' },
    { path: 'prompt.template', label: 'Prompt', widget: 'template', help: 'Liquid template: {{ input.message }}, {{ nodes.<id>.output }}' },
    { path: 'output.schema', label: 'Structured output', widget: 'json-schema', help: 'Optional JSON Schema; the answer is validated against it.' },
    { path: 'temperature', label: 'Temperature', widget: 'number' },
    { path: 'maxOutputTokens', label: 'Max output tokens', widget: 'number' },
  ],
  defaultPolicy: modelPolicy,
});
