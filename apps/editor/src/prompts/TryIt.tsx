import { useEffect, useId, useMemo, useRef, useState } from 'react';
import type { PromptVersion } from '@trellis/schema';
import type { ApiClient } from '../api';
import { adviseModel } from '../inspector/model-choice';
import { useModelCatalog } from '../inspector/use-model-catalog';
import { reportError, type ErrorReport } from '../publish/errors';
import { ErrorNote } from '../publish/ErrorNote';
import { buildSample, emptySample, sampleFields, type SampleDraft } from './samples';
import { SampleEditor } from './SampleEditor';
import { TryResults } from './TryResults';
import { DRAFT, parseMock, tryGrid, tryTargets, versionLabel, type TryGrid } from './try-model';
import { readTemplate } from './variables';

const MAX_SAMPLES = 5;
const TEST_MODEL = 'test:echo';

interface Props {
  api: ApiClient;
  name: string;
  /** Saved versions, newest first. */
  versions: readonly number[];
  latest: number;
  draftTemplate: string;
  getVersion: (version: number) => Promise<PromptVersion>;
}

const choiceValue = (v: number | undefined) => (v === undefined ? '' : v === DRAFT ? 'draft' : String(v));
const parseChoice = (value: string) => (value === '' ? undefined : value === 'draft' ? DRAFT : Number(value));

/**
 * "Try it": renders one or two versions (or the unsaved draft) with the same sample variables
 * and runs each on a chosen model, so a person sees whether an edit made the output better.
 */
export function TryIt({ api, name, versions, latest, draftTemplate, getVersion }: Props) {
  const [open, setOpen] = useState(false);
  const [first, setFirst] = useState<number | undefined>(latest);
  const [second, setSecond] = useState<number | undefined>();
  const [samples, setSamples] = useState<SampleDraft[]>(() => [emptySample()]);
  const [model, setModel] = useState('');
  const [mockText, setMockText] = useState('');
  const [templates, setTemplates] = useState<Record<number, string>>({});
  const [loadError, setLoadError] = useState<ErrorReport | undefined>();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();
  const [result, setResult] = useState<{ grid: TryGrid; model: string } | undefined>();
  const { state: catalogState, retry } = useModelCatalog(api);
  const catalog = catalogState.status === 'ready' ? catalogState.catalog : undefined;
  const ids = useId();

  // A new version (saved or restored) is tried next, unless the person picked another one.
  const shownLatest = useRef(latest);
  useEffect(() => {
    const previous = shownLatest.current;
    shownLatest.current = latest;
    setFirst((f) => (f === undefined || f === previous || f > latest ? latest : f));
  }, [latest]);

  // A configured real model when there is one, else the test provider.
  useEffect(() => {
    if (!catalog || model !== '') return;
    const real = catalog.items.find((m) => m.configured && m.provider !== 'test');
    setModel(real?.id ?? TEST_MODEL);
  }, [catalog, model]);

  // The saved templates being tried, for their variables.
  const chosen = useMemo(() => [first, second].filter((v): v is number => v !== undefined), [first, second]);
  useEffect(() => {
    let live = true;
    for (const version of chosen) {
      if (version === DRAFT || templates[version] !== undefined) continue;
      getVersion(version).then(
        (v) => live && setTemplates((t) => ({ ...t, [version]: v.template })),
        (e: unknown) => live && setLoadError(reportError(`Could not read version ${version}`, e)),
      );
    }
    return () => {
      live = false;
    };
  }, [chosen, getVersion, templates]);

  const form = useMemo(() => {
    const texts = chosen.map((v) => (v === DRAFT ? draftTemplate : templates[v])).filter((t): t is string => t !== undefined);
    return sampleFields([...new Set(texts.flatMap((t) => readTemplate(t).variables))]);
  }, [chosen, draftTemplate, templates]);

  const run = async () => {
    setError(undefined);
    const targets = tryTargets([first, second], draftTemplate);
    if (targets.order.length === 0) return setError({ message: 'Choose a version to try.', problems: [] });
    const built = samples.map((s) => buildSample(s, form));
    const broken = built.flatMap((b, i) => (b.ok ? [] : [`Sample ${i + 1}: ${b.error}`]));
    if (broken.length) return setError({ message: 'Fix the samples first:', problems: broken });
    const mock = parseMock(mockText);
    if (!mock.ok) return setError({ message: mock.error, problems: [] });
    if (model.trim() === '') return setError({ message: 'Choose a model to run on.', problems: [] });
    setRunning(true);
    try {
      const response = await api.tryPrompt(name, {
        versions: targets.versions,
        ...(targets.draft !== undefined ? { draft: targets.draft } : {}),
        samples: built.map((b) => (b.ok ? b.vars : {})),
        model: model.trim(),
        ...(mock.mock !== undefined ? { mock: mock.mock } : {}),
      });
      setResult({ grid: tryGrid(response.results, targets.order), model: response.model });
    } catch (e) {
      setError(reportError('Could not try the prompt', e));
    } finally {
      setRunning(false);
    }
  };

  const advice = adviseModel(model, catalog);
  const versionOptions = (
    <>
      <option value="draft">Unsaved draft (the text in the editor)</option>
      {versions.map((v) => (
        <option key={v} value={v}>
          {versionLabel(v)}
          {v === latest ? ' (latest)' : ''}
        </option>
      ))}
    </>
  );

  return (
    <section className="prompts-panel prompts-try" aria-label="Try it">
      <h2>
        <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          Try it
        </button>
      </h2>
      {open && (
        <div className="prompts-try-body">
          <div className="prompts-try-choices">
            <label className="prompts-field">
              Version to try
              <select value={choiceValue(first)} onChange={(e) => setFirst(parseChoice(e.target.value))}>
                {versionOptions}
              </select>
            </label>
            <label className="prompts-field">
              Compare with
              <select value={choiceValue(second)} onChange={(e) => setSecond(parseChoice(e.target.value))}>
                <option value="">Nothing (one version)</option>
                {versionOptions}
              </select>
            </label>
            <label className="prompts-field">
              Model
              <input list={`${ids}-models`} value={model} onChange={(e) => setModel(e.target.value)} placeholder="provider:model" autoComplete="off" spellCheck={false} />
              <datalist id={`${ids}-models`}>
                {catalog?.items.map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.configured ? m.id : `${m.id} (no key: test provider)`}
                  </option>
                ))}
              </datalist>
            </label>
          </div>
          {advice.map((a) => (
            <p key={a.message} className={a.level === 'warning' ? 'prompts-warning' : 'prompts-note'}>
              {a.message}
            </p>
          ))}
          {catalogState.status === 'failed' && (
            <p role="alert" className="prompts-error">
              Could not load the runner&apos;s model list: {catalogState.error}{' '}
              <button type="button" onClick={retry}>
                Retry loading models
              </button>
            </p>
          )}
          <ErrorNote report={loadError} />
          {samples.map((sample, i) => (
            <SampleEditor
              key={i}
              index={i}
              sample={sample}
              form={form}
              onChange={(next) => setSamples((all) => all.map((s, j) => (j === i ? next : s)))}
              {...(samples.length > 1 ? { onRemove: () => setSamples((all) => all.filter((_, j) => j !== i)) } : {})}
            />
          ))}
          {samples.length < MAX_SAMPLES && (
            <button type="button" onClick={() => setSamples((all) => [...all, emptySample()])}>
              Add sample
            </button>
          )}
          <label className="prompts-field">
            Mock reply for the test provider (JSON, optional)
            <textarea rows={2} spellCheck={false} value={mockText} onChange={(e) => setMockText(e.target.value)} placeholder={'{"text": "billing"}'} />
          </label>
          <p className="prompts-note">Used only when the test provider answers (the test: models, or a provider without its key).</p>
          <div className="prompts-actions">
            <button type="button" onClick={() => void run()} disabled={running}>
              {running ? 'Running…' : 'Run'}
            </button>
          </div>
          <ErrorNote report={error} />
          {result && <TryResults grid={result.grid} model={result.model} />}
        </div>
      )}
    </section>
  );
}
