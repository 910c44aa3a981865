import { useId, useState, type KeyboardEvent } from 'react';
import { addTag } from './tags';

/** A prompt's tags as removable chips, and a field to add one (the suggested and used tags offered as you type). */
export function TagEditor({ tags, options, onChange }: { tags: readonly string[]; options: readonly string[]; onChange: (tags: string[]) => void }) {
  const [typed, setTyped] = useState('');
  const listId = useId();
  const add = () => {
    onChange(addTag(tags, typed));
    setTyped('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    event.preventDefault(); // Enter adds the tag; it does not submit the form around it
    add();
  };
  return (
    <fieldset className="prompts-tag-editor">
      <legend>Tags</legend>
      {tags.length === 0 ? (
        <p className="prompts-note">No tags yet.</p>
      ) : (
        <ul aria-label="Tags" className="prompts-tags">
          {tags.map((tag) => (
            <li key={tag} className="prompts-tag">
              {tag}
              <button type="button" aria-label={`Remove tag ${tag}`} title={`Remove tag ${tag}`} onClick={() => onChange(tags.filter((t) => t !== tag))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="prompts-tag-add">
        <input aria-label="Add a tag" list={listId} value={typed} placeholder="e.g. classification" onChange={(e) => setTyped(e.target.value)} onKeyDown={onKey} />
        <datalist id={listId}>
          {options
            .filter((o) => !tags.includes(o))
            .map((o) => (
              <option key={o} value={o} />
            ))}
        </datalist>
        <button type="button" onClick={add} disabled={typed.trim() === ''}>
          Add tag
        </button>
      </div>
    </fieldset>
  );
}
