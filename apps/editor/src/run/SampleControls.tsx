import { useId, useState } from 'react';
import type { Sample } from '@trellis/schema';
import { NameForm, SaveMessage } from './NameForm';

const MAX_NAME = 100;

interface Props {
  samples: readonly Sample[];
  /** The chosen sample's name; '' for none. */
  chosen: string;
  onChoose: (name: string) => void;
  /** Whether samples can be saved into the flow (the editor gave the panel its store). */
  canEdit: boolean;
  /** Saves the current input and mock script as a sample; returns why it could not, if it could not. */
  onSaveAs: (name: string) => string | undefined;
  onDelete: (name: string) => void;
}

/**
 * The samples saved with the flow: choose one (its input and mock script fill the panel), save
 * the current input and mock script as a new one, delete one. Saving or deleting changes the
 * flow like any edit: it is undoable and saved with the flow.
 */
export function SampleControls({ samples, chosen, onChoose, canEdit, onSaveAs, onDelete }: Props) {
  const selectId = useId();
  const [naming, setNaming] = useState<string | undefined>();
  const [message, setMessage] = useState<{ text: string; error?: boolean } | undefined>();
  const trimmed = naming?.trim() ?? '';
  const replaces = samples.some((s) => s.name === trimmed);

  const save = () => {
    if (!trimmed) return setMessage({ text: 'Give the sample a name.', error: true });
    const error = onSaveAs(trimmed);
    if (error) return setMessage({ text: error, error: true });
    setNaming(undefined);
    setMessage({ text: `${replaces ? 'Replaced' : 'Added'} sample "${trimmed}": save the flow to keep it.` });
  };
  const remove = () => {
    onDelete(chosen);
    setMessage({ text: `Deleted sample "${chosen}": Undo brings it back; save the flow to make it final.` });
  };

  return (
    <div className="run-samples">
      <div className="run-samples-row">
        {/* Labelled by id, not by wrapping: a wrapped select adds its chosen option to its name. */}
        <div className="run-sample-pick">
          <label htmlFor={selectId}>Sample</label>
          <select id={selectId} value={chosen} onChange={(e) => onChoose(e.target.value)}>
            <option value="">none (no mock script)</option>
            {samples.map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
        {canEdit && (
          <>
            <button type="button" onClick={() => { setMessage(undefined); setNaming(chosen); }} disabled={naming !== undefined}>
              Save as sample
            </button>
            <button type="button" onClick={remove} disabled={!chosen}>
              Delete sample
            </button>
          </>
        )}
      </div>
      {samples.find((s) => s.name === chosen)?.description && <p className="note">{samples.find((s) => s.name === chosen)?.description}</p>}
      {naming !== undefined && (
        <NameForm label="Sample name" value={naming} onValue={setNaming} maxLength={MAX_NAME} submit={replaces ? 'Replace sample' : 'Add sample'} onSubmit={save} onCancel={() => setNaming(undefined)} />
      )}
      <SaveMessage message={message} />
    </div>
  );
}

/** The mock script sent with the run: the test provider's replies by node id. */
export function MockScriptField({ text, onText, problems }: { text: string; onText: (text: string) => void; problems: string[] }) {
  return (
    <div className="run-mocks">
      <label>
        Mock script (JSON)
        <textarea
          value={text}
          onChange={(e) => onText(e.target.value)}
          rows={4}
          spellCheck={false}
          placeholder='{ "classify": { "object": { "category": "billing" } } }'
          aria-invalid={problems.length > 0}
        />
      </label>
      <p className="note">Replies of the test provider by node id; sent with the run. Empty: no mock script.</p>
      {problems.length > 0 && (
        <ul className="field-errors">
          {problems.map((p, i) => (
            <li key={i}>{p}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
