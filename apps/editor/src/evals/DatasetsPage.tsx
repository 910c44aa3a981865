import { useCallback, useEffect, useState } from 'react';
import { Database } from 'lucide-react';
import type { DatasetSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import type { Route } from '../routes';
import { EmptyState, Page, PageHeader } from '../ui/Page';
import { errorText } from './format';
import { NewDatasetDialog } from './NewDatasetDialog';
import { LoadError, Loading, td, th } from './parts';
import { clickedControl } from '../ui/table';
import './evals.css';

/** The datasets: rows of inputs (with what each should give) that experiments run a flow over. */
export function DatasetsPage({ api, go }: { api: ApiClient; go: (route: Route) => void }) {
  const [datasets, setDatasets] = useState<DatasetSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  const load = useCallback(() => {
    setError(undefined);
    api.listDatasets().then(setDatasets, (e: unknown) => setError(errorText('Could not load the datasets', e)));
  }, [api]);
  useEffect(load, [load]);

  const open = (id: string) => go({ page: 'dataset', id });
  return (
    <Page label="Datasets">
      <PageHeader
        title="Datasets"
        description="Inputs with what each should give, versioned: an experiment runs a flow over one and scores every row."
        actions={<NewDatasetDialog api={api} onCreated={(d) => open(d.id)} />}
      />
      {error ? (
        <LoadError message={error} onRetry={load} />
      ) : !datasets ? (
        <Loading label="Loading the datasets" />
      ) : datasets.length === 0 ? (
        <EmptyState title="No datasets yet">
          <Database size={28} className="mx-auto mb-2 text-fg-subtle" aria-hidden="true" />
          Create a dataset, then import its rows from a CSV or JSONL file, to score a flow on them in an experiment.
        </EmptyState>
      ) : (
        <div className="card overflow-x-auto">
          <table className="w-full text-sm" aria-label="Datasets">
            <thead className="border-b border-border bg-surface-2">
              <tr>
                <th scope="col" className={th}>
                  Name
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Rows
                </th>
                <th scope="col" className={`${th} text-right`}>
                  Latest version
                </th>
                <th scope="col" className={th}>
                  Updated
                </th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr
                  key={d.id}
                  className="cursor-pointer border-b border-border last:border-b-0 hover:bg-surface-2"
                  onClick={(e) => {
                    if (!clickedControl(e)) open(d.id);
                  }}
                >
                  <td className={td}>
                    <a href={`#/datasets/${encodeURIComponent(d.id)}`} className="font-medium text-fg">
                      {d.name}
                    </a>
                    <span className="ml-2 font-mono text-xs text-fg-subtle">{d.id}</span>
                    {d.description && <p className="m-0 mt-0.5 line-clamp-1 text-xs text-fg-muted">{d.description}</p>}
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{d.rowCount.toLocaleString()}</td>
                  <td className={`${td} text-right tabular-nums text-fg-muted`}>v{d.latestVersion}</td>
                  <td className={`${td} whitespace-nowrap text-fg-muted`}>
                    <When iso={d.updatedAt} />
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
