import { Modal } from '../flows/Modal';

/** Leaving a prompt with unsaved changes: save them as a version first, discard them, or stay. */
export function LeavePromptDialog({ onSave, onDiscard, onStay }: { onSave: () => void; onDiscard: () => void; onStay: () => void }) {
  return (
    <Modal label="Leave with unsaved changes?" onClose={onStay}>
      <h2>Leave with unsaved changes?</h2>
      <p>The edits to this prompt since the last version would be lost.</p>
      <div className="flows-dialog-buttons">
        <button type="button" onClick={onSave}>
          Save version and leave
        </button>
        <button type="button" onClick={onDiscard}>
          Discard changes
        </button>
        <button type="button" onClick={onStay} data-initial-focus>
          Keep editing
        </button>
      </div>
    </Modal>
  );
}
