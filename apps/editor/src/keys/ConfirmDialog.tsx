import { useState, type ReactNode } from 'react';
import { AlertDialog } from 'radix-ui';
import { errorMessage } from '@trellis/schema';

interface Props {
  /** The button that opens the question, e.g. a "Revoke" button named for its key. */
  trigger: ReactNode;
  title: string;
  children: ReactNode;
  /** The button that goes ahead, e.g. "Revoke key". */
  confirmLabel: string;
  /** Says what failed, e.g. "Could not revoke ci-bot". */
  failure: string;
  onConfirm: () => Promise<void>;
}

/**
 * A destructive action asked first in a dialog (Radix AlertDialog: focus kept inside, Escape
 * cancels); the runner's refusal shows in the dialog rather than closing it.
 */
export function ConfirmDialog({ trigger, title, children, confirmLabel, failure, onConfirm }: Props) {
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const go = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(`${failure}: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setError(undefined);
      }}
    >
      <AlertDialog.Trigger asChild>{trigger}</AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <AlertDialog.Content className="card fixed top-1/2 left-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 p-5 shadow-[var(--shadow-lg)]">
          <AlertDialog.Title className="m-0 text-base font-semibold">{title}</AlertDialog.Title>
          <AlertDialog.Description asChild>
            <div className="mt-2 text-sm text-fg-muted">{children}</div>
          </AlertDialog.Description>
          {error && (
            <p role="alert" className="m-0 mt-3 rounded-md border border-danger-border bg-danger-soft px-3 py-2 text-sm text-danger-fg">
              {error}
            </p>
          )}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <button type="button" disabled={busy}>
                Cancel
              </button>
            </AlertDialog.Cancel>
            {/* Not AlertDialog.Action: that closes at once, before the runner has answered. */}
            <button type="button" className="btn-primary bg-danger border-danger" disabled={busy} onClick={() => void go()}>
              {busy ? 'Working…' : confirmLabel}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
