import { Scorer, type PublishGate } from '@trellis/schema';

/** The publish gate as the settings dialog edits it: text fields, checked when the dialog applies. */
export interface GateDraft {
  cases: boolean;
  /** '' for no experiment. */
  dataset: string;
  scorers: string;
  minScore: string;
  maxDrop: string;
}

export function gateDraft(gate: PublishGate | undefined): GateDraft {
  const e = gate?.experiment;
  return {
    cases: gate?.cases === true,
    dataset: e?.dataset ?? '',
    scorers: JSON.stringify(e?.scorers ?? [{ type: 'json_match' }]),
    minScore: e?.minScore === undefined ? '' : String(e.minScore),
    maxDrop: e?.maxDrop === undefined ? '' : String(e.maxDrop),
  };
}

/** The gate a draft makes, or the first thing wrong with it. */
export function gateOf(draft: GateDraft): { gate: PublishGate } | { error: string } {
  const gate: PublishGate = draft.cases ? { cases: true } : {};
  if (!draft.dataset) return { gate };
  let scorers: unknown;
  try {
    scorers = JSON.parse(draft.scorers);
  } catch (error) {
    return { error: `The scorers are not valid JSON: ${(error as Error).message}` };
  }
  const parsed = Scorer.array().min(1).safeParse(scorers);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { error: `Scorer ${Number(issue.path[0] ?? 0) + 1}: ${issue.message}` };
  }
  const bound = (text: string, name: string): number | undefined | string => {
    if (!text.trim()) return undefined;
    const n = Number(text);
    return Number.isFinite(n) && n >= 0 && n <= 1 ? n : `${name} must be a number from 0 to 1`;
  };
  const minScore = bound(draft.minScore, 'The minimum score');
  const maxDrop = bound(draft.maxDrop, 'The largest drop');
  if (typeof minScore === 'string') return { error: minScore };
  if (typeof maxDrop === 'string') return { error: maxDrop };
  if (minScore === undefined && maxDrop === undefined) return { error: 'Give a minimum score, a largest drop, or both: otherwise the experiment gates nothing' };
  return { gate: { ...gate, experiment: { dataset: draft.dataset, scorers: parsed.data, ...(minScore === undefined ? {} : { minScore }), ...(maxDrop === undefined ? {} : { maxDrop }) } } };
}

/** The dialog's "Publish gate" section: the cases, and an experiment on a dataset with its bounds. */
export function GateSettings({ draft, onDraft, datasets, error }: { draft: GateDraft; onDraft: (draft: GateDraft) => void; datasets: readonly { id: string; name: string }[]; error?: string | undefined }) {
  const set = (patch: Partial<GateDraft>) => onDraft({ ...draft, ...patch });
  return (
    <section aria-label="Publish gate" className="flex flex-col gap-2">
      <h3 className="m-0 text-sm font-medium">Publish gate</h3>
      <label className="gate-choice">
        <input type="checkbox" className="mt-1" checked={draft.cases} onChange={(e) => set({ cases: e.target.checked })} />
        <span className="flex flex-col">
          <span className="text-sm">Require the test cases to pass before publishing</span>
          <span className="text-xs text-fg-subtle">Publishing runs the saved version’s cases (the Tests tab) and refuses when one fails, unless someone publishes anyway with a reason, which the publish log keeps.</span>
        </span>
      </label>
      <label className="flex flex-col gap-1">
        <span className="text-sm">Experiment on a dataset</span>
        <select value={draft.dataset} onChange={(e) => set({ dataset: e.target.value })}>
          <option value="">None</option>
          {datasets.map((d) => (
            <option key={d.id} value={d.id}>
              {d.name} ({d.id})
            </option>
          ))}
          {draft.dataset && !datasets.some((d) => d.id === draft.dataset) && <option value={draft.dataset}>{draft.dataset}</option>}
        </select>
      </label>
      {draft.dataset && (
        <div className="flex flex-col gap-2 rounded-md border border-border p-2">
          <label className="flex flex-col gap-1">
            <span className="text-sm">Scorers (JSON; the gate reads the first)</span>
            <textarea rows={2} spellCheck={false} className="font-mono text-xs" value={draft.scorers} onChange={(e) => set({ scorers: e.target.value })} />
          </label>
          <div className="flex gap-3">
            <label className="flex flex-col gap-1">
              <span className="text-sm">Minimum score (0–1)</span>
              <input inputMode="decimal" value={draft.minScore} onChange={(e) => set({ minScore: e.target.value })} />
            </label>
            <label className="flex flex-col gap-1">
              <span className="text-sm">Largest drop from the published version (0–1)</span>
              <input inputMode="decimal" value={draft.maxDrop} onChange={(e) => set({ maxDrop: e.target.value })} />
            </label>
          </div>
          <span className="text-xs text-fg-subtle">Publishing runs the version over the dataset’s latest rows offline, and the version the slug serves now for the drop; both are kept as experiments.</span>
        </div>
      )}
      {error && (
        <p role="alert" className="m-0 text-sm text-danger-fg">
          {error}
        </p>
      )}
    </section>
  );
}
