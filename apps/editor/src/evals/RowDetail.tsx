import { useEffect, useState } from 'react';
import type { ExperimentRow, Flow, RunEvent } from '@trellis/schema';
import type { ApiClient } from '../api';
import { applyEvent, emptyTrace, type Trace } from '../run/trace';
import { TraceView } from '../run/TraceView';
import { JsonBlock } from '../runs/JsonBlock';
import { StatusBadge } from '../ui/StatusBadge';
import { errorText, formatMs, formatUsd } from './format';
import { ScoreCell } from './parts';

interface Props {
  api: ApiClient;
  experimentId: string;
  row: ExperimentRow;
  scorerIds: readonly string[];
  /** The flow version the experiment ran, to name the trace's steps; undefined while it loads. */
  flow: Flow | undefined;
}

/** One row of an experiment in full: its input, expected value and output, each scorer's verdict and why, and the run's trace. */
export function RowDetail({ api, experimentId, row, scorerIds, flow }: Props) {
  const [events, setEvents] = useState<RunEvent[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let live = true;
    api.experimentRowEvents(experimentId, row.index).then(
      (e) => live && setEvents(e),
      (e: unknown) => live && setError(errorText(`Could not load the trace of row ${row.index + 1}`, e)),
    );
    return () => {
      live = false;
    };
  }, [api, experimentId, row.index]);

  const trace: Trace | undefined = events?.reduce(applyEvent, emptyTrace());
  const runId = events?.[0]?.runId;
  return (
    <div className="evals-row-detail" role="region" aria-label={`Row ${row.index + 1} in full`}>
      <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
        <StatusBadge status={row.status} />
        <span className="text-fg-muted">{formatMs(row.durationMs)}</span>
        {row.usage.totalTokens > 0 && <span className="text-fg-muted">{row.usage.totalTokens.toLocaleString()} tokens</span>}
        {row.usage.costUsd !== null && row.usage.costUsd > 0 && <span className="text-fg-muted">{formatUsd(row.usage.costUsd)}</span>}
      </div>
      {row.error && (
        <p role="alert" className="evals-error mb-3">
          The run {row.status}: {row.error.message}
          {row.error.nodeId ? ` (step ${row.error.nodeId})` : ''}
        </p>
      )}
      <div className="grid gap-3 lg:grid-cols-3">
        <JsonBlock title="Input" value={row.input} />
        <JsonBlock title="Expected" value={row.expected} />
        <JsonBlock title="Output" value={row.output} />
      </div>
      <h3 className="mt-4 mb-2 text-sm">Scores</h3>
      <ul className="evals-verdicts" aria-label={`Scores of row ${row.index + 1}`}>
        {scorerIds.map((id) => {
          const s = row.scores[id];
          return (
            <li key={id}>
              <span className="font-medium">{id}</span>
              <ScoreCell score={s?.score} passed={s?.passed} reason={s?.reason} />
              <span className={s?.passed ? 'text-success-fg' : 'text-danger-fg'}>{s ? (s.passed ? 'passed' : 'failed') : 'not scored'}</span>
              {s?.reason && <span className="text-fg-muted">{s.reason}</span>}
            </li>
          );
        })}
      </ul>
      <h3 className="mt-4 mb-2 text-sm">Trace</h3>
      {error ? (
        <p role="alert" className="evals-error">
          {error}
        </p>
      ) : !events || !flow ? (
        <p role="status" className="text-sm text-fg-muted">
          Loading the trace…
        </p>
      ) : events.length === 0 || !trace || !runId ? (
        <p className="text-sm text-fg-muted">This row kept no trace.</p>
      ) : (
        <div className="run-page-trace run-panel evals-trace">
          <TraceView api={api} runId={runId} trace={trace} flow={flow} savedVersion={undefined} dirty={false} onSelectNode={() => undefined} />
        </div>
      )}
    </div>
  );
}
