import { useState } from 'react';
import { errorMessage, type FlowSummary } from '@trellis/schema';
import { Modal } from '../Modal';

/** Asks before a flow is deleted, naming it and what else goes with it. */
export function DeleteFlowDialog({ flow, slugs, onDelete, onClose }: { flow: FlowSummary; slugs: readonly string[]; onDelete: () => Promise<void>; onClose: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const confirm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onDelete();
    } catch (e) {
      setError(`Could not delete “${flow.name}”: ${errorMessage(e)}`);
      setBusy(false);
    }
  };
  return (
    <Modal label={`Delete ${flow.name}?`} className="delete-flow-dialog m-auto bg-surface text-fg" onClose={onClose}>
      <h2>Delete “{flow.name}”?</h2>
      <p>
        The flow <code>{flow.id}</code> and its {flow.latestVersion} version{flow.latestVersion === 1 ? '' : 's'} leave the list. Runs already made keep their record.
      </p>
      {slugs.length > 0 && <p>It is published: {slugs.map((s) => `/v1/flows/${s}`).join(', ')} will stop answering.</p>}
      {error && (
        <p role="alert" className="flows-error">
          {error}
        </p>
      )}
      <div className="flows-dialog-buttons">
        <button type="button" className="btn-danger" onClick={() => void confirm()} disabled={busy}>
          {busy ? 'Deleting…' : 'Delete'}
        </button>
        <button type="button" onClick={onClose} data-initial-focus>
          Cancel
        </button>
      </div>
    </Modal>
  );
}
