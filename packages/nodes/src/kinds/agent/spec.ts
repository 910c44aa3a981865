import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { checkTemplate } from '../../lib/template.js';
import { modelPolicy } from '../../lib/policy.js';
import { textOrRef } from '../../lib/prompt-source.js';
import { ModelId } from '../prompt/spec.js';

/** The longest instructions, inline or from the library. */
export const INSTRUCTIONS_MAX = 100_000;

export const AgentConfig = z.object({
  model: ModelId.default('openai:gpt-4.1-mini'),
  /** The system instructions: role, goal, how to use the tools, when to stop. Inline, or a library prompt: `{ ref: "researcher@latest" }`. */
  instructions: textOrRef(z.string().min(1, 'the agent needs instructions').max(INSTRUCTIONS_MAX)),
  /** The task handed to the agent; by default the run input as JSON. */
  prompt: z.string().min(1).max(200_000).default('{{ input }}'),
  /** Model calls the agent may make; each call may run tools. */
  maxSteps: z.number().int().min(1).max(100).default(8),
  output: z.object({ schema: JsonSchemaObject.optional() }).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export const agentSpec = defineKind<AgentConfig>({
  type: 'agent',
  version: 1,
  label: 'Agent',
  description: 'A model with instructions and tools that loops (call tools, read results) until done or maxSteps.',
  category: 'ai',
  configSchema: AgentConfig,
  defaults: () => ({
    model: 'openai:gpt-4.1-mini',
    instructions: 'You are a careful assistant. Use the tools to find facts before answering.',
    prompt: '{{ input }}',
    maxSteps: 8,
  }),
  ports: () => ({
    inputs: [
      { id: 'in', label: 'In', type: 'data' },
      { id: 'tools', label: 'Tools', type: 'tool', description: 'Tool nodes the agent may call' },
    ],
    outputs: [{ id: 'out', label: 'Out', type: 'data' }],
  }),
  check: (config, ctx) => [
    // A library prompt's text is not known here: the engine resolves it when a run starts.
    ...(typeof config.instructions === 'string' ? checkTemplate(config.instructions, ctx, ['instructions']) : []),
    ...checkTemplate(config.prompt, ctx, ['prompt']),
  ],
  fields: [
    { path: 'model', label: 'Model', widget: 'model' },
    { path: 'instructions', label: 'Instructions', widget: 'template', promptRef: { path: 'instructions', maxLength: INSTRUCTIONS_MAX } },
    { path: 'prompt', label: 'Task', widget: 'template' },
    { path: 'maxSteps', label: 'Max steps', widget: 'number', help: 'Upper bound on model calls in the tool loop.' },
    { path: 'output.schema', label: 'Structured output', widget: 'json-schema' },
    { path: 'temperature', label: 'Temperature', widget: 'number' },
  ],
  defaultPolicy: modelPolicy,
});
