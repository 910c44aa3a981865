import { X } from 'lucide-react';
import { useId, useState, type KeyboardEvent } from 'react';
import { normalizeTag, normalizeTags, TAGS_MAX } from '@trellis/schema';

/**
 * Tags as removable chips and a field to add more: Enter or "," adds what is typed (normalised:
 * lowercase, spaces as "-"), Backspace in the empty field takes the last one back to edit.
 * `suggestions` (tags other flows use) are offered as the person types.
 */
export function TagInput({ tags, onChange, suggestions = [], label = 'Tags' }: { tags: readonly string[]; onChange: (tags: string[]) => void; suggestions?: readonly string[]; label?: string }) {
  const [typed, setTyped] = useState('');
  const listId = useId();
  const full = tags.length >= TAGS_MAX;
  const add = () => {
    if (!normalizeTag(typed)) return;
    onChange(normalizeTags([...tags, typed]));
    setTyped('');
  };
  const onKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      event.preventDefault(); // adds the tag; it does not submit the form around it
      add();
    } else if (event.key === 'Backspace' && typed === '' && tags.length) {
      event.preventDefault();
      setTyped(tags[tags.length - 1]!);
      onChange(tags.slice(0, -1));
    }
  };
  return (
    <div className="flex flex-wrap items-center gap-1.5 rounded-md border border-border bg-surface px-2 py-1.5 focus-within:border-primary">
      {tags.length > 0 && (
        <ul aria-label={label} className="m-0 flex list-none flex-wrap gap-1.5 p-0">
          {tags.map((tag) => (
            <li key={tag} className="inline-flex items-center gap-1 rounded-full bg-primary-soft py-0.5 pl-2.5 pr-1 text-xs font-medium text-primary-strong">
              {tag}
              <button type="button" className="btn-ghost h-5 w-5 rounded-full p-0" aria-label={`Remove tag ${tag}`} onClick={() => onChange(tags.filter((t) => t !== tag))}>
                <X size={12} aria-hidden="true" />
              </button>
            </li>
          ))}
        </ul>
      )}
      <input
        aria-label={`Add a tag (${label.toLowerCase()})`}
        className="min-w-32 flex-1 border-0! bg-transparent! p-0.5! shadow-none! outline-none!"
        list={listId}
        value={typed}
        disabled={full}
        placeholder={full ? `At most ${TAGS_MAX} tags` : tags.length ? 'Add another…' : 'Type a tag and press Enter'}
        onChange={(e) => setTyped(e.target.value)}
        onKeyDown={onKey}
        onBlur={add}
      />
      <datalist id={listId}>
        {suggestions
          .filter((s) => !tags.includes(s))
          .map((s) => (
            <option key={s} value={s} />
          ))}
      </datalist>
    </div>
  );
}
