import { useEffect, useId, useRef, useState } from 'react';
import { AUTHOR_MAX, useAuthor } from '../author';

/** The runner keeps change notes up to this length. */
export const NOTE_MAX = 500;

/**
 * "Save with note…": a change note for the version about to be saved, and who is saving (kept
 * for next time). Saving needs no note; plain Save and Ctrl+S save without one.
 */
export function SaveNoteDialog({ onSave, onCancel }: { onSave: (note: string) => void; onCancel: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState('');
  const [author, setAuthor] = useAuthor();
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return (
    <dialog ref={ref} className="history-dialog" aria-labelledby={`${id}-title`} onCancel={onCancel} onClose={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onSave(note.trim());
        }}
      >
        <h2 id={`${id}-title`}>Save with a note</h2>
        <label htmlFor={`${id}-note`}>Change note</label>
        <textarea id={`${id}-note`} value={note} maxLength={NOTE_MAX} rows={3} autoFocus placeholder="What changed, and why" onChange={(e) => setNote(e.target.value)} />
        <label htmlFor={`${id}-author`}>Your name</label>
        <input id={`${id}-author`} type="text" value={author} maxLength={AUTHOR_MAX} autoComplete="name" onChange={(e) => setAuthor(e.target.value)} />
        <p className="note">Both show in the flow's History. Your name is kept in this browser for the next saves.</p>
        <div className="history-dialog-buttons">
          <button type="submit">Save version</button>
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
