/** The server half of the node kinds: executors, models, and the libraries they run on. */
import type { KindExecutor } from './runtime.js';
import { inputExecutor } from './kinds/input/execute.js';
import { promptExecutor } from './kinds/prompt/execute.js';
import { conditionExecutor } from './kinds/condition/execute.js';
import { toolExecutor } from './kinds/tool/execute.js';
import { agentExecutor } from './kinds/agent/execute.js';
import { approvalExecutor } from './kinds/approval/execute.js';
import { humanInputExecutor } from './kinds/human-input/execute.js';
import { outputExecutor } from './kinds/output/execute.js';
import { guardrailExecutor } from './kinds/guardrail/execute.js';
import { mapExecutor } from './kinds/map/execute.js';
import { loopExecutor } from './kinds/loop/execute.js';
import { subflowExecutor } from './kinds/subflow/execute.js';
import { kinds } from './index.js';

const all = [inputExecutor, promptExecutor, conditionExecutor, toolExecutor, agentExecutor, approvalExecutor, humanInputExecutor, outputExecutor, guardrailExecutor, mapExecutor, loopExecutor, subflowExecutor] as KindExecutor<unknown>[];

export const executors: ReadonlyMap<string, KindExecutor<unknown>> = new Map(all.map((e) => [e.type, e]));

for (const type of kinds.types()) {
  if (!executors.has(type)) throw new Error(`node kind "${type}" has a spec but no executor`);
}

export * from './index.js';
export * from './runtime.js';
export { normalizeError } from './models/errors.js';
export { KNOWN_COMPATIBLE, anthropicBaseURL, createModelResolver, type ModelResolver, type ModelResolverOptions, type ModelRequest, type CompatibleProvider } from './models/resolve.js';
export { TestLanguageModel, type MockCursor } from './models/test-provider.js';
export { addCallUsage, costOf, emptyUsage, priceTable } from './models/pricing.js';
export { explainTemplateError, renderTemplate, renderValue } from './lib/template.js';
export { evaluateExpression, explainExpressionError } from './lib/expression.js';
export { evaluateTransform } from './lib/transform.js';
export { listMcpTools, type McpTarget, type McpToolInfo } from './kinds/tool/mcp.js';
export { describeViolations } from './lib/json-schema.js';
export { DEFAULT_ANSWER_SCHEMA, answerOf, questionWait, type Question } from './lib/question.js';
export { applyDefaults, problemsInWords, schemaErrors, schemaProblems, validateJson, type SchemaError, type SchemaProblem, type SchemaViolation } from './lib/json-schema-validate.js';
export { callModel, callPrompt, type ModelCallContext, type ModelCallOptions, type ModelCallResult, type PromptCallOptions } from './lib/model-call.js';
export { checkRules, maskSpan, type GuardrailResult, type RuleVerdict, type SpanVerdict } from './lib/guardrails/check.js';
