/**
 * The compare page's pure parts: the metrics side by side with their deltas, and the rows filtered.
 */
import type { ExperimentComparison } from '@trellis/schema';
import { deltaTone, formatDelta, formatMs, formatRate, formatScore, formatUsd, type Tone } from './format';

export type RowFilter = 'all' | 'regressed' | 'changed';
export type ComparedRow = ExperimentComparison['rows'][number];

/** The rows a filter keeps: all, the regressed ones, or those that changed either way. */
export function filterRows(rows: readonly ComparedRow[], filter: RowFilter): ComparedRow[] {
  if (filter === 'regressed') return rows.filter((r) => r.change === 'regressed');
  if (filter === 'changed') return rows.filter((r) => r.change !== 'same');
  return [...rows];
}

/** One line of the side-by-side summary: the base's figure, the candidate's, and the change in words with whether it is for the better. */
export interface Metric {
  label: string;
  base: string;
  candidate: string;
  delta: string;
  tone: Tone;
}

export function metrics(c: ExperimentComparison): Metric[] {
  const [a, b] = [c.base.summary, c.candidate.summary];
  const out: Metric[] = [];
  const ids = [...new Set([...(a?.scorers ?? []), ...(b?.scorers ?? [])].map((s) => s.id))];
  for (const id of ids) {
    const x = a?.scorers.find((s) => s.id === id);
    const y = b?.scorers.find((s) => s.id === id);
    const delta = c.scoreDeltas[id];
    out.push({ label: `${id}: mean score`, base: formatScore(x?.mean), candidate: formatScore(y?.mean), delta: formatDelta(delta, 'score'), tone: deltaTone(delta, true) });
    const rate = x?.passRate != null && y?.passRate != null ? y.passRate - x.passRate : null;
    out.push({ label: `${id}: passed`, base: formatRate(x?.passRate), candidate: formatRate(y?.passRate), delta: rate === null ? '—' : `${rate > 0 ? '+' : rate < 0 ? '-' : '±'}${Math.round(Math.abs(rate) * 100)} pts`, tone: deltaTone(rate, true) });
  }
  out.push({ label: 'Latency (mean)', base: formatMs(a?.latencyMs?.mean), candidate: formatMs(b?.latencyMs?.mean), delta: formatDelta(c.latencyDeltaMs, 'ms'), tone: deltaTone(c.latencyDeltaMs, false) });
  const p95 = a?.latencyMs && b?.latencyMs ? b.latencyMs.p95 - a.latencyMs.p95 : null;
  out.push({ label: 'Latency p95', base: formatMs(a?.latencyMs?.p95), candidate: formatMs(b?.latencyMs?.p95), delta: formatDelta(p95, 'ms'), tone: deltaTone(p95, false) });
  out.push({ label: 'Tokens', base: (a?.tokens.total ?? 0).toLocaleString('en-US'), candidate: (b?.tokens.total ?? 0).toLocaleString('en-US'), delta: formatDelta(c.tokensDelta, 'count'), tone: deltaTone(c.tokensDelta, false) });
  out.push({ label: 'Cost', base: formatUsd(a?.costUsd?.total), candidate: formatUsd(b?.costUsd?.total), delta: formatDelta(c.costDeltaUsd, 'usd'), tone: deltaTone(c.costDeltaUsd, false) });
  return out;
}
