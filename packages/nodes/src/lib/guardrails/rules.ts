/**
 * The rules a guardrail checks, as config: plain zod, safe in the browser (the editor draws and
 * checks them). The guardrail kind uses them today; an agent's input and output guardrails are
 * meant to take the same list. The checking itself is server-side, in `./check.ts`.
 */
import { z } from 'zod';
import type { KindProblem } from '@trellis/schema';
import { JsonSchemaObject } from '../json-schema.js';

const ModelId = z.string().regex(/^[a-z0-9][a-z0-9._-]*:.+$/, 'must be "provider:model", e.g. "openai:gpt-4.1-mini"');

export const PII_ENTITIES = ['email', 'phone', 'card', 'iban', 'ip', 'national_id'] as const;
export const PiiEntity = z.enum(PII_ENTITIES);
export type PiiEntity = z.infer<typeof PiiEntity>;

/** What a pattern rule does with what it finds: fail the check, or replace it and pass. */
export const RuleAction = z.enum(['block', 'redact']);

export const MODEL_CHECKS = ['prompt_injection', 'off_topic', 'custom'] as const;

/** The longest pattern a regex rule may have; matching is linear-time whatever the pattern (RE2). */
export const REGEX_MAX = 1_000;

const label = z.string().max(100).optional();
const replacement = z.string().max(100).optional();

export const PiiRule = z.object({
  type: z.literal('pii'),
  label,
  entities: z.array(PiiEntity).min(1, 'pick at least one kind of personal data').default([...PII_ENTITIES]),
  action: RuleAction.default('block'),
  /** Phone numbers written without `+country` are read as numbers of this country (ISO 3166 alpha-2). */
  country: z.string().regex(/^[A-Z]{2}$/, 'a two-letter country code, e.g. US or GB').default('US'),
});

export const SecretsRule = z.object({ type: z.literal('secrets'), label, action: RuleAction.default('block') });

export const RegexRule = z.object({
  type: z.literal('regex'),
  label,
  /** RE2 syntax (no lookaround, no backreferences): matching takes linear time on any input. */
  pattern: z.string().min(1, 'the rule needs a pattern').max(REGEX_MAX),
  /** deny: fails when the pattern is found; allow: fails unless it is found; redact: replaces each match and passes. */
  mode: z.enum(['deny', 'allow', 'redact']).default('deny'),
  caseInsensitive: z.boolean().default(false),
  replacement,
});

export const TermsRule = z.object({
  type: z.literal('terms'),
  label,
  /** Matched case-insensitively, as whole words unless `wholeWords` is off. */
  terms: z.array(z.string().trim().min(1, 'a term must not be empty').max(200)).min(1, 'list at least one term').max(1_000),
  action: RuleAction.default('block'),
  wholeWords: z.boolean().default(true),
  replacement,
});

export const LengthRule = z
  .object({
    type: z.literal('length'),
    label,
    min: z.number().int().min(0).optional(),
    max: z.number().int().min(1).optional(),
    unit: z.enum(['characters', 'words']).default('characters'),
  })
  .refine((r) => r.min !== undefined || r.max !== undefined, { message: 'set a minimum, a maximum or both', path: ['max'] })
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'the minimum is above the maximum', path: ['min'] });

export const SchemaRule = z.object({ type: z.literal('schema'), label, schema: JsonSchemaObject });

export const ModelRule = z.object({
  type: z.literal('model'),
  label,
  check: z.enum(MODEL_CHECKS).default('prompt_injection'),
  model: ModelId.default('openai:gpt-4.1-mini'),
  /** For `off_topic`: what the text should be about. */
  topic: z.string().max(2_000).optional(),
  /** For `custom`: what the text must satisfy, in plain words. */
  criterion: z.string().max(5_000).optional(),
  /** The rule fails when the model's score (0: surely fine, 1: surely not) reaches this. */
  threshold: z.number().min(0).max(1).default(0.7),
});

export const GuardrailRule = z.discriminatedUnion('type', [PiiRule, SecretsRule, RegexRule, TermsRule, LengthRule, SchemaRule, ModelRule]);
export type GuardrailRule = z.infer<typeof GuardrailRule>;
export type RuleType = GuardrailRule['type'];
export const RULE_TYPES = ['pii', 'secrets', 'regex', 'terms', 'length', 'schema', 'model'] as const satisfies readonly RuleType[];

export const GuardrailRules = z.array(GuardrailRule).min(1, 'add at least one rule').max(50);

/** What a rule is called in the trace and the form when it has no label of its own. */
export function ruleTitle(rule: GuardrailRule): string {
  if (rule.label) return rule.label;
  switch (rule.type) {
    case 'pii':
      return `personal data (${rule.entities.join(', ')})`;
    case 'secrets':
      return 'secrets and API keys';
    case 'regex':
      return `pattern /${rule.pattern.length > 40 ? `${rule.pattern.slice(0, 40)}…` : rule.pattern}/ (${rule.mode})`;
    case 'terms':
      return `blocked terms (${rule.terms.length})`;
    case 'length':
      return `length ${rule.min ?? 0}–${rule.max ?? '∞'} ${rule.unit}`;
    case 'schema':
      return 'JSON Schema';
    case 'model':
      return rule.check === 'prompt_injection' ? 'prompt injection (model)' : rule.check === 'off_topic' ? 'off topic (model)' : 'custom criterion (model)';
  }
}

// RE2 refuses these; JavaScript accepts them, so they are named here before a run finds out.
const NOT_RE2 = /\(\?<?[=!]|\\[1-9]|\\k</;

/** Why a regex rule's pattern will not compile, checked without the engine (the editor runs this). */
export function regexPatternProblem(pattern: string): string | undefined {
  if (NOT_RE2.test(pattern)) return 'lookarounds and backreferences are not supported (patterns run on RE2, in linear time)';
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    // A few RE2 forms JavaScript lacks, such as `(?i)`, are fine.
    if (!/\(\?[imsU-]+[):]/.test(pattern)) return (error as Error).message;
  }
  return undefined;
}

/** Problems of a rule list the schema cannot see: patterns that will not compile, model rules missing their topic. */
export function checkRuleList(rules: readonly GuardrailRule[], path: (string | number)[]): KindProblem[] {
  const problems: KindProblem[] = [];
  rules.forEach((rule, i) => {
    if (rule.type === 'regex') {
      const problem = regexPatternProblem(rule.pattern);
      if (problem) problems.push({ code: 'invalid_config', path: [...path, i, 'pattern'], message: `rule ${i + 1}: ${problem}` });
    }
    if (rule.type === 'model' && rule.check === 'off_topic' && !rule.topic?.trim()) {
      problems.push({ code: 'invalid_config', path: [...path, i, 'topic'], message: `rule ${i + 1}: say what the text should be about` });
    }
    if (rule.type === 'model' && rule.check === 'custom' && !rule.criterion?.trim()) {
      problems.push({ code: 'invalid_config', path: [...path, i, 'criterion'], message: `rule ${i + 1}: write the criterion the model judges` });
    }
  });
  return problems;
}

export { describeGuardrailDecision } from './describe.js';
