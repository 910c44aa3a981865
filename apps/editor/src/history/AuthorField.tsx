import { useId, useState } from 'react';
import { AUTHOR_MAX, useAuthor } from '../author';

/** "Your name": given once, kept in this browser, sent with every save and restore as the version's author. */
export function AuthorField() {
  const [author, setAuthor] = useAuthor();
  const [refused, setRefused] = useState(false);
  const id = useId();
  return (
    <div className="history-author">
      <label htmlFor={id}>Your name</label>
      <input
        id={id}
        type="text"
        value={author}
        maxLength={AUTHOR_MAX}
        autoComplete="name"
        placeholder="Shown with the versions you save"
        aria-describedby={`${id}-help`}
        onChange={(e) => setRefused(!setAuthor(e.target.value))}
      />
      <p id={`${id}-help`} className="note">
        {refused ? 'This browser does not let the editor keep your name; it will not be sent with saves.' : 'Kept in this browser and saved with each version you make.'}
      </p>
    </div>
  );
}
