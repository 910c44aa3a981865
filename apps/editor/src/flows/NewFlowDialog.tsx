import { useEffect, useId, useState, type FormEvent } from 'react';
import { errorMessage, type ExampleFlow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { createUnderFreeId } from './flow-actions';
import { cleanName, copyOf } from './flow-docs';
import { uniqueFlowId } from './flow-id';
import { Modal } from '../Modal';

const BLANK = '';

/**
 * Names a new flow and picks what it starts from (blank, or a copy of a bundled example),
 * then stores it under an id made from the name and hands that id on to be opened.
 */
export function NewFlowDialog({ api, takenIds, onCreated, onClose }: { api: ApiClient; takenIds: readonly string[]; onCreated: (id: string) => void; onClose: () => void }) {
  const [examples, setExamples] = useState<ExampleFlow[] | undefined>();
  const [examplesError, setExamplesError] = useState<string | undefined>();
  const [name, setName] = useState('');
  // The name the last picked example filled in: a name the person typed is never overwritten.
  const [filledName, setFilledName] = useState('');
  const [from, setFrom] = useState(BLANK);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const ids = useId();

  useEffect(() => {
    let live = true;
    api.listExamples().then(
      (items) => live && setExamples(items),
      (e: unknown) => live && setExamplesError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const pick = (id: string) => {
    setFrom(id);
    const example = examples?.find((e) => e.id === id);
    if (example && (name.trim() === '' || name === filledName)) {
      setName(example.name);
      setFilledName(example.name);
    }
  };

  const cleaned = cleanName(name);
  const newId = 'name' in cleaned ? uniqueFlowId(cleaned.name, takenIds) : undefined;

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if ('error' in cleaned) return setError(cleaned.error);
    const example = examples?.find((e) => e.id === from);
    if (from !== BLANK && !example) return setError('That example is no longer offered; pick another.');
    const id = uniqueFlowId(cleaned.name, takenIds);
    setBusy(true);
    setError(undefined);
    try {
      // The node kinds' defaults load only now: the flows list does not need them.
      const doc = example ? copyOf(example.document, id, cleaned.name) : (await import('./blank-flow')).blankFlow(id, cleaned.name);
      const saved = await createUnderFreeId(api, doc, takenIds);
      onCreated(saved.id);
    } catch (e) {
      setError(`Could not create the flow: ${errorMessage(e)}`);
      setBusy(false);
    }
  };

  return (
    <Modal label="New flow" className="new-flow-dialog m-auto bg-surface text-fg" onClose={onClose}>
      <form onSubmit={(e) => void create(e)}>
        <h2>New flow</h2>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} maxLength={250} data-initial-focus />
        </label>
        <p className="new-flow-id">{newId ? <>Its id will be <code>{newId}</code>.</> : 'Its id is made from the name.'}</p>
        <fieldset>
          <legend>Start from</legend>
          <label className="new-flow-choice">
            <input type="radio" name={`${ids}-from`} value={BLANK} checked={from === BLANK} onChange={() => pick(BLANK)} aria-describedby={`${ids}-blank`} />
            Blank
          </label>
          <p id={`${ids}-blank`} className="new-flow-about">An input wired to an output: it runs as it is, and you build from there.</p>
          {examples?.map((example) => (
            <div key={example.id}>
              <label className="new-flow-choice">
                <input type="radio" name={`${ids}-from`} value={example.id} checked={from === example.id} onChange={() => pick(example.id)} aria-describedby={example.description ? `${ids}-${example.id}` : undefined} />
                {example.name}
              </label>
              {example.description && (
                <p id={`${ids}-${example.id}`} className="new-flow-about">
                  {example.description}
                </p>
              )}
            </div>
          ))}
          {!examples && !examplesError && <p className="new-flow-about">Loading the examples…</p>}
          {examplesError && <p role="alert">Could not load the examples: {examplesError} You can still start from a blank flow.</p>}
        </fieldset>
        {error && <p role="alert" className="flows-error">{error}</p>}
        <div className="flows-dialog-buttons">
          <button type="submit" className="btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
