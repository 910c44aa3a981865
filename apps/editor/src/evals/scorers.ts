/**
 * The scorers editor's model: a scorer being written (every field as text, so a half-typed number
 * is kept), what each type asks for, and the Scorer the runner is sent. Pure, tested without a browser.
 */
import { Scorer } from '@trellis/schema';

export type ScorerType = Scorer['type'];

/** Each type in words, in the order the picker offers them. */
export const SCORER_TYPES: ReadonlyArray<{ type: ScorerType; label: string; about: string }> = [
  { type: 'exact', label: 'Exact match', about: 'The output equals the expected value.' },
  { type: 'json_match', label: 'JSON match', about: "The share of the expected value's fields the output has with the same value." },
  { type: 'contains', label: 'Contains', about: 'The output text holds a text (or the expected text).' },
  { type: 'regex', label: 'Regular expression', about: 'The output text matches a pattern.' },
  { type: 'json_schema', label: 'JSON Schema', about: 'The output matches a JSON Schema.' },
  { type: 'numeric', label: 'Number', about: 'A number within a tolerance of the expected number.' },
  { type: 'cel', label: 'CEL expression', about: 'An expression over output, expected, input and metadata: true/false or 0 to 1.' },
  { type: 'judge', label: 'Model judge', about: 'A model grades the output with a rubric from the prompt library.' },
];

/** A scorer as typed: every field text (or a box), whatever the type, so changing the type keeps what was typed. */
export interface ScorerDraft {
  type: ScorerType;
  id: string;
  path: string;
  expectedPath: string;
  value: string;
  ignoreCase: boolean;
  pattern: string;
  flags: string;
  schema: string;
  expression: string;
  tolerance: string;
  relative: string;
  rubricName: string;
  rubricVersion: string;
  model: string;
  threshold: string;
}

export const emptyDraft = (type: ScorerType = 'exact'): ScorerDraft => ({
  type,
  id: '',
  path: '',
  expectedPath: '',
  value: '',
  ignoreCase: false,
  pattern: '',
  flags: '',
  schema: '{\n  "type": "object"\n}',
  expression: '',
  tolerance: '',
  relative: '',
  rubricName: '',
  rubricVersion: '1',
  model: '',
  threshold: '',
});

export type Built = { ok: true; scorer: Scorer } | { ok: false; problem: string };

const optional = <K extends string>(key: K, text: string): Partial<Record<K, string>> => (text.trim() ? ({ [key]: text.trim() } as Record<K, string>) : {});

function number(label: string, text: string): number | undefined | string {
  if (!text.trim()) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : `${label} must be a number`;
}

/** The Scorer a draft stands for, checked against the schema the runner checks it with; or what is wrong, in words. */
export function buildScorer(d: ScorerDraft): Built {
  const base = { type: d.type, ...optional('id', d.id), ...optional('path', d.path), ...optional('expectedPath', d.expectedPath) };
  let candidate: Record<string, unknown>;
  switch (d.type) {
    case 'exact':
    case 'json_match':
      candidate = base;
      break;
    case 'contains':
      candidate = { ...base, ...(d.value ? { value: d.value } : {}), ...(d.ignoreCase ? { ignoreCase: true } : {}) };
      break;
    case 'regex':
      if (!d.pattern) return { ok: false, problem: 'give the pattern' };
      candidate = { ...base, pattern: d.pattern, ...optional('flags', d.flags) };
      break;
    case 'json_schema': {
      let schema: unknown;
      try {
        schema = JSON.parse(d.schema);
      } catch (error) {
        return { ok: false, problem: `the schema is not JSON: ${(error as Error).message}` };
      }
      if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return { ok: false, problem: 'the schema must be a JSON object' };
      candidate = { ...base, schema };
      break;
    }
    case 'cel':
      if (!d.expression.trim()) return { ok: false, problem: 'give the expression' };
      candidate = { ...base, expression: d.expression.trim() };
      break;
    case 'numeric': {
      const tolerance = number('the tolerance', d.tolerance);
      const relative = number('the relative tolerance', d.relative);
      for (const n of [tolerance, relative]) if (typeof n === 'string') return { ok: false, problem: n };
      candidate = { ...base, ...(tolerance === undefined ? {} : { tolerance }), ...(relative === undefined ? {} : { relative }) };
      break;
    }
    case 'judge': {
      if (!d.rubricName.trim()) return { ok: false, problem: 'choose the rubric prompt' };
      if (!d.model.trim()) return { ok: false, problem: 'give the model (e.g. openai:gpt-4.1-mini)' };
      const version = number('the rubric version', d.rubricVersion);
      const threshold = number('the threshold', d.threshold);
      for (const n of [version, threshold]) if (typeof n === 'string') return { ok: false, problem: n };
      candidate = { ...base, rubric: { name: d.rubricName.trim(), version: version ?? 1 }, model: d.model.trim(), ...(threshold === undefined ? {} : { threshold }) };
      break;
    }
  }
  const parsed = Scorer.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problem: `${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}` };
  }
  return { ok: true, scorer: parsed.data };
}

/** A scorer as a draft, to edit one written as JSON. */
export function draftOf(scorer: Scorer): ScorerDraft {
  const d = emptyDraft(scorer.type);
  d.id = scorer.id ?? '';
  d.path = scorer.path ?? '';
  d.expectedPath = scorer.expectedPath ?? '';
  switch (scorer.type) {
    case 'contains':
      d.value = scorer.value ?? '';
      d.ignoreCase = scorer.ignoreCase ?? false;
      break;
    case 'regex':
      d.pattern = scorer.pattern;
      d.flags = scorer.flags ?? '';
      break;
    case 'json_schema':
      d.schema = JSON.stringify(scorer.schema, null, 2);
      break;
    case 'cel':
      d.expression = scorer.expression;
      break;
    case 'numeric':
      d.tolerance = scorer.tolerance === undefined ? '' : String(scorer.tolerance);
      d.relative = scorer.relative === undefined ? '' : String(scorer.relative);
      break;
    case 'judge':
      d.rubricName = scorer.rubric.name;
      d.rubricVersion = String(scorer.rubric.version);
      d.model = scorer.model;
      d.threshold = scorer.threshold === undefined ? '' : String(scorer.threshold);
      break;
    default:
      break;
  }
  return d;
}

/** Scorers written as JSON (a list of them), checked; or what is wrong, with the scorer's place. */
export function parseScorersJson(text: string): { ok: true; scorers: Scorer[] } | { ok: false; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, problem: `This is not JSON: ${(error as Error).message}` };
  }
  if (!Array.isArray(value)) return { ok: false, problem: 'Write a list of scorers: [ { "type": "exact" }, … ]' };
  if (value.length === 0) return { ok: false, problem: 'Add at least one scorer.' };
  const scorers: Scorer[] = [];
  for (const [i, item] of value.entries()) {
    const parsed = Scorer.safeParse(item);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return { ok: false, problem: `Scorer ${i + 1}${issue.path.length ? `, ${issue.path.join('.')}` : ''}: ${issue.message}` };
    }
    scorers.push(parsed.data);
  }
  return { ok: true, scorers };
}
