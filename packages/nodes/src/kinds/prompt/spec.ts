import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { checkTemplate } from '../../lib/template.js';
import { modelPolicy } from '../../lib/policy.js';
import { templateOrRef, textOrRef } from '../../lib/prompt-source.js';

export const ModelId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]*:.+$/, 'must be "provider:model", e.g. "openai:gpt-4.1-mini"');

/** The longest system text and prompt template, inline or from the library. */
export const SYSTEM_MAX = 100_000;
export const PROMPT_MAX = 200_000;

export const PromptConfig = z.object({
  model: ModelId.default('openai:gpt-4.1-mini'),
  /** Inline text, or a library prompt: `{ ref: "support-tone@2" }`. */
  system: textOrRef(z.string().max(SYSTEM_MAX)).optional(),
  /** `{ template }`, or a library prompt: `{ ref: "triage-classifier@3" }` / `{ ref: "triage-classifier@latest" }`. */
  prompt: templateOrRef(z.string().min(1, 'the prompt must not be empty').max(PROMPT_MAX)),
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
  // A library prompt's text is not known here (the editor may not have it): its reference's
  // syntax is the schema's job, and the engine resolves it when a run starts.
  check: (config, ctx) => [
    ...(config.prompt.ref === undefined ? checkTemplate(config.prompt.template, ctx, ['prompt', 'template']) : []),
    ...(typeof config.system === 'string' && config.system ? checkTemplate(config.system, ctx, ['system']) : []),
  ],
  fields: [
    { path: 'model', label: 'Model', widget: 'model' },
    { path: 'system', label: 'System', widget: 'template', promptRef: { path: 'system', maxLength: SYSTEM_MAX } },
    {
      path: 'prompt.template',
      label: 'Prompt',
      widget: 'template',
      help: 'Liquid template: {{ input.message }}, {{ nodes.<id>.output }}',
      promptRef: { path: 'prompt', maxLength: PROMPT_MAX },
    },
    { path: 'output.schema', label: 'Structured output', widget: 'json-schema', help: 'Optional JSON Schema; the answer is validated against it.' },
    { path: 'temperature', label: 'Temperature', widget: 'number' },
    { path: 'maxOutputTokens', label: 'Max output tokens', widget: 'number' },
  ],
  defaultPolicy: modelPolicy,
});
