import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { checkTemplate } from '../../lib/template.js';
import { modelPolicy } from '../../lib/policy.js';
import { checkRuleList, GuardrailRules } from '../../lib/guardrails/rules.js';

export const GuardrailConfig = z.object({
  /**
   * What is checked: a template over the scope. Exactly one `{{ … }}` keeps the type of what it
   * names (data is checked string by string); anything else is rendered as text.
   */
  value: z.string().min(1, 'say what to check, e.g. {{ input.message }}').max(20_000),
  /** Checked in order, each on the value as the rules before it left it; the first failure ends the check. */
  rules: GuardrailRules,
});
export type GuardrailConfig = z.infer<typeof GuardrailConfig>;

export const GUARDRAIL_PASS = 'pass';
export const GUARDRAIL_FAIL = 'fail';

export const guardrailSpec = defineKind<GuardrailConfig>({
  type: 'guardrail',
  version: 1,
  label: 'Guardrail',
  description: 'Checks text or data against ordered rules (personal data, secrets, patterns, terms, length, schema, model-judged); may redact; routes pass or fail.',
  category: 'logic',
  configSchema: GuardrailConfig,
  defaults: () => ({
    value: '{{ input.message }}',
    rules: [{ type: 'pii', entities: ['email', 'phone', 'card', 'iban', 'ip', 'national_id'], action: 'redact', country: 'US' }, { type: 'secrets', action: 'block' }],
  }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      { id: GUARDRAIL_PASS, label: 'Pass', type: 'data' },
      {
        id: GUARDRAIL_FAIL,
        label: 'Fail',
        type: 'data',
        unwired: 'nothing is wired to Fail: a value that fails the rules would end the run here, succeeding with no output from this branch; wire Fail to an output (or a step) that says what happens then',
      },
    ],
  }),
  check: (config, ctx) => [...checkTemplate(config.value, ctx, ['value']), ...checkRuleList(config.rules, ['rules'])],
  fields: [
    { path: 'value', label: 'Value to check', widget: 'template', help: 'e.g. {{ input.message }}; one {{ … }} alone keeps data as data (each string in it is checked).' },
    { path: 'rules', label: 'Rules', widget: 'guardrail-rules', help: 'Checked in order; the first that fails routes to fail and the rest are skipped.' },
  ],
  // Pattern rules take well under a millisecond; a model-judged rule is a model call and needs a model call's time and retries.
  defaultPolicy: modelPolicy,
});
