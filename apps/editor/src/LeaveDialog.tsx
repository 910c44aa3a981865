import { Modal } from './Modal';

/**
 * Leaving with unsaved changes (a flow on the canvas, a prompt being edited): save first,
 * discard them, or stay. Staying is where focus starts, so Enter never loses work.
 */
export function LeaveDialog({ lost, saveLabel, onSave, onDiscard, onStay }: { lost: string; saveLabel: string; onSave: () => void; onDiscard: () => void; onStay: () => void }) {
  return (
    <Modal label="Leave with unsaved changes?" onClose={onStay}>
      <h2>Leave with unsaved changes?</h2>
      <p>{lost}</p>
      <div className="flows-dialog-buttons">
        <button type="button" onClick={onSave}>
          {saveLabel}
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
