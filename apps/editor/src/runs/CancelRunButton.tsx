import { useState } from 'react';
import { AlertDialog } from 'radix-ui';
import { CircleStop } from 'lucide-react';
import { errorMessage } from '@trellis/schema';
import type { ApiClient } from '../api';
import { shortRunId } from '../run/describe';
import { toast } from '../ui/toast';

/** "Cancel run", asked again in a dialog: a cancelled run cannot be resumed. */
export function CancelRunButton({ api, runId, flowName }: { api: ApiClient; runId: string; flowName: string }) {
  const [busy, setBusy] = useState(false);
  const cancel = async () => {
    setBusy(true);
    try {
      await api.cancelRun(runId);
      toast.success(`Run ${shortRunId(runId)} cancelled`);
    } catch (e) {
      toast.error(`Could not cancel the run: ${errorMessage(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AlertDialog.Root>
      <AlertDialog.Trigger asChild>
        <button type="button" className="btn-danger" disabled={busy}>
          <CircleStop size={16} aria-hidden="true" />
          Cancel run
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <AlertDialog.Content className="card fixed top-1/2 left-1/2 z-50 w-[min(28rem,90vw)] -translate-x-1/2 -translate-y-1/2 p-5">
          <AlertDialog.Title className="m-0 text-base font-semibold">Cancel this run?</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 mb-4 text-sm text-fg-muted">
            Run {shortRunId(runId)} of {flowName} stops where it is; steps already done stay in its trace, and it cannot be resumed.
          </AlertDialog.Description>
          <div className="flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <button type="button">Keep running</button>
            </AlertDialog.Cancel>
            <AlertDialog.Action asChild>
              <button type="button" className="btn-danger" onClick={() => void cancel()}>
                Cancel run
              </button>
            </AlertDialog.Action>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
