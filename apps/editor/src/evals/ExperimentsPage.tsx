import { useCallback, useEffect, useState } from 'react';
import { Gauge } from 'lucide-react';
import type { Experiment } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import type { Route } from '../routes';
import { EmptyState, Page, PageHeader } from '../ui/Page';
import { StatusBadge } from '../ui/StatusBadge';
import { datasetLabel, errorText, experimentBadge, experimentName, flowLabel, formatRate, formatScore, progressPercent } from './format';
import { NewExperimentDialog } from './NewExperimentDialog';
import { LoadError, Loading, td, th } from './parts';
import './evals.css';
import { clickedControl } from '../ui/table';

/** The experiments, newest first: what ran over what, how far it got, how it scored. */
export function ExperimentsPage({ api, query, go }: { api: ApiClient; query?: string; go: (route: Route) => void }) {
  const params = new URLSearchParams(query ?? '');
  const datasetId = params.get('dataset') ?? undefined;
  const startOpen = params.get('new') === '1';
  const [experiments, setExperiments] = useState<Experiment[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  const load = useCallback(() => {
    setError(undefined);
    api.listExperiments(datasetId ? { datasetId } : {}).then(setExperiments, (e: unknown) => setError(errorText('Could not load the experiments', e)));
  }, [api, datasetId]);
  useEffect(load, [load]);

  // While any runs, the list keeps its progress current.
  const running = experiments?.some((e) => e.status === 'running') ?? false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => api.listExperiments(datasetId ? { datasetId } : {}).then(setExperiments, () => undefined), 1000);
    return () => clearInterval(timer);
  }, [api, datasetId, running]);

  const open = (id: string) => go({ page: 'experiment', id });
  return (
    <Page wide label="Experiments">
      <PageHeader
        title="Experiments"
        description={
          datasetId ? (
            <>
              On the dataset <code>{datasetId}</code> ·{' '}
              <a href="#/experiments" onClick={(e) => (e.preventDefault(), go({ page: 'experiments' }))}>
                show every experiment
              </a>
            </>
          ) : (
            'A flow version run over a dataset, every row scored: compare two to see what a change did.'
          )
        }
        actions={<NewExperimentDialog api={api} startOpen={startOpen} datasetId={datasetId} onStarted={(e) => open(e.id)} />}
      />
      {error ? (
        <LoadError message={error} onRetry={load} />
      ) : !experiments ? (
        <Loading label="Loading the experiments" />
      ) : experiments.length === 0 ? (
        <EmptyState title="No experiments yet">
          <Gauge size={28} className="mx-auto mb-2 text-fg-subtle" aria-hidden="true" />
          Start one with “New experiment”: choose a flow, a dataset with rows (create one under{' '}
          <a href="#/datasets" onClick={(e) => (e.preventDefault(), go({ page: 'datasets' }))}>
            Datasets
          </a>
          ) and how to score each output.
        </EmptyState>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-sm" aria-label="Experiments">
            <thead className="border-b border-border bg-surface-2">
              <tr>
                <th scope="col" className={th}>
                  Experiment
                </th>
                <th scope="col" className={th}>
                  Flow
                </th>
                <th scope="col" className={th}>
                  Dataset
                </th>
                <th scope="col" className={th}>
                  Status
                </th>
                <th scope="col" className={th}>
                  Scores
                </th>
                <th scope="col" className={th}>
                  Created
                </th>
              </tr>
            </thead>
            <tbody>
              {experiments.map((e) => (
                <tr
                  key={e.id}
                  className="cursor-pointer border-b border-border last:border-b-0 hover:bg-surface-2"
                  onClick={(ev) => {
                    if (!clickedControl(ev)) open(e.id);
                  }}
                >
                  <td className={td}>
                    <a href={`#/experiments/${encodeURIComponent(e.id)}`} className="font-medium text-fg">
                      {experimentName(e)}
                    </a>
                    {e.live && <span className="evals-chip ml-2">live</span>}
                  </td>
                  <td className={`${td} font-mono text-xs whitespace-nowrap`}>{flowLabel(e)}</td>
                  <td className={`${td} font-mono text-xs whitespace-nowrap`}>{datasetLabel(e)}</td>
                  <td className={`${td} whitespace-nowrap`}>
                    <div className="flex items-center gap-2">
                      <StatusBadge status={experimentBadge(e.status)} />
                      {e.status === 'running' && (
                        <span className="evals-mini-progress" role="progressbar" aria-label={`Progress of ${experimentName(e)}`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={progressPercent(e)}>
                          <span style={{ width: `${progressPercent(e)}%` }} />
                        </span>
                      )}
                      <span className="text-xs text-fg-muted tabular-nums">
                        {e.rowsDone}/{e.rowsTotal}
                      </span>
                    </div>
                  </td>
                  <td className={td}>
                    {e.summary?.scorers.length ? (
                      <span className="flex flex-wrap gap-1.5">
                        {e.summary.scorers.slice(0, 3).map((s) => (
                          <span key={s.id} className="evals-chip" title={`${s.id}: mean ${formatScore(s.mean)}, ${formatRate(s.passRate)} passed`}>
                            {s.id} <strong className="tabular-nums">{formatScore(s.mean)}</strong>
                          </span>
                        ))}
                      </span>
                    ) : (
                      <span className="text-fg-subtle">—</span>
                    )}
                  </td>
                  <td className={`${td} whitespace-nowrap text-fg-muted`}>
                    <When iso={e.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Page>
  );
}
