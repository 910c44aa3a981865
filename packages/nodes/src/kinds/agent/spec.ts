import { z } from 'zod';
import type { KindProblem } from '@trellis/schema';
import { defineKind } from '../../spec.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { checkTemplate } from '../../lib/template.js';
import { modelPolicy } from '../../lib/policy.js';
import { textOrRef } from '../../lib/prompt-source.js';
import { ModelId } from '../prompt/spec.js';
import { AgentGuardrails, checkGuardrails, MAX_GUARDRAIL_RETRIES } from './guardrails-config.js';
import { AskPersonConfig, askPersonFields, checkAskPerson } from './ask-person.js';

/** The longest instructions, inline or from the library. */
export const INSTRUCTIONS_MAX = 100_000;

export const AgentConfig = z.object({
  model: ModelId.default('openai:gpt-4.1-mini'),
  /** The system instructions: role, goal, how to use the tools, when to stop. Inline, or a library prompt: `{ ref: "researcher@latest" }`. */
  instructions: textOrRef(z.string().min(1, 'the agent needs instructions').max(INSTRUCTIONS_MAX)),
  /** The task handed to the agent; by default the run input as JSON. Unused when attached to another agent (a worker gets its orchestrator's task, a handoff target the conversation). */
  prompt: z.string().min(1).max(200_000).default('{{ input }}'),
  /** Model calls the agent may make; each call may run tools. */
  maxSteps: z.number().int().min(1).max(100).default(8),
  output: z.object({ schema: JsonSchemaObject.optional() }).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxOutputTokens: z.number().int().min(1).max(1_000_000).optional(),
  /**
   * What the agent does, for the agents that may call it: the description of its tool when it is a
   * worker on another agent's `tools`, of its transfer tool when it is a handoff target.
   */
  description: z.string().max(2_000).optional(),
  /** Handoffs one step may make in all (between this agent and those on its `handoffs`, back and forth). */
  maxHandoffs: z.number().int().min(0).max(50).default(5),
  /**
   * What this agent is given when the conversation is handed to it: the whole history (`full`),
   * or a summary (`summary`: the task, what each agent said, and why it was handed over; tool
   * calls and their results left out).
   */
  handoffHistory: z.enum(['full', 'summary']).default('full'),
  /** Rules (the guardrail node's) checked on the task before any model call and on the answer: see ./guardrails.ts. */
  guardrails: AgentGuardrails.optional(),
  /** An `ask_a_person` tool: the run waits for a person's answer (a form), which is the tool's result (ask-person.ts). */
  askPerson: AskPersonConfig.optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export const agentSpec = defineKind<AgentConfig>({
  type: 'agent',
  version: 1,
  label: 'Agent',
  description: 'A model with instructions and tools that loops (call tools, read results) until done or maxSteps; may call agents as workers or hand the conversation to others.',
  category: 'ai',
  configSchema: AgentConfig,
  defaults: () => ({
    model: 'openai:gpt-4.1-mini',
    instructions: 'You are a careful assistant. Use the tools to find facts before answering.',
    prompt: '{{ input }}',
    maxSteps: 8,
    maxHandoffs: 5,
    handoffHistory: 'full',
  }),
  ports: () => ({
    inputs: [
      { id: 'in', label: 'In', type: 'data' },
      { id: 'tools', label: 'Tools', type: 'tool', description: 'Tools the agent may call, and agents it calls as workers' },
      {
        id: 'handoffs',
        label: 'Handoffs',
        type: 'tool',
        description: 'Agents the agent may hand the conversation to',
        accepts: { kinds: ['agent'], reason: 'only agents can be handoff targets' },
      },
    ],
    outputs: [
      { id: 'out', label: 'Out', type: 'data' },
      { id: 'agent', label: 'As worker / handoff', type: 'tool', description: "Wire to an agent's tools (a worker) or handoffs (a handoff target)" },
    ],
  }),
  check: (config, ctx) => [
    // A library prompt's text is not known here: the engine resolves it when a run starts.
    ...(typeof config.instructions === 'string' ? checkTemplate(config.instructions, ctx, ['instructions']) : []),
    ...checkTemplate(config.prompt, ctx, ['prompt']),
    ...checkGuardrails(config.guardrails),
    ...attachedGuardrails(config.guardrails, ctx.attachedTo),
    ...checkAskPerson(config.askPerson),
  ],
  fields: [
    { path: 'model', label: 'Model', widget: 'model' },
    { path: 'instructions', label: 'Instructions', widget: 'template', promptRef: { path: 'instructions', maxLength: INSTRUCTIONS_MAX } },
    { path: 'prompt', label: 'Task', widget: 'template', help: 'Not used when the agent is attached to another: a worker is given the task its orchestrator passes (its instructions see it as args.task), a handoff target the conversation.' },
    { path: 'maxSteps', label: 'Max steps', widget: 'number', help: 'Upper bound on model calls in the tool loop.' },
    { path: 'output.schema', label: 'Structured output', widget: 'json-schema' },
    { path: 'temperature', label: 'Temperature', widget: 'number' },
    { path: 'description', label: 'Description', widget: 'textarea', help: 'Tells an orchestrator or a handing-off agent what this agent does.' },
    { path: 'maxHandoffs', label: 'Max handoffs', widget: 'number', help: 'Handoffs one step may make in all; past it a transfer is refused and the agent answers itself.' },
    { path: 'handoffHistory', label: 'History on handoff', widget: 'select', options: ['full', 'summary'], help: 'What this agent gets when the conversation is handed to it.' },
    { path: 'guardrails.input', label: 'Input guardrails', widget: 'guardrail-rules', help: 'Checked on the task before any model call: a failing rule fails the step; a redacting rule passes the cleaned task to the model.' },
    { path: 'guardrails.output', label: 'Output guardrails', widget: 'guardrail-rules', help: "Checked on the agent's final answer; a redacting rule cleans the output." },
    { path: 'guardrails.onOutputFail', label: 'When the answer fails', widget: 'select', options: ['fail', 'retry'], help: 'fail: the step fails; retry: the agent is told why (what was found, masked) and answers again.' },
    { path: 'guardrails.maxRetries', label: 'Guardrail retries', widget: 'number', help: `Answers asked for again before the step fails (retry only; default 2, at most ${MAX_GUARDRAIL_RETRIES}). Each retry is a model turn and counts toward max steps.` },
    ...askPersonFields,
  ],
  defaultPolicy: modelPolicy,
});

/**
 * Guardrails run on the step's own agent only: an attached agent's would never be checked, and
 * a user who set them must hear so rather than trust them.
 */
function attachedGuardrails(guardrails: AgentConfig['guardrails'], attachedTo: readonly string[] = []): KindProblem[] {
  if (!attachedTo.length || !(guardrails?.input?.length || guardrails?.output?.length)) return [];
  const to = attachedTo.map((id) => `"${id}"`).join(', ');
  return [
    {
      severity: 'warning',
      code: 'invalid_config',
      path: ['guardrails'],
      message: `these guardrails are not checked: this agent is attached to ${to}, and only the step's own agent checks its guardrails; put them on ${to}`,
    },
  ];
}
