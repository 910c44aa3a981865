import { useId, useMemo, useState, type FormEvent } from 'react';
import type { ApiClient } from '../api';
import { Modal } from '../Modal';
import { LazyCodeEditor } from '../inspector/code/LazyCodeEditor';
import { reportError, type ErrorReport } from '../publish/errors';
import { ErrorNote } from '../publish/ErrorNote';
import { promptNameProblem } from './name-check';
import { TagEditor } from './TagEditor';
import { readTemplate } from './variables';
import { VariableList } from './VariableList';

interface Props {
  api: ApiClient;
  /** Names in the library, to say at once that one is taken. */
  taken: readonly string[];
  tagOptions: readonly string[];
  author: string;
  onCreated: (name: string) => void;
  onClose: () => void;
}

/** Names a new prompt (checked as it is typed), with its description, tags and template: version 1. */
export function NewPromptDialog({ api, taken, tagOptions, author, onCreated, onClose }: Props) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [tags, setTags] = useState<string[]>([]);
  const [template, setTemplate] = useState('');
  const [tried, setTried] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ErrorReport | undefined>();
  const ids = useId();
  const nameProblem = promptNameProblem(name, taken);
  const reading = useMemo(() => readTemplate(template), [template]);
  const showNameProblem = nameProblem !== undefined && (name !== '' || tried);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (nameProblem) return;
    if (template.trim() === '') return setError({ message: 'Write the template: the text the model is sent.', problems: [] });
    setBusy(true);
    setError(undefined);
    try {
      const saved = await api.createPrompt({ name, template, tags, ...(description.trim() ? { description: description.trim() } : {}), ...(author ? { author } : {}) });
      onCreated(saved.name);
    } catch (e) {
      setError(reportError(`Could not create “${name}”`, e));
      setBusy(false);
    }
  };

  return (
    <Modal label="New prompt" className="prompts-new-dialog m-auto bg-surface text-fg" onClose={onClose}>
      <form onSubmit={(e) => void create(e)} noValidate>
        <h2>New prompt</h2>
        <label>
          Name
          <input
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={showNameProblem || undefined}
            aria-describedby={`${ids}-name`}
            placeholder="e.g. triage-classifier"
            autoComplete="off"
            spellCheck={false}
            data-initial-focus
          />
        </label>
        <p id={`${ids}-name`} className={showNameProblem ? 'prompts-error' : 'prompts-note'} role={showNameProblem ? 'alert' : undefined}>
          {showNameProblem ? nameProblem : 'Lowercase letters, digits, "-" and "_", starting with a letter (the rule flow ids follow); flows refer to it as name@version.'}
        </p>
        <label>
          Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        <TagEditor tags={tags} options={tagOptions} onChange={setTags} />
        <div className="prompts-field">
          <span aria-hidden="true">Template</span>
          <LazyCodeEditor value={template} onChange={setTemplate} onBlur={() => undefined} label="Template" language="liquid" />
        </div>
        <VariableList reading={reading} />
        <ErrorNote report={error} />
        <div className="flows-dialog-buttons">
          <button type="submit" className="btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create prompt'}
          </button>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
