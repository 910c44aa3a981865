import { useEffect, useId, useState } from 'react';
import { Dialog } from 'radix-ui';
import { Play, Plus } from 'lucide-react';
import { EXPERIMENT_CONCURRENCY_MAX, type DatasetSummary, type DatasetVersionSummary, type Experiment, type FlowSummary, type FlowVersionSummary, type PromptSummary, type Scorer } from '@trellis/schema';
import type { ApiClient } from '../api';
import { reportError } from '../publish/errors';
import { errorText } from './format';
import { buildScorer, emptyDraft, parseScorersJson, type ScorerDraft } from './scorers';
import { ScorersEditor, type ScorersMode } from './ScorersEditor';
import { PromptVersionsField } from './PromptVersionsField';

interface Props {
  api: ApiClient;
  /** Open at once (the dataset page's "New experiment"), on this dataset. */
  startOpen?: boolean;
  datasetId?: string;
  onStarted: (experiment: Experiment) => void;
}

/** Starts an experiment: a flow version over a dataset version, its scorers, how many rows at once, offline or live. */
export function NewExperimentDialog({ api, startOpen = false, datasetId: initialDataset, onStarted }: Props) {
  const [open, setOpen] = useState(startOpen);
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  const [datasets, setDatasets] = useState<DatasetSummary[] | undefined>();
  const [prompts, setPrompts] = useState<PromptSummary[] | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [flowId, setFlowId] = useState('');
  const [flowVersions, setFlowVersions] = useState<FlowVersionSummary[]>([]);
  const [flowVersion, setFlowVersion] = useState('');
  const [datasetId, setDatasetId] = useState(initialDataset ?? '');
  const [datasetVersions, setDatasetVersions] = useState<DatasetVersionSummary[]>([]);
  const [datasetVersion, setDatasetVersion] = useState('');
  const [name, setName] = useState('');
  const [drafts, setDrafts] = useState<ScorerDraft[]>([emptyDraft('exact')]);
  const [mode, setMode] = useState<ScorersMode>('list');
  const [json, setJson] = useState('[\n  { "type": "exact" }\n]');
  const [concurrency, setConcurrency] = useState('4');
  const [live, setLive] = useState(false);
  const [promptVersions, setPromptVersions] = useState<Record<string, number>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; problems: string[] } | undefined>();
  const uid = useId();

  useEffect(() => {
    if (!open || flows) return;
    Promise.all([api.listFlows(), api.listDatasets(), api.listPrompts().catch(() => [])]).then(
      ([f, d, p]) => {
        setFlows(f);
        setDatasets(d);
        setPrompts(p);
        setFlowId((now) => now || f[0]?.id || '');
        setDatasetId((now) => now || d[0]?.id || '');
      },
      (e: unknown) => setLoadError(errorText('Could not load the flows and datasets', e)),
    );
  }, [api, open, flows]);

  useEffect(() => {
    setFlowVersions([]);
    setFlowVersion('');
    if (!flowId) return;
    let live = true;
    api.listVersions(flowId).then((v) => live && setFlowVersions(v), () => undefined);
    return () => {
      live = false;
    };
  }, [api, flowId]);

  useEffect(() => {
    setDatasetVersions([]);
    setDatasetVersion('');
    if (!datasetId) return;
    let live = true;
    api.listDatasetVersions(datasetId).then((v) => live && setDatasetVersions(v), () => undefined);
    return () => {
      live = false;
    };
  }, [api, datasetId]);

  const scorers = (): { ok: true; scorers: Scorer[] } | { ok: false; problem: string } => {
    if (mode === 'json') return parseScorersJson(json);
    const built = drafts.map(buildScorer);
    const bad = built.findIndex((b) => !b.ok);
    if (bad >= 0) return { ok: false, problem: `Scorer ${bad + 1}: ${(built[bad] as { problem: string }).problem}.` };
    return { ok: true, scorers: built.flatMap((b) => (b.ok ? [b.scorer] : [])) };
  };

  const start = async () => {
    setError(undefined);
    if (!flowId) return setError({ message: 'Choose the flow to run.', problems: [] });
    if (!datasetId) return setError({ message: 'Choose the dataset to run it over.', problems: [] });
    const chosen = datasets?.find((d) => d.id === datasetId);
    if (chosen && chosen.rowCount === 0 && !datasetVersion) return setError({ message: `The dataset “${chosen.name}” has no rows: import some first.`, problems: [] });
    const s = scorers();
    if (!s.ok) return setError({ message: s.problem, problems: [] });
    const n = Number(concurrency);
    if (!Number.isInteger(n) || n < 1 || n > EXPERIMENT_CONCURRENCY_MAX) return setError({ message: `Rows at once must be a whole number from 1 to ${EXPERIMENT_CONCURRENCY_MAX}.`, problems: [] });
    setBusy(true);
    try {
      const made = await api.startExperiment({
        ...(name.trim() ? { name: name.trim() } : {}),
        flowId,
        ...(flowVersion ? { version: Number(flowVersion) } : {}),
        datasetId,
        ...(datasetVersion ? { datasetVersion: Number(datasetVersion) } : {}),
        scorers: s.scorers,
        ...(Object.keys(promptVersions).length ? { prompts: promptVersions } : {}),
        concurrency: n,
        ...(live ? { live: true } : {}),
      });
      setOpen(false);
      onStarted(made);
    } catch (e) {
      setError(reportError('Could not start the experiment', e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <button type="button" className="btn-primary">
          <Plus size={16} aria-hidden="true" /> New experiment
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <Dialog.Content className="card fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-3rem)] w-[min(52rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto p-5 shadow-[var(--shadow-lg)]">
          <Dialog.Title className="m-0 text-base font-semibold">New experiment</Dialog.Title>
          <Dialog.Description className="m-0 mt-1 text-sm text-fg-muted">Runs a flow version over every row of a dataset version and scores each output. Offline, the test provider answers from each row's mock script.</Dialog.Description>
          {loadError && (
            <p role="alert" className="evals-error mt-3">
              {loadError}
            </p>
          )}
          <form
            className="evals-form mt-4"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void start();
            }}
          >
            <div className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)]">
              <div className="evals-field">
                <label htmlFor={`${uid}-flow`}>Flow</label>
                <select id={`${uid}-flow`} value={flowId} onChange={(e) => setFlowId(e.target.value)} disabled={!flows}>
                  {!flows && <option value="">Loading…</option>}
                  {flows?.length === 0 && <option value="">No flows yet</option>}
                  {flows?.map((f) => (
                    <option key={f.id} value={f.id}>
                      {f.name} ({f.id})
                    </option>
                  ))}
                </select>
              </div>
              <div className="evals-field">
                <label htmlFor={`${uid}-flow-version`}>Flow version</label>
                <select id={`${uid}-flow-version`} value={flowVersion} onChange={(e) => setFlowVersion(e.target.value)}>
                  <option value="">Latest{flowVersions[0] ? ` (v${flowVersions[0].version})` : ''}</option>
                  {flowVersions.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version}
                      {v.message ? ` · ${v.message.slice(0, 40)}` : ''}
                    </option>
                  ))}
                </select>
              </div>
              <div className="evals-field">
                <label htmlFor={`${uid}-dataset`}>Dataset</label>
                <select id={`${uid}-dataset`} value={datasetId} onChange={(e) => setDatasetId(e.target.value)} disabled={!datasets}>
                  {!datasets && <option value="">Loading…</option>}
                  {datasets?.length === 0 && <option value="">No datasets yet: create one first</option>}
                  {datasets?.map((d) => (
                    <option key={d.id} value={d.id}>
                      {d.name} ({d.rowCount} rows)
                    </option>
                  ))}
                </select>
              </div>
              <div className="evals-field">
                <label htmlFor={`${uid}-dataset-version`}>Dataset version</label>
                <select id={`${uid}-dataset-version`} value={datasetVersion} onChange={(e) => setDatasetVersion(e.target.value)}>
                  <option value="">Latest{datasetVersions[0] ? ` (v${datasetVersions[0].version}, ${datasetVersions[0].rowCount} rows)` : ''}</option>
                  {datasetVersions.map((v) => (
                    <option key={v.version} value={v.version}>
                      v{v.version} · {v.rowCount} rows
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <PromptVersionsField api={api} flowId={flowId} version={flowVersion ? Number(flowVersion) : undefined} value={promptVersions} onValue={setPromptVersions} />
            <ScorersEditor drafts={drafts} onDrafts={setDrafts} mode={mode} onMode={setMode} json={json} onJson={setJson} prompts={prompts} />
            <div className="grid items-end gap-3 sm:grid-cols-[minmax(0,2fr)_8rem_minmax(0,1.4fr)]">
              <div className="evals-field">
                <label htmlFor={`${uid}-name`}>
                  Name <span className="font-normal text-fg-muted">(optional)</span>
                </label>
                <input id={`${uid}-name`} value={name} onChange={(e) => setName(e.target.value)} placeholder="Baseline, new routing rule, …" autoComplete="off" maxLength={200} />
              </div>
              <div className="evals-field">
                <label htmlFor={`${uid}-concurrency`}>Rows at once</label>
                <input id={`${uid}-concurrency`} type="number" min={1} max={EXPERIMENT_CONCURRENCY_MAX} value={concurrency} onChange={(e) => setConcurrency(e.target.value)} />
              </div>
              <label className="evals-inline pb-1.5">
                <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} aria-describedby={`${uid}-live-help`} /> Call the real models
              </label>
            </div>
            <p id={`${uid}-live-help`} className={live ? 'evals-help text-warning-fg' : 'evals-help'}>
              {live ? 'Live: every row calls the models configured, and costs what they charge.' : 'Offline: nothing is called or charged; rows without a mock script get canned text.'}
            </p>
            {error && (
              <div role="alert" className="evals-error">
                <p className="m-0">{error.message}</p>
                {error.problems.length > 0 && (
                  <ul className="evals-problems">
                    {error.problems.map((p) => (
                      <li key={p}>{p}</li>
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
                <Play size={15} aria-hidden="true" /> {busy ? 'Starting…' : 'Start experiment'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
