// Scorers: how well one row's output does, from 0 to 1, with why when it is not 1. Deterministic
// ones (exact, contains, regex, JSON match, JSON Schema, CEL, numeric) and a model judge whose
// rubric is a library prompt at a pinned version.
import { isDeepStrictEqual } from 'node:util';
import { RE2JS } from 're2js';
import { caseWords, type RunStatus, type Scorer, type ScoreResult, type Usage } from '@trellis/schema';
import { callPrompt, emptyUsage, evaluateExpression, renderTemplate, schemaProblems, type ModelResolver } from '@trellis/nodes/server';
import { metered } from '../engine/meter.js';
import type { PromptResolver } from '../engine/prompts.js';
import { valueAt } from '../testing/value-at.js';

/** What a scorer sees of a row. */
export interface Scored {
  status: RunStatus;
  output: unknown;
  expected: unknown;
  input: unknown;
  metadata: Record<string, unknown> | undefined;
}

/** A model judge's needs: the library (for the rubric) and the models. */
export interface JudgeDeps {
  prompts: PromptResolver | undefined;
  models: ModelResolver;
  prices: Record<string, readonly [number, number]>;
  signal: AbortSignal;
}

/** The scorers with their ids: given, else their type (`exact`), numbered when a type repeats (`contains-2`). */
export function withIds(scorers: readonly Scorer[]): (Scorer & { id: string })[] {
  const seen = new Map<string, number>();
  return scorers.map((scorer) => {
    if (scorer.id) return { ...scorer, id: scorer.id };
    const n = (seen.get(scorer.type) ?? 0) + 1;
    seen.set(scorer.type, n);
    return { ...scorer, id: n === 1 ? scorer.type : `${scorer.type}-${n}` };
  });
}

/** Every scorer's verdict on a row, by scorer id; the judge's model usage is added to `usage`. */
export async function scoreRow(scorers: readonly (Scorer & { id: string })[], row: Scored, judge: JudgeDeps, usage: Usage): Promise<Record<string, ScoreResult>> {
  const scores: Record<string, ScoreResult> = {};
  for (const scorer of scorers) {
    try {
      scores[scorer.id] = row.status === 'succeeded' ? await scoreOne(scorer, row, judge, usage) : { score: 0, passed: false, reason: `the run ${row.status}` };
    } catch (error) {
      scores[scorer.id] = { score: null, passed: false, reason: (error as Error).message };
    }
  }
  return scores;
}

const binary = (ok: boolean, why: string): ScoreResult => (ok ? { score: 1, passed: true } : { score: 0, passed: false, reason: why });

async function scoreOne(scorer: Scorer, row: Scored, judge: JudgeDeps, usage: Usage): Promise<ScoreResult> {
  const output = at(row.output, scorer.path, 'output');
  const expected = () => at(row.expected, scorer.expectedPath, 'expected');
  const { short } = caseWords;
  switch (scorer.type) {
    case 'exact': {
      const want = expected();
      return binary(isDeepStrictEqual(output, want), `expected ${short(want)}, got ${short(output)}`);
    }
    case 'contains': {
      const want = scorer.value ?? expected();
      if (typeof output !== 'string' || typeof want !== 'string') throw new Error(`contains compares text: the output is ${typeof output} and the value ${typeof want}`);
      const [hay, needle] = scorer.ignoreCase ? [output.toLowerCase(), want.toLowerCase()] : [output, want];
      return binary(hay.includes(needle), `the output does not contain ${short(want)}`);
    }
    case 'regex': {
      if (typeof output !== 'string') throw new Error(`regex matches text: the output is ${typeof output}`);
      const flags = (scorer.flags?.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (scorer.flags?.includes('m') ? RE2JS.MULTILINE : 0) | (scorer.flags?.includes('s') ? RE2JS.DOTALL : 0);
      return binary(RE2JS.compile(scorer.pattern, flags).matcher(output).find(), `the output does not match /${scorer.pattern}/`);
    }
    case 'json_match': {
      const { matched, total, first } = matchFields(output, expected(), '');
      if (total === 0) return binary(true, '');
      const score = matched / total;
      return { score, passed: score === 1, ...(first ? { reason: `${matched} of ${total} fields match; ${first}` } : {}) };
    }
    case 'json_schema': {
      const problems = schemaProblems(output, scorer.schema, 'the output');
      return binary(problems.length === 0, problems.slice(0, 3).map((p) => p.message).join('; '));
    }
    case 'cel': {
      const value = evaluateExpression(scorer.expression, { output: output ?? null, expected: row.expected ?? null, input: row.input ?? null, metadata: row.metadata ?? {} });
      if (typeof value === 'boolean') return binary(value, `${scorer.expression} is false`);
      if (typeof value === 'number' && value >= 0 && value <= 1) return { score: value, passed: value >= 0.5 };
      throw new Error(`${scorer.expression} gave ${short(value)}, not true, false or a number from 0 to 1`);
    }
    case 'numeric': {
      const want = expected();
      if (typeof output !== 'number' || typeof want !== 'number') throw new Error(`numeric compares numbers: got ${short(output)} against ${short(want)}`);
      const allowed = Math.max(scorer.tolerance ?? 0, (scorer.relative ?? 0) * Math.abs(want));
      return binary(Math.abs(output - want) <= allowed, `${output} is ${Math.abs(output - want)} from ${want} (allowed ${allowed})`);
    }
    case 'judge':
      return judgeRow(scorer, row, output, judge, usage);
  }
}

const JUDGE_SCHEMA = {
  type: 'object',
  properties: { score: { type: 'number', minimum: 0, maximum: 1 }, reason: { type: 'string' } },
  required: ['score', 'reason'],
  additionalProperties: false,
};

/** The judge: the rubric rendered with the row, sent to the model, which answers `{ score, reason }`. */
async function judgeRow(scorer: Extract<Scorer, { type: 'judge' }>, row: Scored, output: unknown, deps: JudgeDeps, usage: Usage): Promise<ScoreResult> {
  const rubric = await deps.prompts?.resolve(scorer.rubric.name, scorer.rubric.version);
  if (!rubric) throw new Error(`the rubric prompt "${scorer.rubric.name}@${scorer.rubric.version}" is not in the library`);
  const prompt = await renderTemplate(rubric.template, { input: row.input ?? null, output: output ?? null, expected: row.expected ?? null, metadata: row.metadata ?? {} });
  const judged = emptyUsage();
  const result = await callPrompt(
    {
      signal: deps.signal,
      emit: () => {},
      live: () => false,
      model: (requested: string) => metered(deps.models({ requested, nodeId: `judge:${scorer.id}`, mocks: undefined, cursor: { value: 0 } }).model, { run: usage, node: judged }, undefined, deps.prices),
    },
    {
      model: scorer.model,
      system: 'You grade an AI workflow\'s answer with the rubric given. Answer JSON: {"score": a number from 0 (fails the rubric) to 1 (meets it fully), "reason": one or two sentences}.',
      prompt,
      schema: JUDGE_SCHEMA,
      temperature: 0,
    },
  );
  const { score, reason } = (result.output ?? {}) as { score?: unknown; reason?: unknown };
  if (typeof score !== 'number' || score < 0 || score > 1) throw new Error(`the judge answered ${caseWords.short(result.output ?? result.text)}, not a score from 0 to 1`);
  return { score, passed: score >= (scorer.threshold ?? 0.5), ...(typeof reason === 'string' ? { reason } : {}) };
}

/** The value at a dot path (the whole value without one); an error naming the path when there is nothing there. */
function at(value: unknown, path: string | undefined, what: string): unknown {
  if (path === undefined) return value;
  const found = valueAt(value, path);
  if (!found.found) throw new Error(`the ${what} has nothing at "${found.missing}"`);
  return found.value;
}

/** How many of the expected value's leaves the output has with the same value, and the first that differs. */
function matchFields(actual: unknown, expected: unknown, path: string): { matched: number; total: number; first?: string } {
  if (typeof expected === 'object' && expected !== null) {
    let matched = 0;
    let total = 0;
    let first: string | undefined;
    const entries = Array.isArray(expected) ? expected.map((v, i) => [String(i), v] as const) : Object.entries(expected);
    for (const [key, value] of entries) {
      const child = typeof actual === 'object' && actual !== null && Object.hasOwn(actual, key) ? (actual as Record<string, unknown>)[key] : undefined;
      const found = matchFields(child, value, path ? `${path}.${key}` : key);
      matched += found.matched;
      total += found.total;
      first ??= found.first;
    }
    return { matched, total, ...(first ? { first } : {}) };
  }
  if (isDeepStrictEqual(actual, expected)) return { matched: 1, total: 1 };
  return { matched: 0, total: 1, first: `${path || 'the output'}: expected ${caseWords.short(expected)}, got ${caseWords.short(actual)}` };
}
