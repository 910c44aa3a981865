import type { Experiment, ExperimentComparison, ExperimentRow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { filterRows, metrics } from '../src/evals/compare';
import { chartData, deltaTone, formatDelta, formatMs, formatRate, formatScore, formatUsd, progressPercent, scorerIds, summarize } from '../src/evals/format';
import { csvHeader, defaultTarget, formatOfFile, guessFormat, importProblems, mappingFor, problemPlace, targetsFor, unmappedFields } from '../src/evals/import';
import { buildScorer, draftOf, emptyDraft, parseScorersJson } from '../src/evals/scorers';
import { hashOfRoute, routeFromHash, sectionOf } from '../src/routes';

describe('the evals routes', () => {
  it('reads and writes the datasets, experiments and compare addresses', () => {
    expect(routeFromHash('#/datasets')).toEqual({ page: 'datasets' });
    expect(routeFromHash('#/datasets/support%20tickets')).toEqual({ page: 'dataset', id: 'support tickets' });
    expect(routeFromHash('#/experiments')).toEqual({ page: 'experiments' });
    expect(routeFromHash('#/experiments?dataset=t&new=1')).toEqual({ page: 'experiments', query: 'dataset=t&new=1' });
    expect(routeFromHash('#/experiments/abc-1')).toEqual({ page: 'experiment', id: 'abc-1' });
    expect(routeFromHash('#/experiments/compare?base=a&candidate=b')).toEqual({ page: 'compare', base: 'a', candidate: 'b' });
    for (const hash of ['#/datasets', '#/datasets/t', '#/experiments', '#/experiments?dataset=t', '#/experiments/x', '#/experiments/compare?base=a&candidate=b']) {
      expect(hashOfRoute(routeFromHash(hash))).toBe(hash);
    }
    expect(sectionOf({ page: 'dataset', id: 't' })).toBe('datasets');
    expect(sectionOf({ page: 'compare', base: 'a', candidate: 'b' })).toBe('experiments');
  });
});

describe('evals formatting', () => {
  it('says scores, rates, durations, dollars and deltas', () => {
    expect(formatScore(0.833)).toBe('0.83');
    expect(formatScore(null)).toBe('—');
    expect(formatRate(0.666)).toBe('67%');
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(1234)).toBe('1.23 s');
    expect(formatUsd(0.00123)).toBe('$0.0012');
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(null)).toBe('—');
    expect(formatDelta(-0.25, 'score')).toBe('-0.25');
    expect(formatDelta(120, 'ms')).toBe('+120 ms');
    expect(formatDelta(0, 'count')).toBe('±0');
    expect(formatDelta(1500, 'count')).toBe('+1,500');
    expect(formatDelta(null, 'usd')).toBe('—');
    expect(deltaTone(0.1, true)).toBe('better');
    expect(deltaTone(0.1, false)).toBe('worse');
    expect(deltaTone(0, true)).toBe('same');
  });

  it('sums a value up on one line', () => {
    expect(summarize({ message: 'Hi\nthere', customerId: 'cus_1' })).toBe('message: Hi there · customerId: cus_1');
    expect(summarize('x'.repeat(100), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(summarize([1, 2])).toBe('[1,2]');
    expect(summarize(undefined)).toBe('—');
  });

  it('names scorers as the runner does and measures progress', () => {
    expect(scorerIds([{ type: 'exact' }, { type: 'contains' }, { type: 'contains' }, { type: 'regex', id: 'mine', pattern: 'a' }])).toEqual(['exact', 'contains', 'contains-2', 'mine']);
    expect(progressPercent({ rowsDone: 1, rowsTotal: 3, status: 'running' })).toBe(33);
    expect(progressPercent({ rowsDone: 0, rowsTotal: 0, status: 'completed' })).toBe(100);
  });

  it('lays the rows out for the charts', () => {
    const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: null };
    const rows: ExperimentRow[] = [
      { index: 0, status: 'succeeded', input: {}, scores: { exact: { score: 1, passed: true } }, durationMs: 10, usage },
      { index: 1, status: 'failed', input: {}, scores: {}, durationMs: 20, usage: { ...usage, costUsd: 0.5 } },
    ];
    expect(chartData(rows, ['exact'])).toEqual({ rows: [1, 2], scores: [{ id: 'exact', values: [1, null] }], latencyMs: [10, 20], costUsd: [null, 0.5] });
  });
});

describe('the import helpers', () => {
  it('reads the header of a CSV, quotes and all', () => {
    expect(csvHeader('message,customerId,expected\n"a",b,c')).toEqual(['message', 'customerId', 'expected']);
    expect(csvHeader('\uFEFF"the, message","say ""hi""",x\r\n1,2,3')).toEqual(['the, message', 'say "hi"', 'x']);
    expect(csvHeader('')).toEqual([]);
  });

  it('tells the format from a name or the text', () => {
    expect(formatOfFile('rows.CSV')).toBe('csv');
    expect(formatOfFile('rows.jsonl')).toBe('jsonl');
    expect(formatOfFile('rows.txt')).toBeUndefined();
    expect(guessFormat('  {"input": {}}\n')).toBe('jsonl');
    expect(guessFormat('a,b\n1,2')).toBe('csv');
  });

  it('maps each column where the runner would, and as chosen', () => {
    const fields = ['message', 'customerId'];
    expect(defaultTarget('Message', fields)).toBe('input.message');
    expect(defaultTarget('expected', fields)).toBe('expected');
    expect(defaultTarget('note', fields)).toBe('input.note');
    expect(targetsFor('note', fields).map((t) => t.value)).toEqual(['input.message', 'input.customerId', 'input.note', 'input', 'expected', 'expected.note', 'metadata.note', 'skip']);
    const mapping = mappingFor(['message', 'note', 'expected'], fields, { note: 'metadata.note' });
    expect(mapping).toEqual({ message: 'input.message', note: 'metadata.note', expected: 'expected' });
    expect(unmappedFields(mapping, fields)).toEqual(['customerId']);
    expect(unmappedFields({ raw: 'input' }, fields)).toEqual([]);
  });

  it("reads the runner's problems by row and field", () => {
    const problems = importProblems({ problems: [{ row: 2, field: 'input.customerId', message: 'is required', path: 'row 2, input.customerId' }, { row: 0, message: 'no rows' }, 'junk'] });
    expect(problems).toEqual([{ row: 2, field: 'input.customerId', message: 'is required' }, { row: 0, message: 'no rows' }]);
    expect(problems.map(problemPlace)).toEqual(['Row 2, input.customerId', 'The file']);
    expect(importProblems(undefined)).toEqual([]);
  });
});

describe('the scorers editor model', () => {
  it('builds each type from its fields, and says what is missing', () => {
    expect(buildScorer({ ...emptyDraft('exact'), path: 'route' })).toEqual({ ok: true, scorer: { type: 'exact', path: 'route' } });
    expect(buildScorer({ ...emptyDraft('contains'), value: 'Hi', ignoreCase: true })).toEqual({ ok: true, scorer: { type: 'contains', value: 'Hi', ignoreCase: true } });
    expect(buildScorer(emptyDraft('regex'))).toEqual({ ok: false, problem: 'give the pattern' });
    expect(buildScorer({ ...emptyDraft('regex'), pattern: 'a', flags: 'x' })).toMatchObject({ ok: false, problem: expect.stringContaining('flags') });
    expect(buildScorer({ ...emptyDraft('numeric'), tolerance: 'abc' })).toEqual({ ok: false, problem: 'the tolerance must be a number' });
    expect(buildScorer({ ...emptyDraft('numeric'), tolerance: '0.5' })).toEqual({ ok: true, scorer: { type: 'numeric', tolerance: 0.5 } });
    expect(buildScorer({ ...emptyDraft('json_schema'), schema: '{' })).toMatchObject({ ok: false, problem: expect.stringContaining('not JSON') });
    expect(buildScorer({ ...emptyDraft('judge'), rubricName: 'grader', model: 'openai:gpt-4.1-mini', rubricVersion: '2', threshold: '0.7' })).toEqual({
      ok: true,
      scorer: { type: 'judge', rubric: { name: 'grader', version: 2 }, model: 'openai:gpt-4.1-mini', threshold: 0.7 },
    });
    expect(buildScorer({ ...emptyDraft('exact'), id: 'Bad Id' })).toMatchObject({ ok: false, problem: expect.stringContaining('id') });
  });

  it('goes from a scorer to a draft and back', () => {
    for (const scorer of [
      { type: 'regex', pattern: '^a', flags: 'i', path: 'reply' },
      { type: 'cel', expression: 'output.route == expected.route', id: 'route' },
      { type: 'json_schema', schema: { type: 'object' } },
      { type: 'judge', rubric: { name: 'r', version: 1 }, model: 'openai:gpt-4.1-mini' },
    ] as const) {
      expect(buildScorer(draftOf(scorer))).toEqual({ ok: true, scorer });
    }
  });

  it('reads scorers written as JSON, naming the one that is wrong', () => {
    expect(parseScorersJson('[{"type":"exact"}]')).toEqual({ ok: true, scorers: [{ type: 'exact' }] });
    expect(parseScorersJson('{')).toMatchObject({ ok: false });
    expect(parseScorersJson('[]')).toEqual({ ok: false, problem: 'Add at least one scorer.' });
    expect(parseScorersJson('[{"type":"exact"},{"type":"nope"}]')).toMatchObject({ ok: false, problem: expect.stringMatching(/^Scorer 2/) });
  });
});

describe('the compare helpers', () => {
  const experiment = (id: string, mean: number, latency: number): Experiment => ({
    id,
    flowId: 'f',
    flowVersion: 1,
    datasetId: 'd',
    datasetVersion: 1,
    scorers: [{ type: 'exact' }],
    concurrency: 4,
    live: false,
    status: 'completed',
    rowsTotal: 2,
    rowsDone: 2,
    createdAt: '2025-01-01T00:00:00.000Z',
    summary: { rows: 2, succeeded: 2, failed: 0, scorers: [{ id: 'exact', type: 'exact', mean, passRate: mean, scored: 2, errors: 0 }], latencyMs: { p50: latency, p95: latency, mean: latency }, tokens: { total: 0, mean: 0 }, costUsd: null, durationMs: 5 },
  });
  const comparison: ExperimentComparison = {
    base: experiment('a', 1, 100),
    candidate: experiment('b', 0.5, 80),
    scoreDeltas: { exact: -0.5 },
    latencyDeltaMs: -20,
    costDeltaUsd: null,
    tokensDelta: 0,
    rows: [
      { index: 0, input: {}, change: 'same' },
      { index: 1, input: {}, change: 'regressed' },
      { index: 2, input: {}, change: 'improved' },
    ],
    improved: 1,
    regressed: 1,
  };

  it('filters the rows', () => {
    expect(filterRows(comparison.rows, 'regressed').map((r) => r.index)).toEqual([1]);
    expect(filterRows(comparison.rows, 'changed').map((r) => r.index)).toEqual([1, 2]);
    expect(filterRows(comparison.rows, 'all')).toHaveLength(3);
  });

  it('puts the figures side by side with the change and whether it is better', () => {
    const m = metrics(comparison);
    expect(m.find((x) => x.label === 'exact: mean score')).toEqual({ label: 'exact: mean score', base: '1.00', candidate: '0.50', delta: '-0.50', tone: 'worse' });
    expect(m.find((x) => x.label === 'exact: passed')).toMatchObject({ delta: '-50 pts', tone: 'worse' });
    expect(m.find((x) => x.label === 'Latency (mean)')).toMatchObject({ delta: '-20 ms', tone: 'better' });
    expect(m.find((x) => x.label === 'Cost')).toMatchObject({ base: '—', delta: '—', tone: 'same' });
  });
});
