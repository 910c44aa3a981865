import { checkRules } from '../../lib/guardrails/check.js';
import { renderValue } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import { GUARDRAIL_FAIL, GUARDRAIL_PASS, type GuardrailConfig } from './spec.js';

/**
 * Output: `{ passed, value, redactions, verdicts }`, where `value` is what was checked with every
 * redaction applied (what the next step should use). The original is not repeated, so the
 * guardrail itself puts no personal data it found into the trace. The decision lists each
 * rule's verdict, spans masked.
 */
export const guardrailExecutor = defineExecutor<GuardrailConfig>({
  type: 'guardrail',
  async execute(ctx) {
    const { config, scope } = ctx;
    const value = await renderValue(config.value, scope);
    const result = await checkRules(config.rules, value, ctx);
    return {
      status: 'done',
      output: result,
      ports: [result.passed ? GUARDRAIL_PASS : GUARDRAIL_FAIL],
      decision: { passed: result.passed, redactions: result.redactions, verdicts: result.verdicts },
    };
  },
});
