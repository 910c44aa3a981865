import { Fragment, useCallback, useEffect, useId, useState } from 'react';
import { ArrowLeft, ChevronDown, ChevronRight, Gauge, Trash2 } from 'lucide-react';
import type { DatasetSummary, DatasetVersion, DatasetVersionSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { When } from '../inbox/When';
import { ConfirmDialog } from '../keys/ConfirmDialog';
import type { Route } from '../routes';
import { JsonBlock } from '../runs/JsonBlock';
import { EmptyState, Page } from '../ui/Page';
import { toast } from '../ui/toast';
import { errorText, summarize } from './format';
import { ImportDialog } from './ImportDialog';
import { LoadError, Loading, td, th } from './parts';
import './evals.css';

/** A dataset: its versions (newest first), the rows of the one chosen, importing more, deleting it. */
export function DatasetPage({ api, id, go }: { api: ApiClient; id: string; go: (route: Route) => void }) {
  const [dataset, setDataset] = useState<DatasetSummary | undefined>();
  const [versions, setVersions] = useState<DatasetVersionSummary[] | undefined>();
  const [chosen, setChosen] = useState<number | undefined>();
  const [rows, setRows] = useState<DatasetVersion | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [rowsError, setRowsError] = useState<string | undefined>();
  const [openRow, setOpenRow] = useState<number | undefined>();
  const uid = useId();

  const load = useCallback(
    (pick?: number) => {
      setError(undefined);
      Promise.all([api.getDataset(id), api.listDatasetVersions(id)]).then(
        ([d, v]) => {
          setDataset(d);
          setVersions(v);
          setChosen(pick ?? v[0]?.version);
        },
        (e: unknown) => setError(errorText(`Could not load the dataset “${id}”`, e)),
      );
    },
    [api, id],
  );
  useEffect(() => load(), [load]);

  useEffect(() => {
    if (chosen === undefined) return;
    let live = true;
    setRowsError(undefined);
    setOpenRow(undefined);
    api.getDatasetVersion(id, chosen).then(
      (v) => live && setRows(v),
      (e: unknown) => live && setRowsError(errorText(`Could not load version ${chosen}`, e)),
    );
    return () => {
      live = false;
    };
  }, [api, id, chosen]);

  const back = (
    <a href="#/datasets" onClick={(e) => (e.preventDefault(), go({ page: 'datasets' }))} className="mb-3 inline-flex items-center gap-1 text-sm text-fg-muted">
      <ArrowLeft size={14} aria-hidden="true" /> Datasets
    </a>
  );
  if (error) {
    return (
      <Page label="Dataset">
        {back}
        <LoadError message={error} onRetry={() => load()} />
      </Page>
    );
  }
  if (!dataset || !versions) {
    return (
      <Page label="Dataset">
        {back}
        <Loading label="Loading the dataset" />
      </Page>
    );
  }

  const current = versions.find((v) => v.version === chosen);
  const shownRows = rows && rows.version === chosen ? rows.rows : undefined;
  const remove = async () => {
    await api.deleteDataset(id);
    toast.success(`Deleted the dataset “${dataset.name}”`);
    go({ page: 'datasets' });
  };

  return (
    <Page wide label={`Dataset ${dataset.name}`}>
      {back}
      <header className="mb-5 flex flex-wrap items-end gap-3">
        <div className="mr-auto min-w-0">
          <h1 className="m-0 text-xl font-semibold tracking-tight">{dataset.name}</h1>
          <p className="m-0 mt-1 text-sm text-fg-muted">
            <code className="rounded bg-surface-3 px-1.5 py-0.5 text-xs">{dataset.id}</code> · {dataset.rowCount.toLocaleString()} row{dataset.rowCount === 1 ? '' : 's'} in version {dataset.latestVersion}
            {dataset.description && <> · {dataset.description}</>}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <ImportDialog
            api={api}
            datasetId={id}
            hasRows={dataset.rowCount > 0}
            onImported={(v) => {
              toast.success(`Imported ${v.rowCount} rows as version ${v.version}`);
              load(v.version);
            }}
          />
          <button type="button" className={dataset.rowCount > 0 ? 'btn-primary' : undefined} disabled={dataset.rowCount === 0} onClick={() => go({ page: 'experiments', query: `dataset=${encodeURIComponent(id)}&new=1` })}>
            <Gauge size={15} aria-hidden="true" /> New experiment
          </button>
          <ConfirmDialog
            trigger={
              <button type="button" className="btn-danger" aria-label={`Delete the dataset ${dataset.name}`}>
                <Trash2 size={15} aria-hidden="true" /> Delete
              </button>
            }
            title={`Delete “${dataset.name}”?`}
            confirmLabel="Delete dataset"
            failure={`Could not delete ${dataset.name}`}
            onConfirm={remove}
          >
            Its {versions.length} version{versions.length === 1 ? '' : 's'} and their rows go. Experiments that ran on it keep their results. This cannot be undone.
          </ConfirmDialog>
        </div>
      </header>

      <section aria-label="Rows" className="card">
        <div className="flex flex-wrap items-center gap-3 border-b border-border px-4 py-2.5">
          <h2 className="m-0 text-base">Rows</h2>
          <label htmlFor={`${uid}-version`} className="ml-auto text-sm text-fg-muted">
            Version
          </label>
          <select id={`${uid}-version`} value={chosen ?? ''} onChange={(e) => setChosen(Number(e.target.value))}>
            {versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} · {v.rowCount} rows{v.message ? ` · ${v.message}` : ''}
                {v.author ? ` · by ${v.author}` : ''}
              </option>
            ))}
          </select>
        </div>
        {current && (
          <p className="m-0 border-b border-border px-4 py-2 text-xs text-fg-muted">
            Version {current.version}
            {current.version === versions[0]?.version ? ' (latest)' : ''}, made <When iso={current.createdAt} />
            {current.author ? ` by ${current.author}` : ''}
            {current.message ? `: ${current.message}` : ''}
          </p>
        )}
        {rowsError ? (
          <div className="p-4">
            <LoadError message={rowsError} onRetry={() => load(chosen)} />
          </div>
        ) : !shownRows ? (
          <Loading label="Loading the rows" className="m-4 h-24" />
        ) : shownRows.length === 0 ? (
          <div className="p-4">
            <EmptyState title="No rows yet">Import a CSV or JSONL file to add rows: each is an input for the flow and, optionally, what it should give.</EmptyState>
          </div>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label={`Rows of version ${chosen}`}>
              <thead className="border-b border-border bg-surface-2">
                <tr>
                  <th scope="col" className={`${th} w-16`}>
                    #
                  </th>
                  <th scope="col" className={th}>
                    Input
                  </th>
                  <th scope="col" className={th}>
                    Expected
                  </th>
                  <th scope="col" className={th}>
                    Source
                  </th>
                </tr>
              </thead>
              <tbody>
                {shownRows.map((row, i) => {
                  const expanded = openRow === i;
                  return (
                    <Fragment key={i}>
                      <tr className="border-b border-border last:border-b-0 hover:bg-surface-2">
                        <td className={td}>
                          <button type="button" className="btn-ghost btn-sm" aria-expanded={expanded} aria-label={`Row ${i + 1}: ${expanded ? 'hide' : 'show'} all of it`} onClick={() => setOpenRow(expanded ? undefined : i)}>
                            {expanded ? <ChevronDown size={14} aria-hidden="true" /> : <ChevronRight size={14} aria-hidden="true" />}
                            {i + 1}
                          </button>
                        </td>
                        <td className={`${td} max-w-xl`}>{summarize(row.input, 120)}</td>
                        <td className={`${td} max-w-xs text-fg-muted`}>{row.expected === undefined ? <span className="text-fg-subtle">none</span> : summarize(row.expected, 60)}</td>
                        <td className={`${td} whitespace-nowrap text-xs text-fg-muted`}>
                          {row.source ?? '—'}
                          {row.mocks && <span className="evals-chip ml-2">mock script</span>}
                        </td>
                      </tr>
                      {expanded && (
                        <tr className="border-b border-border bg-surface-2">
                          <td colSpan={4} className="px-4 py-3">
                            <div className="grid gap-3 md:grid-cols-2">
                              <JsonBlock title="Input" value={row.input} />
                              <JsonBlock title="Expected" value={row.expected} />
                              {row.mocks && <JsonBlock title="Mock script" value={row.mocks} open={false} />}
                              {row.metadata && <JsonBlock title="Metadata" value={row.metadata} open={false} />}
                            </div>
                          </td>
                        </tr>
                      )}
                    </Fragment>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  );
}
