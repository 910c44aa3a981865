/**
 * Every node kind, defined once. This entry is browser-safe: specs (config schemas, ports,
 * editor hints, checks). Executors live behind `@trellis/nodes/server`.
 */
import { flowJsonSchema, inputSchemaOf, loadFlow, parseFlowText } from '@trellis/schema';
import { Kinds } from './spec.js';
import { inputSpec } from './kinds/input/spec.js';
import { promptSpec } from './kinds/prompt/spec.js';
import { conditionSpec } from './kinds/condition/spec.js';
import { toolSpec } from './kinds/tool/spec.js';
import { agentSpec } from './kinds/agent/spec.js';
import { approvalSpec } from './kinds/approval/spec.js';
import { humanInputSpec } from './kinds/human-input/spec.js';
import { outputSpec } from './kinds/output/spec.js';
import { guardrailSpec } from './kinds/guardrail/spec.js';
import { mapSpec } from './kinds/map/spec.js';
import { loopSpec } from './kinds/loop/spec.js';
import { subflowSpec } from './kinds/subflow/spec.js';
import { findPromptReferences } from './lib/prompt-source.js';

export const kinds = new Kinds()
  .register(inputSpec)
  .register(promptSpec)
  .register(conditionSpec)
  .register(toolSpec)
  .register(agentSpec)
  .register(approvalSpec)
  .register(humanInputSpec)
  .register(outputSpec)
  .register(guardrailSpec)
  .register(mapSpec)
  .register(loopSpec)
  .register(subflowSpec);

export type KindType = ReturnType<typeof kinds.types>[number];

/** Loads and checks a flow with every kind known: every problem at once. */
export const validateFlow = (raw: unknown) => loadFlow(raw, kinds);
export const validateFlowText = (text: string) => parseFlowText(text, kinds);
export const flowSchema = () => flowJsonSchema(kinds);
/** Every library prompt reference of a flow (prompt and system texts, agent instructions), in node order. */
export const promptReferences = (flow: Parameters<typeof findPromptReferences>[0]) => findPromptReferences(flow, kinds);
/** The JSON Schema of a flow's run input: its entry node's `schema`, or any object. */
export const flowInputSchema = (flow: Parameters<typeof inputSchemaOf>[0]) => inputSchemaOf(flow, kinds);
export { applyDefaults } from './lib/json-schema-validate.js';

export { Kinds, defineKind, type FieldHint, type KindSpec } from './spec.js';
export { TrellisError, errorMessage } from './errors.js';
export { templateSyntaxError, templateVariables, unknownVariable } from './lib/template.js';
export { expressionSyntaxError } from './lib/expression.js';
export { ELSE_BRANCH } from './kinds/condition/spec.js';
export * as guardrailRules from './lib/guardrails/rules.js';
export { findPromptReferences, promptText, LibraryPrompt, type PromptReference, type PromptSource } from './lib/prompt-source.js';
