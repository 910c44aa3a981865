import { useEffect, useId, useState } from 'react';
import { errorMessage, type DatasetSummary, type RunStatus } from '@trellis/schema';
import type { ApiClient } from '../api';

/**
 * Adds the run on show to a dataset as a row (a new version of it): its input, mock script and
 * the answers people gave it, with its output as the row's expected value when it succeeded.
 */
export function AddToDataset({ api, runId, status }: { api: ApiClient; runId: string; status: RunStatus }) {
  const selectId = useId();
  const [datasets, setDatasets] = useState<DatasetSummary[] | undefined>();
  const [chosen, setChosen] = useState('');
  const [withOutput, setWithOutput] = useState(true);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ text: string; error?: boolean; datasetId?: string } | undefined>();
  useEffect(() => {
    let live = true;
    api.listDatasets().then(
      (found) => {
        if (!live) return;
        setDatasets(found);
        setChosen((was) => was || found[0]?.id || '');
      },
      () => live && setDatasets([]),
    );
    return () => {
      live = false;
    };
  }, [api]);
  const ended = status === 'succeeded' || status === 'failed' || status === 'cancelled';
  if (!ended) return null;
  const expectOutput = status === 'succeeded' && withOutput;

  const add = async () => {
    setBusy(true);
    setMessage(undefined);
    try {
      const version = await api.addRunToDataset(chosen, { runId, expected: expectOutput ? 'output' : 'none' });
      setMessage({ text: `Added as row ${version.rowCount} of “${chosen}” (version ${version.version}).`, datasetId: chosen });
    } catch (e) {
      setMessage({ text: `Could not add the run: ${errorMessage(e)}`, error: true });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label="Add to a dataset" className="card px-4 py-3 text-sm">
      <h2 className="m-0 mb-2 text-base">Add to a dataset</h2>
      {datasets === undefined ? (
        <p className="m-0 text-fg-muted" role="status">
          Loading the datasets…
        </p>
      ) : datasets.length === 0 ? (
        <p className="m-0 text-fg-muted">
          No datasets yet: <a href="#/datasets">create one</a> to collect runs like this one for experiments.
        </p>
      ) : (
        <div className="flex flex-col gap-2">
          <div className="flex flex-wrap items-end gap-2">
            <label htmlFor={selectId} className="sr-only">
              Dataset
            </label>
            <select id={selectId} value={chosen} onChange={(e) => setChosen(e.target.value)} className="min-w-0 flex-1">
              {datasets.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name} ({d.rowCount} rows)
                </option>
              ))}
            </select>
            <button type="button" className="btn-sm" disabled={busy || !chosen} onClick={() => void add()}>
              Add run to dataset
            </button>
          </div>
          {status === 'succeeded' ? (
            <label className="flex items-center gap-2 text-xs text-fg-muted">
              <input type="checkbox" checked={withOutput} onChange={(e) => setWithOutput(e.target.checked)} />
              Its output is the row’s expected value
            </label>
          ) : (
            <p className="m-0 text-xs text-fg-muted">The run {status}, so the row has no expected value.</p>
          )}
        </div>
      )}
      {message && (
        <p role={message.error ? 'alert' : 'status'} className={message.error ? 'm-0 mt-2 text-danger-fg' : 'm-0 mt-2 text-fg-muted'}>
          {message.text} {message.datasetId && <a href={`#/datasets/${encodeURIComponent(message.datasetId)}`}>Open the dataset</a>}
        </p>
      )}
    </section>
  );
}
