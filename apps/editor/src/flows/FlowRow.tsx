import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { FlowSummary } from '@trellis/schema';
import { cleanName } from './flow-docs';

export interface FlowRowActions {
  onOpen: (id: string) => void;
  /** Resolves true once saved, so the rename form can close. */
  onRename: (flow: FlowSummary, name: string) => Promise<boolean>;
  onDuplicate: (flow: FlowSummary) => void;
  onExport: (flow: FlowSummary) => void;
  onDelete: (flow: FlowSummary) => void;
}

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** One flow in the list: open it, or rename (inline), duplicate, export or delete it. */
export function FlowRow({ flow, slugs, busy, error, actions }: { flow: FlowSummary; slugs: readonly string[]; busy: boolean; error: string | undefined; actions: FlowRowActions }) {
  const [renaming, setRenaming] = useState(false);
  const [draft, setDraft] = useState(flow.name);
  const [typo, setTypo] = useState<string | undefined>();
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);

  useEffect(() => {
    // Back from the rename form: focus returns to the button that opened it.
    if (wasRenaming.current && !renaming) renameButton.current?.focus();
    wasRenaming.current = renaming;
  }, [renaming]);

  const startRename = () => {
    setDraft(flow.name);
    setTypo(undefined);
    setRenaming(true);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const cleaned = cleanName(draft);
    if ('error' in cleaned) return setTypo(cleaned.error);
    setTypo(undefined);
    if (cleaned.name === flow.name) return setRenaming(false);
    if (await actions.onRename(flow, cleaned.name)) setRenaming(false);
  };

  return (
    <li className="flows-row" aria-busy={busy || undefined}>
      {renaming ? (
        <form className="flows-rename" onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === 'Escape' && setRenaming(false)}>
          <input aria-label={`New name for ${flow.name}`} value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={250} autoFocus />
          <button type="submit" disabled={busy}>
            Save name
          </button>
          <button type="button" onClick={() => setRenaming(false)}>
            Cancel
          </button>
        </form>
      ) : (
        <button type="button" className="flows-open" onClick={() => actions.onOpen(flow.id)} aria-label={`Open ${flow.name}`}>
          <strong>{flow.name}</strong>
        </button>
      )}
      <p className="flows-meta">
        <code>{flow.id}</code> · version {flow.latestVersion} · updated <time dateTime={flow.updatedAt}>{when(flow.updatedAt)}</time> ·{' '}
        {slugs.length ? `published at ${slugs.map((s) => `/v1/flows/${s}`).join(', ')}` : 'not published'}
      </p>
      {flow.description && <p className="flows-description">{flow.description}</p>}
      <div className="flows-actions">
        <button type="button" ref={renameButton} onClick={startRename} disabled={busy || renaming} aria-label={`Rename ${flow.name}`}>
          Rename
        </button>
        <button type="button" onClick={() => actions.onDuplicate(flow)} disabled={busy} aria-label={`Duplicate ${flow.name}`}>
          Duplicate
        </button>
        <button type="button" onClick={() => actions.onExport(flow)} disabled={busy} aria-label={`Export ${flow.name}`}>
          Export
        </button>
        <button type="button" className="flows-danger" onClick={() => actions.onDelete(flow)} disabled={busy} aria-label={`Delete ${flow.name}`}>
          Delete
        </button>
      </div>
      {(typo ?? error) && (
        <p role="alert" className="flows-error">
          {typo ?? error}
        </p>
      )}
    </li>
  );
}
