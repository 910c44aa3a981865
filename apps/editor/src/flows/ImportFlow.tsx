import { useState, type ChangeEvent } from 'react';
import { errorMessage, type Flow, type FlowSaved } from '@trellis/schema';
import { readFlowImport } from './import-flow';

export interface ImportFlowProps {
  takenIds: readonly string[];
  /** Stores the document (under a free id); rejects with the runner's error. */
  store: (doc: Flow) => Promise<FlowSaved>;
  /** Called with a sentence saying what was imported, and how. */
  onImported: (message: string) => void;
}

interface Failure {
  summary: string;
  problems: string[];
}

const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "Import flow…": a flow file from disk, checked here first so its problems are listed in words. */
export function ImportFlow({ takenIds, store, onImported }: ImportFlowProps) {
  const [failure, setFailure] = useState<Failure | undefined>();
  const [busy, setBusy] = useState(false);

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget; // React clears currentTarget once the handler returns
    const file = input.files?.[0];
    if (!file) return;
    setFailure(undefined);
    setBusy(true);
    try {
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
      input.value = ''; // so the same file can be picked again after fixing it
    }
  };

  return (
    <div className="flows-import">
      <label className="flows-import-label">
        Import flow…
        <input type="file" accept=".json,application/json" aria-label="Import flow file" onChange={(e) => void onFile(e)} disabled={busy} />
      </label>
      {failure && (
        <div role="alert" className="flows-error">
          <p>{failure.summary}</p>
          {failure.problems.length > 0 && (
            <ul>
              {failure.problems.map((p, i) => (
                <li key={i}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
