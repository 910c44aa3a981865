// An experiment: a flow version run over a dataset's rows, several at once, each row scored.
// The same code serves the runner (results stored as they come) and `trellis eval` (in memory).
import type { DatasetRow, Experiment, ExperimentComparison, ExperimentRow, ExperimentSummary, Flow, Scorer, ScoreResult } from '@trellis/schema';
import type { ExperimentRowResult } from '../store/eval-store.js';
import { emptyUsage, type ModelResolver, type NetworkPolicy } from '@trellis/nodes/server';
import type { PromptResolver } from '../engine/prompts.js';
import type { FlowSource } from '../engine/subflows.js';
import { flowCaseRunner, pool } from '../testing/run-case.js';
import { scoreRow, withIds, type JudgeDeps } from './scorers.js';

/** A row's trace is kept up to this many events (the drill-down shows where it was cut). */
const MAX_ROW_EVENTS = 1000;

/** A row's result: what the store keeps of it (its trace only when kept). */
export type RowResult = ExperimentRowResult;

export interface ExperimentRunOptions {
  flow: Flow;
  rows: readonly DatasetRow[];
  scorers: readonly Scorer[];
  concurrency: number;
  live?: boolean;
  /** Library prompts (with any versions the experiment sets in place of the flow's). */
  prompts?: PromptResolver;
  flows: FlowSource;
  network?: NetworkPolicy;
  /** The models a live run and the judge call; offline runs use the test provider. */
  models: ModelResolver;
  prices: Record<string, readonly [number, number]>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Keep each row's trace (for the drill-down). */
  keepEvents?: boolean;
  /** Each finished row, as it finishes (not in order), with how many are done. */
  onRow(result: RowResult, done: number): void | Promise<void>;
}

/** Runs every row (at most `concurrency` at once) and scores it; the summary of them all. */
export async function runExperiment(options: ExperimentRunOptions): Promise<ExperimentSummary> {
  const began = performance.now();
  const scorers = withIds(options.scorers);
  const run = flowCaseRunner(options.flow, {
    ...(options.prompts ? { prompts: options.prompts } : {}),
    flows: options.flows,
    ...(options.network ? { network: options.network } : {}),
    timeoutMs: options.timeoutMs,
    ...(options.live ? { live: true, models: options.models } : {}),
  });
  const judge: JudgeDeps = { prompts: options.prompts, models: options.models, prices: options.prices, signal: options.signal };
  const results: RowResult[] = [];
  // Every judge call of the experiment, on one account: what grading cost, apart from the flow's own.
  const judged = emptyUsage();
  let done = 0;
  await pool([...options.rows.keys()], options.concurrency, async (index) => {
    if (options.signal.aborted) return;
    const row = options.rows[index]!;
    const outcome = (await run({ name: `row ${index + 1}`, input: row.input, ...(row.mocks ? { mocks: row.mocks } : {}), ...(row.answers ? { answers: row.answers } : {}), expect: [] })).outcome;
    const scores = await scoreRow(scorers, { status: outcome.status, output: outcome.output, expected: row.expected, input: row.input, metadata: row.metadata }, judge, judged);
    const result: RowResult = {
      index,
      status: outcome.status,
      ...(outcome.output === undefined ? {} : { output: outcome.output }),
      ...(outcome.error ? { error: outcome.error } : {}),
      scores,
      durationMs: Math.round(outcome.durationMs * 10) / 10,
      usage: outcome.usage,
      ...(options.keepEvents ? { events: outcome.events.slice(0, MAX_ROW_EVENTS) } : {}),
    };
    // The summary needs scores, times and usage only: the output and trace go to onRow and are let go.
    results.push({ ...result, output: undefined, events: undefined });
    await options.onRow(result, ++done);
  });
  const summary = summarize(results, scorers, performance.now() - began);
  return judged.modelCalls ? { ...summary, judge: judged } : summary;
}

/** The aggregate of rows: each scorer's mean and pass rate, latency, tokens and cost. */
export function summarize(rows: readonly Pick<RowResult, 'status' | 'scores' | 'durationMs' | 'usage'>[], scorers: readonly { id: string; type: string }[], durationMs: number): ExperimentSummary {
  const latencies = rows.map((r) => r.durationMs).sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
  const tokens = rows.reduce((n, r) => n + r.usage.totalTokens, 0);
  const costs = rows.map((r) => r.usage.costUsd);
  const cost = costs.some((c) => c === null) ? null : costs.reduce((a: number, c) => a + (c ?? 0), 0);
  const round = (n: number, digits = 4) => Math.round(n * 10 ** digits) / 10 ** digits;
  return {
    rows: rows.length,
    succeeded: rows.filter((r) => r.status === 'succeeded').length,
    failed: rows.filter((r) => r.status !== 'succeeded').length,
    scorers: scorers.map(({ id, type }) => {
      const scored = rows.map((r) => r.scores[id]).filter((s): s is ScoreResult => s !== undefined);
      const values = scored.flatMap((s) => (s.score === null ? [] : [s.score]));
      return {
        id,
        type,
        mean: values.length ? round(values.reduce((a, b) => a + b, 0) / values.length) : null,
        passRate: scored.length ? round(scored.filter((s) => s.passed).length / scored.length) : null,
        scored: values.length,
        errors: scored.length - values.length,
      };
    }),
    latencyMs: latencies.length ? { p50: pct(0.5), p95: pct(0.95), mean: round(latencies.reduce((a, b) => a + b, 0) / latencies.length, 1) } : null,
    tokens: { total: tokens, mean: rows.length ? round(tokens / rows.length, 1) : 0 },
    costUsd: cost === null ? null : { total: round(cost, 6), mean: rows.length ? round(cost / rows.length, 6) : 0 },
    durationMs: Math.round(durationMs),
  };
}

type RowView = Pick<ExperimentRow, 'index' | 'status' | 'input' | 'expected' | 'output' | 'scores' | 'durationMs' | 'usage'>;

/** Two experiments row by row: which rows got better or worse (by their mean score over the scorers both have), and the deltas. */
export function compareExperiments(base: Experiment, baseRows: readonly RowView[], candidate: Experiment, candidateRows: readonly RowView[]): ExperimentComparison {
  const ids = (e: Experiment) => withIds(e.scorers).map((s) => s.id);
  const shared = ids(base).filter((id) => ids(candidate).includes(id));
  const mean = (row: RowView | undefined) => {
    const values = shared.flatMap((id) => (row?.scores[id]?.score == null ? [] : [row.scores[id]!.score!]));
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : row ? 0 : undefined;
  };
  const byIndex = (rows: readonly RowView[]) => new Map(rows.map((r) => [r.index, r]));
  const [a, b] = [byIndex(baseRows), byIndex(candidateRows)];
  const indexes = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
  const view = (r: RowView | undefined) => r && { status: r.status, ...(r.output === undefined ? {} : { output: r.output }), scores: r.scores, durationMs: r.durationMs, usage: r.usage };
  const rows = indexes.map((index) => {
    const [was, now] = [a.get(index), b.get(index)];
    const [x, y] = [mean(was), mean(now)];
    const change = x === undefined || y === undefined || Math.abs(y - x) < 1e-9 ? ('same' as const) : y > x ? ('improved' as const) : ('regressed' as const);
    const base = view(was);
    const candidate = view(now);
    const expected = (now ?? was)!.expected;
    return { index, input: (now ?? was)!.input, ...(expected === undefined ? {} : { expected }), change, ...(base ? { base } : {}), ...(candidate ? { candidate } : {}) };
  });
  const s = (e: Experiment, id: string) => e.summary?.scorers.find((x) => x.id === id)?.mean ?? null;
  const delta = (x: number | null | undefined, y: number | null | undefined) => (x == null || y == null ? null : Math.round((y - x) * 10_000) / 10_000);
  return {
    base,
    candidate,
    scoreDeltas: Object.fromEntries(shared.map((id) => [id, delta(s(base, id), s(candidate, id))])),
    latencyDeltaMs: delta(base.summary?.latencyMs?.mean, candidate.summary?.latencyMs?.mean),
    costDeltaUsd: delta(base.summary?.costUsd?.total, candidate.summary?.costUsd?.total),
    tokensDelta: (candidate.summary?.tokens.total ?? 0) - (base.summary?.tokens.total ?? 0),
    rows,
    improved: rows.filter((r) => r.change === 'improved').length,
    regressed: rows.filter((r) => r.change === 'regressed').length,
  };
}
