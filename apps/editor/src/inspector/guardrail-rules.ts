/** The list editing behind a guardrail's rules: pure, so the rules are easy to test. */
import { guardrailRules } from '@trellis/nodes';

const { GuardrailRule, PII_ENTITIES, RULE_TYPES, checkRuleList, ruleTitle } = guardrailRules;

export type RuleType = (typeof RULE_TYPES)[number];
export type PiiEntity = (typeof PII_ENTITIES)[number];
/** A rule as the form holds it: its fields as they are, perhaps half-edited. */
export type RuleDraft = Record<string, unknown> & { type: string };

export { PII_ENTITIES, RULE_TYPES };

export const RULE_TYPE_LABELS: Record<RuleType, string> = {
  pii: 'Personal data (PII)',
  secrets: 'Secrets and API keys',
  regex: 'Regex (allow, deny, redact)',
  terms: 'Blocked terms',
  length: 'Length bounds',
  schema: 'JSON Schema',
  model: 'Model-judged check',
};

export const PII_LABELS: Record<PiiEntity, string> = {
  email: 'E-mail addresses',
  phone: 'Phone numbers',
  card: 'Payment cards (Luhn-checked)',
  iban: 'IBANs',
  ip: 'IP addresses',
  national_id: 'National ids (SSN, NINO, DNI, Aadhaar)',
};

/** Reads the rules of a config as they are, tolerating a list half-edited by hand. */
export function readRules(value: unknown): RuleDraft[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw) => {
    const rule = (typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? raw : {}) as Record<string, unknown>;
    return { ...rule, type: typeof rule.type === 'string' ? rule.type : '' };
  });
}

/** A fresh rule of a type: valid as it stands, so adding one never leaves the flow broken. */
export function newRule(type: RuleType): RuleDraft {
  switch (type) {
    case 'pii':
      return { type, entities: [...PII_ENTITIES], action: 'redact', country: 'US' };
    case 'secrets':
      return { type, action: 'block' };
    case 'regex':
      return { type, pattern: '\\bconfidential\\b', mode: 'deny', caseInsensitive: true };
    case 'terms':
      return { type, terms: ['confidential'], action: 'block', wholeWords: true };
    case 'length':
      return { type, max: 10_000, unit: 'characters' };
    case 'schema':
      return { type, schema: { type: 'object' } };
    case 'model':
      return { type, check: 'prompt_injection', model: 'openai:gpt-4.1-mini', threshold: 0.7 };
  }
}

/** Another type for a rule: its label stays, the rest starts afresh. */
export function changeType(rule: RuleDraft, type: RuleType): RuleDraft {
  const next = newRule(type);
  return typeof rule.label === 'string' && rule.label ? { ...next, label: rule.label } : next;
}

/** Sets a field; `undefined` (an emptied optional field) removes it. */
export function setField(rule: RuleDraft, key: string, value: unknown): RuleDraft {
  const next: RuleDraft = { ...rule };
  if (value === undefined || value === '') delete next[key];
  else next[key] = value;
  return next;
}

/** Ticks or unticks a kind of personal data, keeping the list in its usual order. */
export function toggleEntity(rule: RuleDraft, entity: PiiEntity, on: boolean): RuleDraft {
  const current = new Set(Array.isArray(rule.entities) ? (rule.entities as string[]) : PII_ENTITIES);
  if (on) current.add(entity);
  else current.delete(entity);
  return { ...rule, entities: PII_ENTITIES.filter((e) => current.has(e)) };
}

/** Terms as typed, one a line; blank lines are dropped. */
export const parseTerms = (text: string): string[] =>
  text
    .split('\n')
    .map((t) => t.trim())
    .filter(Boolean);

export const termsText = (rule: RuleDraft): string => (Array.isArray(rule.terms) ? (rule.terms as unknown[]).map(String).join('\n') : '');

/** A number field's text: empty is no value, anything else must be a number. */
export function parseNumber(text: string): { ok: true; value: number | undefined } | { ok: false } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: undefined };
  const n = Number(trimmed);
  return Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
}

/** What is wrong with a rule as it stands, in words, checked as the loader will check it. */
export function ruleProblems(rule: RuleDraft): string[] {
  const parsed = GuardrailRule.safeParse(rule);
  if (!parsed.success) {
    return parsed.error.issues.map((issue) => {
      if (issue.path[0] === 'type') return `unknown rule type "${rule.type}"`;
      const where = issue.path.map(String).join('.');
      return where ? `${where}: ${issue.message}` : issue.message;
    });
  }
  return checkRuleList([parsed.data], []).map((p) => p.message.replace(/^rule 1: /, ''));
}

/** The rule's name in the form: its label, or what it checks. */
export function ruleName(rule: RuleDraft): string {
  const parsed = GuardrailRule.safeParse(rule);
  if (parsed.success) return ruleTitle(parsed.data);
  return typeof rule.label === 'string' && rule.label ? rule.label : (RULE_TYPE_LABELS[rule.type as RuleType] ?? 'Unknown rule');
}
