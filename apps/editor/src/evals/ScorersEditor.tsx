import { useId, useState, type ReactNode } from 'react';
import { Plus, Trash2 } from 'lucide-react';
import type { PromptSummary } from '@trellis/schema';
import { IconButton } from '../ui/IconButton';
import { buildScorer, draftOf, emptyDraft, parseScorersJson, SCORER_TYPES, type ScorerDraft, type ScorerType } from './scorers';

export type ScorersMode = 'list' | 'json';

interface Props {
  drafts: ScorerDraft[];
  onDrafts: (drafts: ScorerDraft[]) => void;
  mode: ScorersMode;
  onMode: (mode: ScorersMode) => void;
  json: string;
  onJson: (json: string) => void;
  /** The library's prompts, for a judge's rubric. */
  prompts: PromptSummary[] | undefined;
}

/**
 * The scorers of an experiment: a list where each is chosen by type with its own fields (what is
 * wrong said under it), or the same list written as JSON.
 */
export function ScorersEditor({ drafts, onDrafts, mode, onMode, json, onJson, prompts }: Props) {
  const [modeError, setModeError] = useState<string | undefined>();
  const uid = useId();
  const toJson = () => {
    const built = drafts.map(buildScorer);
    const bad = built.findIndex((b) => !b.ok);
    if (bad >= 0) return setModeError(`Fix scorer ${bad + 1} first: ${(built[bad] as { problem: string }).problem}.`);
    onJson(JSON.stringify(built.map((b) => (b.ok ? b.scorer : null)), null, 2));
    setModeError(undefined);
    onMode('json');
  };
  const toList = () => {
    const parsed = parseScorersJson(json);
    if (!parsed.ok) return setModeError(`Fix the JSON first: ${parsed.problem}`);
    onDrafts(parsed.scorers.map(draftOf));
    setModeError(undefined);
    onMode('list');
  };
  const jsonProblem = mode === 'json' ? (() => { const p = parseScorersJson(json); return p.ok ? undefined : p.problem; })() : undefined;

  return (
    <fieldset className="evals-scorers">
      <legend>Scorers</legend>
      <div className="mb-2 flex items-center gap-2">
        <p className="evals-help m-0 mr-auto">Each row's output is scored by every scorer, from 0 to 1.</p>
        <div role="group" aria-label="Write the scorers as" className="evals-segmented">
          <button type="button" aria-pressed={mode === 'list'} onClick={() => mode !== 'list' && toList()}>
            Form
          </button>
          <button type="button" aria-pressed={mode === 'json'} onClick={() => mode !== 'json' && toJson()}>
            JSON
          </button>
        </div>
      </div>
      {modeError && (
        <p role="alert" className="evals-error">
          {modeError}
        </p>
      )}
      {mode === 'json' ? (
        <>
          <label htmlFor={`${uid}-json`} className="sr-only">
            Scorers as JSON
          </label>
          <textarea id={`${uid}-json`} rows={10} className="w-full font-mono text-xs" spellCheck={false} value={json} onChange={(e) => onJson(e.target.value)} aria-invalid={jsonProblem ? true : undefined} aria-describedby={`${uid}-json-problem`} />
          <p id={`${uid}-json-problem`} className={jsonProblem ? 'evals-field-problem' : 'evals-help'}>
            {jsonProblem ?? 'A list of scorers, as the API takes them: [ { "type": "exact", "path": "route" } ].'}
          </p>
        </>
      ) : (
        <ol className="evals-scorer-list" aria-label="Scorers">
          {drafts.map((d, i) => (
            <ScorerRow
              key={i}
              n={i + 1}
              draft={d}
              prompts={prompts}
              onChange={(next) => onDrafts(drafts.map((x, j) => (j === i ? next : x)))}
              onRemove={drafts.length > 1 ? () => onDrafts(drafts.filter((_, j) => j !== i)) : undefined}
            />
          ))}
        </ol>
      )}
      {mode === 'list' && (
        <button type="button" className="btn-sm mt-2" onClick={() => onDrafts([...drafts, emptyDraft('contains')])}>
          <Plus size={14} aria-hidden="true" /> Add scorer
        </button>
      )}
    </fieldset>
  );
}

function ScorerRow({ n, draft, prompts, onChange, onRemove }: { n: number; draft: ScorerDraft; prompts: PromptSummary[] | undefined; onChange: (d: ScorerDraft) => void; onRemove?: () => void }) {
  const uid = useId();
  const built = buildScorer(draft);
  const set = <K extends keyof ScorerDraft>(key: K, value: ScorerDraft[K]) => onChange({ ...draft, [key]: value });
  const about = SCORER_TYPES.find((t) => t.type === draft.type)?.about;
  const text = (key: keyof ScorerDraft, label: string, placeholder?: string, extra?: ReactNode) => (
    <div className="evals-scorer-field">
      <label htmlFor={`${uid}-${key}`}>{label}</label>
      <input id={`${uid}-${key}`} value={draft[key] as string} placeholder={placeholder} onChange={(e) => set(key, e.target.value)} autoComplete="off" spellCheck={false} />
      {extra}
    </div>
  );
  return (
    <li className="evals-scorer" aria-label={`Scorer ${n}`}>
      <div className="flex flex-wrap items-end gap-2">
        <div className="evals-scorer-field">
          <label htmlFor={`${uid}-type`}>Type</label>
          <select id={`${uid}-type`} value={draft.type} onChange={(e) => set('type', e.target.value as ScorerType)}>
            {SCORER_TYPES.map((t) => (
              <option key={t.type} value={t.type}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        {text('path', 'Output path', 'whole output', undefined)}
        {text('expectedPath', 'Expected path', 'same as output path')}
        {text('id', 'Id', 'from the type')}
        {onRemove && <IconButton icon={Trash2} label={`Remove scorer ${n}`} className="btn-ghost mb-0.5 ml-auto" onClick={onRemove} />}
      </div>
      {about && <p className="evals-help">{about}</p>}
      <div className="flex flex-wrap items-end gap-2">
        {draft.type === 'contains' && (
          <>
            {text('value', 'Text to find', 'the expected text')}
            <label className="evals-inline">
              <input type="checkbox" checked={draft.ignoreCase} onChange={(e) => set('ignoreCase', e.target.checked)} /> Ignore case
            </label>
          </>
        )}
        {draft.type === 'regex' && (
          <>
            {text('pattern', 'Pattern', '^(billing|account)$')}
            {text('flags', 'Flags', 'i, m, s, u')}
          </>
        )}
        {draft.type === 'cel' && <div className="min-w-0 flex-1">{text('expression', 'Expression', "output.route == expected.route")}</div>}
        {draft.type === 'numeric' && (
          <>
            {text('tolerance', 'Tolerance', '0')}
            {text('relative', 'Relative tolerance', '0.05 for 5%')}
          </>
        )}
        {draft.type === 'judge' && (
          <>
            <div className="evals-scorer-field">
              <label htmlFor={`${uid}-rubric`}>Rubric prompt</label>
              <select id={`${uid}-rubric`} value={draft.rubricName} onChange={(e) => onChange({ ...draft, rubricName: e.target.value, rubricVersion: String(prompts?.find((p) => p.name === e.target.value)?.latestVersion ?? 1) })}>
                <option value="">Choose a library prompt…</option>
                {prompts?.map((p) => (
                  <option key={p.name} value={p.name}>
                    {p.name}
                  </option>
                ))}
              </select>
            </div>
            {text('rubricVersion', 'Version', '1')}
            {text('model', 'Model', 'openai:gpt-4.1-mini')}
            {text('threshold', 'Pass from', '0.5')}
          </>
        )}
      </div>
      {draft.type === 'json_schema' && (
        <div className="evals-scorer-field mt-2">
          <label htmlFor={`${uid}-schema`}>JSON Schema</label>
          <textarea id={`${uid}-schema`} rows={4} className="font-mono text-xs" spellCheck={false} value={draft.schema} onChange={(e) => set('schema', e.target.value)} />
        </div>
      )}
      {!built.ok && (
        <p className="evals-field-problem" role="status">
          Scorer {n}: {built.problem}
        </p>
      )}
    </li>
  );
}
