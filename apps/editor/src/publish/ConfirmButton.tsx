import { useState } from 'react';
import { reportError, type ErrorReport } from './errors';
import { ErrorNote } from './ErrorNote';

interface Props {
  /** The button's name, e.g. "Unpublish support-triage". */
  label: string;
  /** Shown before anything happens: what the action will do. */
  question: string;
  /** The name of the button that goes ahead, e.g. "Yes, unpublish support-triage". */
  confirmLabel: string;
  /** Says what failed, e.g. "Could not unpublish support-triage". */
  failure: string;
  onConfirm: () => Promise<void>;
}

/** A destructive action that asks first, inline, and shows the runner's refusal in place. */
export function ConfirmButton({ label, question, confirmLabel, failure, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();

  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setAsking(false);
    } catch (e) {
      setError(reportError(failure, e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="publish-confirm">
      {asking ? (
        <div role="group" aria-label={label}>
          <p>{question}</p>
          <button type="button" className="danger" onClick={() => void go()} disabled={busy}>
            {confirmLabel}
          </button>
          <button type="button" onClick={() => setAsking(false)} disabled={busy}>
            Cancel
          </button>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)}>
          {label}
        </button>
      )}
      <ErrorNote report={error} />
    </div>
  );
}
