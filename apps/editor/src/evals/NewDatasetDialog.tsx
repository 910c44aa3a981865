import { useId, useState } from 'react';
import { Dialog } from 'radix-ui';
import { Plus } from 'lucide-react';
import { HANDLE_MAX_LENGTH, handleFrom, ID_PATTERN, type DatasetSummary } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { errorText } from './format';

/** Creates a dataset: a name, an id made from it (editable), an optional description. */
export function NewDatasetDialog({ api, onCreated }: { api: ApiClient; onCreated: (dataset: DatasetSummary) => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [id, setId] = useState('');
  const [idTouched, setIdTouched] = useState(false);
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const uid = useId();

  const shownId = idTouched ? id : name.trim() ? handleFrom(name, 'dataset', HANDLE_MAX_LENGTH) : '';
  const problem = !name.trim() ? 'Give the dataset a name.' : !shownId ? 'Give the dataset an id.' : !ID_PATTERN.test(shownId) ? 'The id must start with a letter or _ and use only letters, digits, _ and -.' : undefined;

  const reset = () => {
    setName('');
    setId('');
    setIdTouched(false);
    setDescription('');
    setError(undefined);
  };
  const create = async () => {
    if (problem) return setError(problem);
    setBusy(true);
    setError(undefined);
    try {
      const made = await api.createDataset({ id: shownId, name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
      setOpen(false);
      reset();
      onCreated(made);
    } catch (e) {
      setError(e instanceof ApiError && e.status === 409 ? `A dataset with the id “${shownId}” exists already: choose another id.` : errorText('Could not create the dataset', e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) reset();
      }}
    >
      <Dialog.Trigger asChild>
        <button type="button" className="btn-primary">
          <Plus size={16} aria-hidden="true" /> New dataset
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-[var(--overlay)]" />
        <Dialog.Content className="card fixed top-1/2 left-1/2 z-50 max-h-[calc(100vh-4rem)] w-[min(32rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 overflow-auto p-5 shadow-[var(--shadow-lg)]">
          <Dialog.Title className="m-0 text-base font-semibold">New dataset</Dialog.Title>
          <Dialog.Description className="m-0 mt-1 text-sm text-fg-muted">It starts empty: import its rows from a CSV or JSONL file next.</Dialog.Description>
          <form
            className="evals-form mt-4"
            noValidate
            onSubmit={(e) => {
              e.preventDefault();
              void create();
            }}
          >
            <label htmlFor={`${uid}-name`}>Name</label>
            <input id={`${uid}-name`} value={name} onChange={(e) => (setName(e.target.value), setError(undefined))} placeholder="Support tickets" autoComplete="off" maxLength={200} />
            <label htmlFor={`${uid}-id`}>Id</label>
            <input
              id={`${uid}-id`}
              value={shownId}
              onChange={(e) => {
                setIdTouched(true);
                setId(e.target.value);
                setError(undefined);
              }}
              className="font-mono"
              placeholder="support-tickets"
              autoComplete="off"
              aria-describedby={`${uid}-id-help`}
            />
            <p id={`${uid}-id-help`} className="evals-help">
              Used in addresses and by the CLI; it cannot change later.
            </p>
            <label htmlFor={`${uid}-description`}>
              Description <span className="font-normal text-fg-muted">(optional)</span>
            </label>
            <textarea id={`${uid}-description`} rows={3} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What the rows cover and where they came from" />
            {error && (
              <p role="alert" className="evals-error">
                {error}
              </p>
            )}
            <div className="mt-2 flex justify-end gap-2">
              <Dialog.Close asChild>
                <button type="button">Cancel</button>
              </Dialog.Close>
              <button type="submit" className="btn-primary" disabled={busy}>
                {busy ? 'Creating…' : 'Create dataset'}
              </button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
