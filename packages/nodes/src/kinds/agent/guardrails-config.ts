/**
 * An agent's guardrails as config: the guardrail node's rules (its zod, not a copy), browser-safe
 * like the rest of the kind's spec. The checking is in ./guardrails.ts.
 */
import { z } from 'zod';
import type { KindProblem } from '@trellis/schema';
import { checkRuleList, GuardrailRule } from '../../lib/guardrails/rules.js';

/** The most times an agent may be asked to answer again after its answer failed a guardrail. */
export const MAX_GUARDRAIL_RETRIES = 5;

/** The error code of a step stopped by a guardrail. */
export const GUARDRAIL_TRIPPED = 'guardrail_tripped';

export const AgentGuardrails = z.object({
  /** Checked on the rendered task before the first model call, in order (the guardrail node's rules). */
  input: z.array(GuardrailRule).max(50).optional(),
  /** Checked on the step's final answer, in order. */
  output: z.array(GuardrailRule).max(50).optional(),
  /** What a failed output check does: fail the step, or tell the agent why and have it answer again. */
  onOutputFail: z.enum(['fail', 'retry']).default('fail'),
  /** Answers asked for again after failed output checks, before the step fails (`retry` only). */
  maxRetries: z.number().int().min(0).max(MAX_GUARDRAIL_RETRIES).default(2),
});
export type AgentGuardrails = z.infer<typeof AgentGuardrails>;

/** What the agent's `check` adds: the rule lists' own problems, as the guardrail kind finds them. */
export function checkGuardrails(guardrails: AgentGuardrails | undefined): KindProblem[] {
  return [
    ...checkRuleList(guardrails?.input ?? [], ['guardrails', 'input']),
    ...checkRuleList(guardrails?.output ?? [], ['guardrails', 'output']),
  ];
}
