import { Fragment, lazy, Suspense, useEffect, useId, useMemo, useState } from 'react';
import { ArrowLeft, ChevronDown, ChevronRight, GitCompareArrows, Square } from 'lucide-react';
import type { Experiment, ExperimentRow, Flow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import type { Route } from '../routes';
import { EmptyState, Page } from '../ui/Page';
import { StatusBadge } from '../ui/StatusBadge';
import { toast } from '../ui/toast';
import { chartData, datasetLabel, errorText, experimentBadge, experimentName, flowLabel, formatMs, formatRate, formatScore, formatUsd, progressPercent, scorerIds, summarize } from './format';
import { LoadError, Loading, ScoreCell, Section, Stat, td, th } from './parts';
import { RowDetail } from './RowDetail';
import { useExperiment } from './use-experiment';
import './evals.css';

// uPlot loads with the charts, when an experiment with rows is first shown.
const ExperimentCharts = lazy(() => import('./ExperimentCharts'));

/** An experiment: its progress while it runs, its summary, charts and rows once they come, each row in full on demand. */
export function ExperimentPage({ api, id, go }: { api: ApiClient; id: string; go: (route: Route) => void }) {
  const { experiment: e, rows, error, rowsError, reload, setExperiment } = useExperiment(api, id);
  const [open, setOpen] = useState<number | undefined>();
  const [flow, setFlow] = useState<Flow | undefined>();
  const [cancelling, setCancelling] = useState(false);

  const flowId = e?.flowId;
  const flowVersion = e?.flowVersion;
  useEffect(() => {
    if (!flowId || !flowVersion) return;
    let live = true;
    api.getVersion(flowId, flowVersion).then(
      (v) => live && setFlow(v.document),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, flowId, flowVersion]);

  const ids = useMemo(() => (e ? (e.summary?.scorers.map((s) => s.id) ?? scorerIds(e.scorers)) : []), [e]);
  const charts = useMemo(() => (rows ? chartData(rows, ids) : undefined), [rows, ids]);

  const back = (
    <a href="#/experiments" onClick={(ev) => (ev.preventDefault(), go({ page: 'experiments' }))} className="mb-3 inline-flex items-center gap-1 text-sm text-fg-muted">
      <ArrowLeft size={14} aria-hidden="true" /> Experiments
    </a>
  );
  if (error) {
    return (
      <Page wide label="Experiment">
        {back}
        <LoadError message={error} onRetry={reload} />
      </Page>
    );
  }
  if (!e) {
    return (
      <Page wide label="Experiment">
        {back}
        <Loading label="Loading the experiment" />
      </Page>
    );
  }

  const cancel = async () => {
    setCancelling(true);
    try {
      setExperiment(await api.cancelExperiment(e.id));
      toast.info('Cancelling: the rows under way finish, no other starts.');
    } catch (err) {
      toast.error(errorText('Could not cancel the experiment', err));
    } finally {
      setCancelling(false);
    }
  };
  const percent = progressPercent(e);
  const s = e.summary;

  return (
    <Page wide label={`Experiment ${experimentName(e)}`}>
      {back}
      <header className="mb-5 flex flex-wrap items-end gap-3">
        <div className="mr-auto min-w-0">
          <h1 className="m-0 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
            {experimentName(e)} <StatusBadge status={experimentBadge(e.status)} />
            {e.live && <span className="evals-chip">live</span>}
          </h1>
          <p className="m-0 mt-1 text-sm text-fg-muted">
            Flow{' '}
            <a href={`#/flows/${encodeURIComponent(e.flowId)}`} className="font-mono text-xs">
              {flowLabel(e)}
            </a>{' '}
            over dataset{' '}
            <a href={`#/datasets/${encodeURIComponent(e.datasetId)}`} className="font-mono text-xs">
              {datasetLabel(e)}
            </a>{' '}
            · {e.concurrency} at once · started <When iso={e.createdAt} />
            {e.prompts && Object.keys(e.prompts).length > 0 && <> · prompts {Object.entries(e.prompts).map(([name, v]) => `${name}@${v}`).join(', ')}</>}
          </p>
        </div>
        {e.status !== 'running' && <ComparePicker api={api} experiment={e} go={go} />}
      </header>

      {e.status === 'running' && (
        <section aria-label="Progress" className="card mb-4 px-4 py-3">
          <div className="flex flex-wrap items-center gap-3">
            <p className="m-0 text-sm font-medium" role="status">
              Running: {e.rowsDone} of {e.rowsTotal} rows done
            </p>
            <button type="button" className="btn-danger btn-sm ml-auto" onClick={() => void cancel()} disabled={cancelling}>
              <Square size={12} aria-hidden="true" /> {cancelling ? 'Cancelling…' : 'Cancel experiment'}
            </button>
          </div>
          <div className="evals-progress mt-2" role="progressbar" aria-label="Rows done" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={`${e.rowsDone} of ${e.rowsTotal} rows`}>
            <span style={{ width: `${percent}%` }} />
          </div>
        </section>
      )}
      {e.error && (
        <p role="alert" className="mb-4 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          The experiment {e.status}: {e.error}
        </p>
      )}

      {s && (
        <Section title="Summary">
          <dl className="evals-stats">
            {s.scorers.map((sc) => (
              <Stat key={sc.id} label={`${sc.id} · mean`} value={formatScore(sc.mean)} hint={`${formatRate(sc.passRate)} passed · ${sc.scored} scored${sc.errors ? ` · ${sc.errors} could not be scored` : ''}`} />
            ))}
            <Stat label="Latency p50" value={formatMs(s.latencyMs?.p50)} hint={`p95 ${formatMs(s.latencyMs?.p95)} · mean ${formatMs(s.latencyMs?.mean)}`} />
            <Stat label="Tokens" value={s.tokens.total.toLocaleString()} hint={`${Math.round(s.tokens.mean).toLocaleString()} a row`} />
            <Stat label="Cost" value={s.costUsd ? formatUsd(s.costUsd.total) : '—'} hint={s.costUsd ? `${formatUsd(s.costUsd.mean)} a row` : 'a model used has no price'} />
            <Stat label="Rows" value={`${s.succeeded}/${s.rows}`} hint={`${s.failed} failed · took ${formatMs(s.durationMs)}`} />
            {s.judge && (
              <Stat label="Grading (judge)" value={s.judge.costUsd === null ? `${s.judge.totalTokens.toLocaleString()} tokens` : formatUsd(s.judge.costUsd)} hint={`${s.judge.modelCalls} model call${s.judge.modelCalls === 1 ? '' : 's'} · ${s.judge.totalTokens.toLocaleString()} tokens, apart from the flow's`} />
            )}
          </dl>
        </Section>
      )}

      {charts && rows && rows.length > 0 && (
        <Section title="Per row">
          <Suspense fallback={<Loading label="Loading the charts" className="m-4 h-40" />}>
            <ExperimentCharts data={charts} />
          </Suspense>
        </Section>
      )}

      <Section title="Results" actions={<span className="text-xs text-fg-muted">{rows?.length ?? 0} of {e.rowsTotal} rows · open a row to see its trace</span>}>
        {rowsError && !rows ? (
          <div className="p-4">
            <LoadError message={rowsError} onRetry={reload} />
          </div>
        ) : !rows ? (
          <Loading label="Loading the rows" className="m-4 h-24" />
        ) : rows.length === 0 ? (
          <div className="p-4">
            <EmptyState title={e.status === 'running' ? 'No row has finished yet' : 'No rows ran'}>{e.status === 'running' ? 'Rows show here as they finish.' : 'The dataset version had no rows, or the experiment was cancelled before any finished.'}</EmptyState>
          </div>
        ) : (
          <ResultsTable api={api} experiment={e} rows={rows} ids={ids} open={open} onOpen={setOpen} flow={flow} />
        )}
      </Section>
    </Page>
  );
}

function ResultsTable({ api, experiment, rows, ids, open, onOpen, flow }: { api: ApiClient; experiment: Experiment; rows: ExperimentRow[]; ids: string[]; open: number | undefined; onOpen: (index: number | undefined) => void; flow: Flow | undefined }) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" aria-label="Results">
        <thead className="border-b border-border bg-surface-2">
          <tr>
            <th scope="col" className={`${th} w-16`}>
              #
            </th>
            <th scope="col" className={th}>
              Input
            </th>
            <th scope="col" className={th}>
              Output
            </th>
            {ids.map((id) => (
              <th key={id} scope="col" className={th}>
                {id}
              </th>
            ))}
            <th scope="col" className={`${th} text-right`}>
              Latency
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const expanded = open === row.index;
            return (
              <Fragment key={row.index}>
                <tr className={`border-b border-border hover:bg-surface-2 ${expanded ? 'bg-surface-2' : ''}`} data-row={row.index}>
                  <td className={td}>
                    <button type="button" className="btn-ghost btn-sm" aria-expanded={expanded} aria-label={`Row ${row.index + 1}: ${expanded ? 'hide' : 'show'} its details`} onClick={() => onOpen(expanded ? undefined : row.index)}>
                      {expanded ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronRight size={14} aria-hidden="true" />}
                      {row.index + 1}
                    </button>
                  </td>
                  <td className={`${td} max-w-sm`}>{summarize(row.input, 90)}</td>
                  <td className={`${td} max-w-sm`}>
                    {row.status === 'succeeded' ? (
                      summarize(row.output, 90)
                    ) : (
                      <span className="flex items-center gap-2">
                        <StatusBadge status={row.status} />
                        <span className="text-xs text-danger-fg">{row.error?.message ? summarize(row.error.message, 60) : ''}</span>
                      </span>
                    )}
                  </td>
                  {ids.map((id) => (
                    <td key={id} className={`${td} whitespace-nowrap`}>
                      <ScoreCell score={row.scores[id]?.score} passed={row.scores[id]?.passed} reason={row.scores[id]?.reason} />
                    </td>
                  ))}
                  <td className={`${td} text-right whitespace-nowrap tabular-nums text-fg-muted`}>{formatMs(row.durationMs)}</td>
                </tr>
                {expanded && (
                  <tr className="border-b border-border">
                    <td colSpan={4 + ids.length} className="bg-surface-2 px-4 py-4">
                      <RowDetail api={api} experimentId={experiment.id} row={row} scorerIds={ids} flow={flow} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** "Compare with…": the other experiments on the same dataset; this one is the candidate, the one chosen the base. */
function ComparePicker({ api, experiment, go }: { api: ApiClient; experiment: Experiment; go: (route: Route) => void }) {
  const [others, setOthers] = useState<Experiment[] | undefined>();
  const [base, setBase] = useState('');
  const uid = useId();
  useEffect(() => {
    let live = true;
    api.listExperiments({ datasetId: experiment.datasetId }).then(
      (list) => {
        if (!live) return;
        const rest = list.filter((x) => x.id !== experiment.id && x.status !== 'running');
        setOthers(rest);
        // The one before this, by default: "what did my change do".
        setBase(rest.find((x) => x.createdAt <= experiment.createdAt)?.id ?? rest[0]?.id ?? '');
      },
      () => live && setOthers([]),
    );
    return () => {
      live = false;
    };
  }, [api, experiment.datasetId, experiment.id, experiment.createdAt]);
  if (!others) return null;
  if (others.length === 0) return <p className="m-0 text-xs text-fg-muted">Run another experiment on this dataset to compare with it.</p>;
  return (
    <form
      className="flex items-center gap-2"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (base) go({ page: 'compare', base, candidate: experiment.id });
      }}
    >
      <label htmlFor={`${uid}-base`} className="text-sm text-fg-muted">
        Compare with
      </label>
      <select id={`${uid}-base`} value={base} onChange={(ev) => setBase(ev.target.value)} className="max-w-64">
        {others.map((x) => (
          <option key={x.id} value={x.id}>
            {experimentName(x)} ({flowLabel(x)})
          </option>
        ))}
      </select>
      <button type="submit" disabled={!base}>
        <GitCompareArrows size={15} aria-hidden="true" /> Compare
      </button>
    </form>
  );
}
