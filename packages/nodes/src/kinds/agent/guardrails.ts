/**
 * An agent's input and output guardrails: the guardrail node's rules (`lib/guardrails`, the same
 * zod and the same `checkRules`), checked around the step's conversation.
 *
 * - input: the step agent's rendered task, before any model call. A failing rule fails the step
 *   (`guardrail_tripped`, naming the rule); a redacting rule passes the cleaned task on, so the
 *   model never sees what was redacted.
 * - output: the step's final answer (whichever agent gave it, after handoffs). A redacting rule
 *   cleans the output; a failing rule fails the step (`onOutputFail: fail`) or feeds the reason
 *   (the rule's title and what it found, masked) back to the agent as a user message for it to
 *   answer again (`retry`), up to `maxRetries` times, then fails the step.
 *
 * Every check is a `node.guardrail` event carrying the guardrail node's decision (spans masked).
 * Model-judged rules call the model through the agent's context, as the guardrail node does: usage,
 * budget and mock replies (by the agent's node id, in call order with its turns) all apply.
 * Only the step's own agent's guardrails are checked; those of agents attached to it are not.
 */
import type { ModelMessage } from 'ai';
import { TrellisError } from '../../errors.js';
import { checkRules, type GuardrailResult, type RuleVerdict } from '../../lib/guardrails/check.js';
import type { ExecContext } from '../../runtime.js';
import { GUARDRAIL_TRIPPED, type AgentGuardrails } from './guardrails-config.js';

/** The part of an agent step's saved progress the guardrails use. */
export interface GuardedLoop {
  messages: ModelMessage[];
  /** Output checks made so far (the retries are one fewer); saved with the step's progress. */
  outputChecks?: number;
}

type Config = { guardrails?: AgentGuardrails | undefined };

/** The rule that failed, and what it found, in words that never repeat the raw data. */
export function failureReason(result: GuardrailResult): { rule: RuleVerdict | undefined; text: string } {
  const rule = result.verdicts.find((v) => !v.passed && v.outcome !== 'skipped');
  if (!rule) return { rule, text: 'a guardrail failed' };
  const found = rule.spans?.length
    ? `found ${rule.found ?? rule.spans.length}: ${rule.spans.slice(0, 3).map((s) => s.shown).join(', ')}${(rule.found ?? 0) > 3 ? ', …' : ''}`
    : undefined;
  const score = rule.score === undefined ? undefined : `score ${rule.score}, fails at ${rule.threshold ?? '?'}`;
  const why = [found, rule.detail, score, rule.reason].filter(Boolean).join('; ');
  return { rule, text: `"${rule.title}" (${rule.outcome}${why ? `: ${why}` : ''})` };
}

function report(ctx: ExecContext<Config>, stage: 'input' | 'output', attempt: number, result: GuardrailResult, then: 'continue' | 'retry' | 'fail'): void {
  ctx.emit({
    type: 'node.guardrail',
    data: { stage, attempt, passed: result.passed, redactions: result.redactions, verdicts: result.verdicts.map((v) => ({ ...v })), then },
  });
}

function tripped(ctx: ExecContext<Config>, stage: 'input' | 'output', result: GuardrailResult, retries: number): TrellisError {
  const { rule, text } = failureReason(result);
  const after = retries ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
  const what = stage === 'input' ? 'its task' : 'its answer';
  return new TrellisError(GUARDRAIL_TRIPPED, `agent "${ctx.node.id}": ${what} failed the ${stage} guardrail ${text}${after}`, {
    details: { stage, rule: rule ? { index: rule.rule, type: rule.type, title: rule.title } : undefined, verdicts: result.verdicts },
  });
}

/**
 * Checks a new step's task (the loop's first user message) against the input rules, before any
 * model call: throws `guardrail_tripped` on a failing rule, puts the cleaned task in the loop on a
 * redaction, and saves the loop so a step resumed later does not check it again.
 */
export async function guardInput(ctx: ExecContext<Config>, loop: GuardedLoop): Promise<void> {
  const rules = ctx.config.guardrails?.input;
  const first = loop.messages[0];
  if (!rules?.length || first?.role !== 'user' || typeof first.content !== 'string') return;
  const result = await checkRules(rules, first.content, ctx);
  report(ctx, 'input', 1, result, result.passed ? 'continue' : 'fail');
  if (!result.passed) throw tripped(ctx, 'input', result, 0);
  first.content = typeof result.value === 'string' ? result.value : JSON.stringify(result.value);
  await ctx.save?.(structuredClone(loop));
}

/**
 * Checks the step's answer against the output rules. Returns true when the agent is to answer
 * again (the reason is in the loop as a user message, the loop saved); otherwise the answer
 * passed (`outcome.output` now the cleaned value) or it throws `guardrail_tripped`.
 */
export async function guardOutput(ctx: ExecContext<Config>, loop: GuardedLoop, outcome: { output: unknown }, save: () => Promise<void>): Promise<boolean> {
  const guardrails = ctx.config.guardrails;
  const rules = guardrails?.output;
  if (!rules?.length) return false;
  const attempt = (loop.outputChecks ?? 0) + 1;
  const result = await checkRules(rules, outcome.output, ctx);
  loop.outputChecks = attempt;
  if (result.passed) {
    report(ctx, 'output', attempt, result, 'continue');
    outcome.output = result.value;
    return false;
  }
  const retries = attempt - 1;
  if (guardrails?.onOutputFail !== 'retry' || retries >= guardrails.maxRetries) {
    report(ctx, 'output', attempt, result, 'fail');
    throw tripped(ctx, 'output', result, retries);
  }
  report(ctx, 'output', attempt, result, 'retry');
  loop.messages.push({
    role: 'user',
    content: `Your answer did not pass the guardrail ${failureReason(result).text}. Answer again so that it passes; do not mention this check.`,
  });
  await save();
  return true;
}
