/**
 * The words and numbers the datasets and experiments pages show: scores, rates, deltas, a value
 * summed up on one line. Pure, so they are tested without a browser.
 */
import type { Experiment, ExperimentRow, ExperimentStatus, Scorer } from '@trellis/schema';
import type { Status } from '../ui/StatusBadge';

const none = '—';

/** A score from 0 to 1 with two decimals; a dash when there is none. */
export const formatScore = (score: number | null | undefined): string => (score == null || Number.isNaN(score) ? none : score.toFixed(2));

/** A share as a whole percentage (`83%`); a dash when there is none. */
export const formatRate = (rate: number | null | undefined): string => (rate == null || Number.isNaN(rate) ? none : `${Math.round(rate * 100)}%`);

/** Milliseconds in words: `850 ms`, `1.2 s`. */
export function formatMs(ms: number | null | undefined): string {
  if (ms == null || Number.isNaN(ms)) return none;
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(Math.abs(ms) < 10_000 ? 2 : 1)} s`;
}

/** Dollars, with enough digits for the fractions of a cent a model call costs. */
export function formatUsd(usd: number | null | undefined): string {
  if (usd == null || Number.isNaN(usd)) return none;
  if (usd === 0) return '$0';
  const abs = Math.abs(usd);
  const sign = usd < 0 ? '-' : '';
  if (abs < 0.0001) return `${sign}< $0.0001`;
  return `${sign}$${abs < 1 ? abs.toFixed(4) : abs.toFixed(2)}`;
}

/** Whether a change is for the better, the worse, or neither: a higher score is better, a higher latency, cost or token count worse. */
export type Tone = 'better' | 'worse' | 'same';
export function deltaTone(delta: number | null | undefined, higherIsBetter: boolean): Tone {
  if (delta == null || Math.abs(delta) < 1e-9) return 'same';
  return delta > 0 === higherIsBetter ? 'better' : 'worse';
}

/** A delta with its sign (`+0.25`, `-120 ms`, `+$0.0010`); `±0` when nothing changed and a dash when unknown. */
export function formatDelta(delta: number | null | undefined, kind: 'score' | 'ms' | 'usd' | 'count'): string {
  if (delta == null || Number.isNaN(delta)) return none;
  if (Math.abs(delta) < 1e-9) return '±0';
  const sign = delta > 0 ? '+' : '-';
  const abs = Math.abs(delta);
  switch (kind) {
    case 'score':
      return `${sign}${abs.toFixed(2)}`;
    case 'ms':
      return `${sign}${formatMs(abs)}`;
    case 'usd':
      return `${sign}${formatUsd(abs)}`;
    case 'count':
      return `${sign}${abs.toLocaleString('en-US')}`;
  }
}

/**
 * A value on one line: a string as itself, an object as `key: value · key: value`, anything else as
 * JSON; cut at `max` characters with an ellipsis.
 */
export function summarize(value: unknown, max = 90): string {
  if (value === undefined) return none;
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    text = entries.length === 0 ? '{}' : entries.map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' · ');
  } else text = JSON.stringify(value) ?? String(value);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1).trimEnd()}…` : text;
}

/** The scorers with the ids their scores are kept under: given, else their type, numbered when a type repeats (`contains-2`), as the runner names them. */
export function scorerIds(scorers: readonly Scorer[]): string[] {
  const seen = new Map<string, number>();
  return scorers.map((scorer) => {
    if (scorer.id) return scorer.id;
    const n = (seen.get(scorer.type) ?? 0) + 1;
    seen.set(scorer.type, n);
    return n === 1 ? scorer.type : `${scorer.type}-${n}`;
  });
}

/** The StatusBadge look of an experiment's status. */
export const experimentBadge = (status: ExperimentStatus): Status => status;

/** How far an experiment has got, from 0 to 100. */
export const progressPercent = (e: Pick<Experiment, 'rowsDone' | 'rowsTotal' | 'status'>): number =>
  e.rowsTotal > 0 ? Math.min(100, Math.round((e.rowsDone / e.rowsTotal) * 100)) : e.status === 'running' ? 0 : 100;

/** `support-triage@3 × tickets@2`-style labels. */
export const flowLabel = (e: Pick<Experiment, 'flowId' | 'flowVersion'>) => `${e.flowId}@${e.flowVersion}`;
export const datasetLabel = (e: Pick<Experiment, 'datasetId' | 'datasetVersion'>) => `${e.datasetId}@${e.datasetVersion}`;

/** An experiment's name, else where it ran. */
export const experimentName = (e: Pick<Experiment, 'name' | 'flowId' | 'flowVersion' | 'datasetId' | 'datasetVersion'>) => e.name ?? `${flowLabel(e)} on ${datasetLabel(e)}`;

/** The numbers the charts draw, one point a row: each scorer's score, the latency and the cost. */
export interface ChartData {
  rows: number[];
  scores: Array<{ id: string; values: Array<number | null> }>;
  latencyMs: number[];
  costUsd: Array<number | null>;
}
export function chartData(rows: readonly ExperimentRow[], ids: readonly string[]): ChartData {
  return {
    rows: rows.map((r) => r.index + 1),
    scores: ids.map((id) => ({ id, values: rows.map((r) => r.scores[id]?.score ?? null) })),
    latencyMs: rows.map((r) => r.durationMs),
    costUsd: rows.map((r) => r.usage.costUsd),
  };
}

/** A runner error in words for the place the person acted (`Could not import the file: …`). */
export function errorText(what: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${what}: ${/[.!?]$/.test(message) ? message : `${message}.`}`;
}
