/**
 * The experiment page's charts of score, latency and cost per row, drawn with uPlot (small and
 * fast on a canvas). This module is imported lazily: uPlot never weighs on the first load.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useTheme } from '../ui/theme';
import { formatMs, formatUsd, type ChartData } from './format';

const PALETTE = ['--primary', '--success', '--warning', '--danger', '--cat-ai', '--cat-tools', '--cat-logic'];

const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

interface Series {
  label: string;
  values: Array<number | null>;
  color: string;
}

function Chart({ title, summary, x, series, kind, format, yRange }: { title: string; summary: string; x: number[]; series: Series[]; kind: 'points' | 'bars'; format: (v: number) => string; yRange?: [number, number] }) {
  const box = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = { stroke: cssVar('--fg-muted'), grid: { stroke: cssVar('--border'), width: 1 }, ticks: { stroke: cssVar('--border'), width: 1 }, font: '11px Inter, system-ui, sans-serif' };
    const bars = uPlot.paths.bars?.({ size: [0.6, 28] });
    const plot = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 170,
        legend: { show: series.length > 1, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false, range: (_u, min, max) => [min - 0.5, max + 0.5] }, y: yRange ? { range: yRange } : { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
        axes: [
          { ...axis, label: 'Row', labelSize: 18, labelFont: axis.font, values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : '')) },
          { ...axis, size: 64, values: (_u, ticks) => ticks.map(format) },
        ],
        series: [
          { label: 'Row' },
          ...series.map((s) =>
            kind === 'bars'
              ? { label: s.label, stroke: s.color, fill: /^#[0-9a-f]{6}$/i.test(s.color) ? `${s.color}66` : s.color, width: 1, paths: bars, points: { show: false }, value: (_u: uPlot, v: number | null) => (v == null ? '—' : format(v)) }
              : { label: s.label, stroke: s.color, width: 0, paths: () => null, points: { show: true, size: 8, fill: s.color, stroke: s.color }, value: (_u: uPlot, v: number | null) => (v == null ? '—' : format(v)) },
          ),
        ],
      },
      [x, ...series.map((s) => s.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(200, el.clientWidth), height: 170 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [x, series, kind, format, yRange, theme]);
  return (
    <figure className="evals-chart m-0" aria-label={`${title}: ${summary}`}>
      <figcaption className="mb-1 text-xs font-medium tracking-wide text-fg-muted uppercase">{title}</figcaption>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}

const fmtScore = (v: number) => v.toFixed(2);
const fmtMs = (v: number) => formatMs(v);
const fmtUsd = (v: number) => formatUsd(v);
const SCORE_RANGE: [number, number] = [0, 1.05];

/** Score (one series a scorer), latency and cost, one point or bar a row. */
export default function ExperimentCharts({ data }: { data: ChartData }) {
  const { theme } = useTheme();
  const { scoreSeries, latencySeries, costSeries } = useMemo(
    () => ({
      scoreSeries: data.scores.map((s, i): Series => ({ label: s.id, values: s.values, color: cssVar(PALETTE[i % PALETTE.length]!) })),
      latencySeries: [{ label: 'Latency', values: data.latencyMs, color: cssVar('--primary') }],
      costSeries: [{ label: 'Cost', values: data.costUsd, color: cssVar('--warning') }],
    }),
    // The theme changes the colours the CSS variables hold.
    [data, theme],
  );
  const hasCost = data.costUsd.some((c) => c !== null && c > 0);
  const n = data.rows.length;
  const mean = (values: Array<number | null>) => {
    const known = values.filter((v): v is number => v !== null);
    return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
  };
  return (
    <div className={`grid gap-4 p-4 ${hasCost ? 'lg:grid-cols-3' : 'lg:grid-cols-2'}`}>
      <Chart title="Score per row" summary={data.scores.map((s) => `${s.id} mean ${mean(s.values)?.toFixed(2) ?? 'none'}`).join(', ') + ` over ${n} rows`} x={data.rows} series={scoreSeries} kind="points" format={fmtScore} yRange={SCORE_RANGE} />
      <Chart title="Latency per row" summary={`mean ${formatMs(mean(data.latencyMs))} over ${n} rows`} x={data.rows} series={latencySeries} kind="bars" format={fmtMs} />
      {hasCost && <Chart title="Cost per row" summary={`mean ${formatUsd(mean(data.costUsd))} over ${n} rows`} x={data.rows} series={costSeries} kind="bars" format={fmtUsd} />}
    </div>
  );
}
