import { CornerDownRight } from 'lucide-react';
import { memo } from 'react';
import { hasEnded, type Run } from '@trellis/schema';
import type { Route } from '../routes';
import { formatCost, formatDuration, formatTime, shortRunId } from '../run/describe';
import { StatusBadge } from '../ui/StatusBadge';
import { cx } from '../ui/cx';
import { runSlug } from './filters';
import { relativeTime } from './time';
import { clickedControl, th } from '../ui/table';

interface Props {
  runs: Run[];
  flowNames: ReadonlyMap<string, string>;
  fresh: ReadonlySet<string>;
  now: number;
  go: (route: Route) => void;
}

/** How long a run took, or has taken so far while it goes on. */
export function runDuration(run: Run, now: number): string | undefined {
  if (!hasEnded(run.status) && run.startedAt) return formatDuration(Math.max(0, now - Date.parse(run.startedAt)));
  return run.durationMs !== undefined ? formatDuration(run.durationMs) : undefined;
}

const none = <span className="text-fg-subtle">—</span>;
const td = 'px-3 py-2 align-middle whitespace-nowrap';

/**
 * The runs as a dense table, one row a run. The run's id is a link to its page (Tab reaches it);
 * a click anywhere else on the row opens it too.
 */
export function RunsTable({ runs, flowNames, fresh, now, go }: Props) {
  return (
    <div className="card overflow-x-auto">
      <table className="w-full text-sm" aria-label="Runs">
        <thead className="border-b border-border bg-surface-2">
          <tr>
            <th scope="col" className={th}>Status</th>
            <th scope="col" className={th}>Flow</th>
            <th scope="col" className={th}>Run</th>
            <th scope="col" className={th}>Slug</th>
            <th scope="col" className={th}>Started</th>
            <th scope="col" className={cx(th, 'text-right')}>Duration</th>
            <th scope="col" className={cx(th, 'text-right')}>Tokens</th>
            <th scope="col" className={cx(th, 'text-right')}>Cost</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRow key={run.id} run={run} flowName={flowNames.get(run.flowId) ?? run.flowId} fresh={fresh.has(run.id)} now={now} go={go} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RowProps {
  run: Run;
  flowName: string;
  fresh: boolean;
  now: number;
  go: (route: Route) => void;
}

/** One run's row; drawn again only when what it shows changes (not when the flows or slugs list arrives). */
const RunRow = memo(function RunRow({ run, flowName, fresh, now, go }: RowProps) {
  const slug = runSlug(run);
  const duration = runDuration(run, now);
  const cost = formatCost(run.usage);
  return (
    <tr
      data-run-id={run.id}
      className={cx('cursor-pointer border-b border-border last:border-b-0 hover:bg-surface-2', fresh && 'run-row-fresh')}
      onClick={(e) => {
        if (clickedControl(e)) return;
        go({ page: 'run', id: run.id });
        }}
      >
        <td className={td}>
          <StatusBadge status={run.status} />
        </td>
        <td className={cx(td, 'max-w-64')}>
          <a href={`#/flows/${encodeURIComponent(run.flowId)}`} className="block truncate font-medium text-fg" title={`Open the flow ${flowName}`}>
            {flowName}
          </a>
          {run.parent && (
            <span className="flex items-center gap-1 text-xs text-fg-muted">
              <CornerDownRight size={12} aria-hidden="true" />
              sub-flow of {shortRunId(run.parent.runId)}
            </span>
          )}
        </td>
        <td className={td}>
          <a href={`#/runs/${encodeURIComponent(run.id)}`} aria-label={`Run ${shortRunId(run.id)} of ${flowName}, ${run.status}`} className="font-mono text-xs" title={run.id}>
            {shortRunId(run.id)}
          </a>
          {run.flowVersion !== undefined && <span className="ml-2 text-xs text-fg-subtle">v{run.flowVersion}</span>}
        </td>
        <td className={cx(td, 'max-w-40 truncate')}>{slug ? <code className="rounded bg-surface-3 px-1.5 py-0.5 text-xs">{slug}</code> : none}</td>
        <td className={td}>
          <time dateTime={run.createdAt} title={formatTime(run.createdAt)} className="text-fg-muted">
            {relativeTime(run.createdAt, now)}
          </time>
        </td>
        <td className={cx(td, 'text-right tabular-nums text-fg-muted')}>{duration ?? none}</td>
        <td className={cx(td, 'text-right tabular-nums text-fg-muted')}>{run.usage.totalTokens > 0 ? run.usage.totalTokens.toLocaleString() : none}</td>
        <td className={cx(td, 'text-right tabular-nums text-fg-muted')}>{cost ?? none}</td>
      </tr>
    );
});

/** Grey bars where the first page's rows will be, while it loads. */
export function RunsTableSkeleton() {
  return (
    <div className="card overflow-hidden" aria-hidden="true">
      <div className="h-9 border-b border-border bg-surface-2" />
      {Array.from({ length: 8 }, (_, i) => (
        <div key={i} className="flex items-center gap-6 border-b border-border px-3 py-3 last:border-b-0">
          <div className="h-4 w-20 animate-pulse rounded-full bg-surface-3" />
          <div className="h-3 w-40 animate-pulse rounded bg-surface-3" />
          <div className="h-3 w-16 animate-pulse rounded bg-surface-3" />
          <div className="ml-auto h-3 w-24 animate-pulse rounded bg-surface-3" />
        </div>
      ))}
    </div>
  );
}
