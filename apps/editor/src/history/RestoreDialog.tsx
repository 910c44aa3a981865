import { Modal } from '../Modal';

/** Asks before restoring: what will happen, and that unsaved edits on the canvas would be lost. */
export function RestoreDialog({ version, latest, dirty, onRestore, onCancel }: { version: number; latest: number | undefined; dirty: boolean; onRestore: () => void; onCancel: () => void }) {
  return (
    <Modal label={`Restore version ${version}?`} describedBy="restore-what" className="history-dialog m-auto bg-surface text-fg" onClose={onCancel}>
      <h2>Restore version {version}?</h2>
      <p id="restore-what">
        Its content is saved as a new version{latest !== undefined ? ` (version ${latest + 1})` : ''} and opened here. Every version stays in the history, so you can come back.
      </p>
      {dirty && (
        <p className="history-warning" role="alert">
          The canvas has changes that are not saved yet: restoring discards them. Cancel and save them first to keep them as a version.
        </p>
      )}
      <div className="history-dialog-buttons">
        <button type="button" onClick={onRestore}>
          {dirty ? `Discard changes and restore version ${version}` : `Restore version ${version}`}
        </button>
        <button type="button" onClick={onCancel} data-initial-focus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
