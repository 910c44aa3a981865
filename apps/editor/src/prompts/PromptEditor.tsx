import { useMemo, type FormEvent } from 'react';
import { LazyCodeEditor } from '../inspector/code/LazyCodeEditor';
import { ErrorNote } from '../publish/ErrorNote';
import type { ErrorReport } from '../publish/errors';
import { isDirty, type PromptDraft } from './draft';
import { TagEditor } from './TagEditor';
import { readTemplate } from './variables';
import { VariableList } from './VariableList';

interface Props {
  draft: PromptDraft;
  onChange: (draft: PromptDraft) => void;
  tagOptions: readonly string[];
  author: string;
  onAuthor: (author: string) => void;
  busy: boolean;
  onSave: () => void;
  error?: ErrorReport;
  /** Someone saved another version meanwhile: the way to load it. */
  conflict?: { message: string; onReload: () => void };
}

/** The latest version's content to edit; "Save version" makes the next version, with the change note. */
export function PromptEditor({ draft, onChange, tagOptions, author, onAuthor, busy, onSave, error, conflict }: Props) {
  const reading = useMemo(() => readTemplate(draft.template), [draft.template]);
  const dirty = isDirty(draft);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSave();
  };
  return (
    <section className="prompts-panel prompts-edit" aria-label="Edit prompt">
      <h2>Edit</h2>
      <form onSubmit={submit}>
        <label className="prompts-field">
          Description
          <input value={draft.description} onChange={(e) => onChange({ ...draft, description: e.target.value })} />
        </label>
        <TagEditor tags={draft.tags} options={tagOptions} onChange={(tags) => onChange({ ...draft, tags })} />
        <div className="prompts-field">
          <span aria-hidden="true">Template</span>
          <LazyCodeEditor value={draft.template} onChange={(template) => onChange({ ...draft, template })} onBlur={() => undefined} label="Template" language="liquid" />
        </div>
        <VariableList reading={reading} />
        <div className="prompts-save-row">
          <label className="prompts-field">
            Change note (optional)
            <input value={draft.note} onChange={(e) => onChange({ ...draft, note: e.target.value })} placeholder="What changed, and why" />
          </label>
          <label className="prompts-field prompts-author">
            Your name (optional)
            <input value={author} onChange={(e) => onAuthor(e.target.value)} autoComplete="name" />
          </label>
        </div>
        <div className="prompts-actions">
          <button type="submit" disabled={busy || !dirty}>
            {busy ? 'Saving…' : 'Save version'}
          </button>
          <span className="prompts-note">{dirty ? `Saving makes version ${draft.baseVersion + 1}.` : `No changes since version ${draft.baseVersion}.`}</span>
        </div>
        <ErrorNote report={error} />
        {conflict && (
          <div role="alert" className="prompts-error">
            <p>{conflict.message}</p>
            <button type="button" onClick={conflict.onReload}>
              Reload the latest version
            </button>{' '}
            <span className="prompts-note">Your changes here are discarded: copy what you want to keep first.</span>
          </div>
        )}
      </form>
    </section>
  );
}
