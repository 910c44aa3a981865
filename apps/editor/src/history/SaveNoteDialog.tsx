import { useId, useState } from 'react';
import { NOTE_MAX } from '@trellis/schema';
import { Modal } from '../Modal';
import { AUTHOR_MAX, useAuthor } from '../author';

/**
 * "Save with note…": a change note for the version about to be saved, and who is saving (kept
 * for next time). Saving needs no note; plain Save and Ctrl+S save without one.
 */
export function SaveNoteDialog({ onSave, onCancel }: { onSave: (note: string) => void; onCancel: () => void }) {
  const [note, setNote] = useState('');
  const [author, setAuthor] = useAuthor();
  const id = useId();
  return (
    <Modal label="Save with a note" className="history-dialog m-auto bg-surface text-fg" onClose={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onSave(note.trim());
        }}
      >
        <h2>Save with a note</h2>
        <label htmlFor={`${id}-note`}>Change note</label>
        <textarea id={`${id}-note`} value={note} maxLength={NOTE_MAX} rows={3} data-initial-focus placeholder="What changed, and why" onChange={(e) => setNote(e.target.value)} />
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
    </Modal>
  );
}
