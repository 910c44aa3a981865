import { useEffect, useId, useMemo, useState } from 'react';
import { Dialog } from 'radix-ui';
import { Upload } from 'lucide-react';
import { flowInputSchema } from '@trellis/nodes';
import type { DatasetVersionSummary, FlowSummary } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { errorText } from './format';
import { csvHeader, formatOfFile, guessFormat, importProblems, mappingFor, problemPlace, targetsFor, unmappedFields, type ImportFormat, type ImportProblem } from './import';

interface Props {
  api: ApiClient;
  datasetId: string;
  /** Whether the dataset has rows to keep or replace. */
  hasRows: boolean;
  onImported: (version: DatasetVersionSummary) => void;
}

/**
 * Imports a CSV or JSONL file as a new version: picked or pasted, optionally typed and checked by a
 * flow's input, a CSV's columns each sent where the person chose; the runner's problems are listed
 * by row and field, and nothing is imported until there are none.
 */
export function ImportDialog({ api, datasetId, hasRows, onImported }: Props) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState('');
  const [fileName, setFileName] = useState<string | undefined>();
  const [format, setFormat] = useState<ImportFormat>('csv');
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  const [flowId, setFlowId] = useState('');
  const [inputFields, setInputFields] = useState<string[]>([]);
  const [flowError, setFlowError] = useState<string | undefined>();
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const [replace, setReplace] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [problems, setProblems] = useState<ImportProblem[]>([]);
  const uid = useId();

  useEffect(() => {
    if (!open || flows) return;
    api.listFlows().then(setFlows, (e: unknown) => setFlowError(errorText('Could not load the flows', e)));
  }, [api, open, flows]);

  useEffect(() => {
    setInputFields([]);
    if (!flowId) return;
    let live = true;
    api.getFlow(flowId).then(
      (flow) => {
        if (!live) return;
        const schema = flowInputSchema(flow.document) as { properties?: Record<string, unknown> };
        setInputFields(Object.keys(schema.properties ?? {}));
      },
      (e: unknown) => live && setFlowError(errorText(`Could not load the flow “${flowId}”`, e)),
    );
    return () => {
      live = false;
    };
  }, [api, flowId]);

  const columns = useMemo(() => (format === 'csv' ? csvHeader(text) : []), [format, text]);
  const mapping = useMemo(() => mappingFor(columns, inputFields, chosen), [columns, inputFields, chosen]);
  const missing = format === 'csv' && columns.length ? unmappedFields(mapping, inputFields) : [];

  const changed = () => {
    setError(undefined);
    setProblems([]);
  };
  const reset = () => {
    setText('');
    setFileName(undefined);
    setFormat('csv');
    setFlowId('');
    setChosen({});
    setReplace(false);
    setFlowError(undefined);
    changed();
  };
  const pickFile = async (file: File | undefined) => {
    if (!file) return;
    changed();
    const body = await file.text();
    setFileName(file.name);
    setText(body);
    setFormat(formatOfFile(file.name) ?? guessFormat(body));
    setChosen({});
  };

  const submit = async () => {
    if (!text.trim()) return setError('Choose a file or paste its rows first.');
    setBusy(true);
    changed();
    try {
      const made = await api.importDataset(datasetId, {
        format,
        text,
        ...(format === 'csv' && columns.length ? { columns: mapping } : {}),
        ...(flowId ? { flowId } : {}),
        ...(replace ? { replace: true } : {}),
        ...(fileName ? { message: `imported ${fileName}` } : {}),
      });
      setOpen(false);
      reset();
      onImported(made);
    } catch (e) {
      const found = e instanceof ApiError ? importProblems(e.details) : [];
      setProblems(found);
      setError(found.length ? `Nothing was imported: the file has ${found.length === 1 ? 'a problem' : `${found.length} problems`}. Fix ${found.length === 1 ? 'it' : 'them'} and import again.` : errorText('Could not import the file', e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className={hasRows ? undefined : 'btn-primary'}>
          <Upload size={15} aria-hidden="true" /> Import CSV/JSONL
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <Dialog.Content className="card fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-3rem)] w-[min(46rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto p-5 shadow-[var(--shadow-lg)]">
          <Dialog.Title className="m-0 text-base font-semibold">Import rows</Dialog.Title>
          <Dialog.Description className="m-0 mt-1 text-sm text-fg-muted">
            A CSV with a header line (a column per input field, and <code>expected</code>), or JSONL with one row a line (<code>{'{"input": …, "expected": …, "mocks": …}'}</code>). The rows make a new version.
          </Dialog.Description>
          <form
            className="evals-form mt-4"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void submit();
            }}
          >
            <label htmlFor={`${uid}-file`}>File</label>
            <input id={`${uid}-file`} type="file" accept=".csv,.jsonl,.ndjson,.txt,text/csv,application/jsonl" onChange={(e) => void pickFile(e.target.files?.[0])} />
            <label htmlFor={`${uid}-text`}>Or paste the rows</label>
            <textarea
              id={`${uid}-text`}
              rows={6}
              className="font-mono text-xs"
              value={text}
              spellCheck={false}
              placeholder={'message,customerId,expected\n"Where is my invoice?",cus_1077,billing'}
              onChange={(e) => {
                changed();
                const next = e.target.value;
                if (!text.trim() && next.trim()) setFormat(guessFormat(next));
                setText(next);
              }}
            />
            <div className="grid gap-3 sm:grid-cols-2">
              <fieldset className="evals-choices">
                <legend>Format</legend>
                {(['csv', 'jsonl'] as const).map((f) => (
                  <label key={f}>
                    <input type="radio" name={`${uid}-format`} value={f} checked={format === f} onChange={() => (changed(), setFormat(f))} /> {f.toUpperCase()}
                  </label>
                ))}
              </fieldset>
              <fieldset className="evals-choices">
                <legend>The rows</legend>
                <label>
                  <input type="radio" name={`${uid}-replace`} checked={!replace} onChange={() => setReplace(false)} /> Add after the rows there
                </label>
                <label>
                  <input type="radio" name={`${uid}-replace`} checked={replace} onChange={() => setReplace(true)} /> Replace every row
                </label>
              </fieldset>
            </div>
            <label htmlFor={`${uid}-flow`}>Check the inputs against a flow</label>
            <select id={`${uid}-flow`} value={flowId} onChange={(e) => (changed(), setFlowId(e.target.value))} aria-describedby={`${uid}-flow-help`}>
              <option value="">No flow: take the values as they are</option>
              {flows?.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name} ({f.id})
                </option>
              ))}
            </select>
            <p id={`${uid}-flow-help`} className="evals-help">
              {flowError ?? "The flow's input types the CSV's values (a number column becomes numbers) and every row is checked against it."}
            </p>
            {format === 'csv' && columns.length > 0 && (
              <fieldset className="evals-mapping">
                <legend>Columns</legend>
                <table className="w-full text-sm" aria-label="Where each column goes">
                  <thead>
                    <tr>
                      <th scope="col">Column in the file</th>
                      <th scope="col">Goes to</th>
                    </tr>
                  </thead>
                  <tbody>
                    {columns.map((column) => (
                      <tr key={column}>
                        <td>
                          <code>{column}</code>
                        </td>
                        <td>
                          <select aria-label={`Where the column ${column} goes`} value={mapping[column]} onChange={(e) => (changed(), setChosen((c) => ({ ...c, [column]: e.target.value })))}>
                            {targetsFor(column, inputFields).map((t) => (
                              <option key={t.value} value={t.value}>
                                {t.label}
                              </option>
                            ))}
                          </select>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {missing.length > 0 && (
                  <p className="evals-help text-warning-fg">
                    No column goes to the input field{missing.length === 1 ? '' : 's'} {missing.map((m) => `“${m}”`).join(', ')}.
                  </p>
                )}
              </fieldset>
            )}
            {error && (
              <div role="alert" className="evals-error">
                <p className="m-0 font-medium">{error}</p>
                {problems.length > 0 && (
                  <ul aria-label="Problems in the file" className="evals-problems">
                    {problems.map((p, i) => (
                      <li key={i}>
                        <strong>{problemPlace(p)}</strong>: {p.message}
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            )}
            <div className="mt-2 flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button">Cancel</button>
              </Dialog.Close>
              <button type="submit" className="btn-primary" disabled={busy}>
                {busy ? 'Importing…' : 'Import rows'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
