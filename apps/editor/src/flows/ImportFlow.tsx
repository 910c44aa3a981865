import { Upload } from 'lucide-react';
import { useRef, useState, type ChangeEvent } from 'react';
import { errorMessage, type Flow, type FlowSaved } from '@trellis/schema';

export interface ImportFlowProps {
  takenIds: readonly string[];
  /** Stores the document (under a free id); rejects with the runner's error. */
  store: (doc: Flow) => Promise<FlowSaved>;
  /** Called with a sentence saying what was imported, and how. */
  onImported: (message: string) => void;
  /** Called with what went wrong (shown by the page, under its header), or undefined when a new file is tried. */
  onFailure: (failure: ImportFailure | undefined) => void;
}

export interface ImportFailure {
  summary: string;
  problems: string[];
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/**
 * "Import": a button that opens the file chooser for a flow file, checked here first so its
 * problems are listed in words. (The file input itself is hidden: a bare browser file input
 * does not look like the rest of the product.)
 */
export function ImportFlow({ takenIds, store, onImported, onFailure: setFailure }: ImportFlowProps) {
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const picker = event.currentTarget; // React clears currentTarget once the handler returns
    const file = picker.files?.[0];
    if (!file) return;
    setFailure(undefined);
    setBusy(true);
    try {
      // The flow checks (and the node kinds' libraries) load only when a file is picked.
      const { readFlowImport } = await import('./import-flow');
      const read = readFlowImport(await file.text(), new Set(takenIds));
      if (!read.ok) return setFailure({ summary: `Could not import “${file.name}”: ${read.summary}.`, problems: read.problems });
      const saved = await store(read.document);
      const wanted = read.renamedFrom ?? read.document.id;
      const idNote = saved.id === wanted ? `with id “${saved.id}”` : `under the new id “${saved.id}”, because a flow with id “${wanted}” already exists`;
      const problems = read.errors === 0 && read.warnings === 0 ? 'It has no problems.' : `It has ${count(read.errors, 'problem')}${read.warnings ? ` and ${count(read.warnings, 'warning')}` : ''} to look at on the canvas.`;
      onImported(`Imported “${saved.name}” from ${file.name} ${idNote}. ${problems} It is in the list below.`);
    } catch (e) {
      setFailure({ summary: `Could not import “${file.name}”: ${errorMessage(e)}`, problems: [] });
    } finally {
      setBusy(false);
      picker.value = ''; // so the same file can be picked again after fixing it
    }
  };

  return (
    <>
      <button type="button" onClick={() => input.current?.click()} disabled={busy} aria-busy={busy || undefined}>
        <Upload size={15} aria-hidden="true" />
        {busy ? 'Importing…' : 'Import'}
      </button>
      <input ref={input} type="file" className="sr-only" tabIndex={-1} accept=".json,application/json" aria-label="Import flow file" onChange={(e) => void onFile(e)} disabled={busy} />
    </>
  );
}

/** What an import found wrong, under the page's header. */
export function ImportFailureNote({ failure, onDismiss }: { failure: ImportFailure; onDismiss: () => void }) {
  return (
    <div role="alert" className="mb-4 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
      <div className="flex items-start gap-3">
        <p className="m-0 mr-auto font-medium">{failure.summary}</p>
        <button type="button" className="btn-ghost btn-sm shrink-0" onClick={onDismiss}>
          Dismiss
        </button>
      </div>
      {failure.problems.length > 0 && (
        <ul className="m-0 mt-1.5">
          {failure.problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
