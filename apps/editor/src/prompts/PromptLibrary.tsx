import { useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage, type PromptSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { readAuthor } from '../author';
import { LibraryFile } from './LibraryFile';
import { NewPromptDialog } from './NewPromptDialog';
import { PromptRow } from './PromptRow';
import { tagOptions } from './tags';
import { useDebounced } from './use-debounced';


interface Found {
  q: string;
  tag: string;
  items: PromptSummary[];
}

/**
 * The prompt library: search by name, tag and text (ranked, with the matching words marked),
 * filter by tag, create a prompt, and export or import the whole library as a file.
 */
export function PromptLibrary({ api, onOpen }: { api: ApiClient; onOpen: (name: string) => void }) {
  const [typed, setTyped] = useState('');
  const [tag, setTag] = useState('');
  const q = useDebounced(typed.trim(), 250);
  const [found, setFound] = useState<Found | undefined>();
  const [searchError, setSearchError] = useState<string | undefined>();
  // The whole library, unfiltered: the tags in use and the names taken.
  const [all, setAll] = useState<PromptSummary[] | undefined>();
  const [allError, setAllError] = useState<string | undefined>();
  const [loads, setLoads] = useState(0);
  const [status, setStatus] = useState('');
  const [creating, setCreating] = useState(false);

  const reload = useCallback(() => setLoads((n) => n + 1), []);

  useEffect(() => {
    let live = true;
    api.listPrompts({ limit: 200 }).then(
      (items) => {
        if (!live) return;
        setAll(items);
        setAllError(undefined);
      },
      (e: unknown) => live && setAllError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [api, loads]);

  useEffect(() => {
    let live = true;
    api.listPrompts({ ...(q ? { q } : {}), ...(tag ? { tag } : {}), limit: 200 }).then(
      (items) => {
        if (!live) return;
        setFound({ q, tag, items });
        setSearchError(undefined);
      },
      (e: unknown) => live && setSearchError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [api, q, tag, loads]);

  const options = useMemo(() => tagOptions((all ?? []).flatMap((p) => p.tags)), [all]);
  const searching = found === undefined || found.q !== q || found.tag !== tag || typed.trim() !== q;
  const filtered = q !== '' || tag !== '';

  return (
    <main className="prompts-library">
      <h1>Prompts</h1>
      <div className="prompts-toolbar">
        <button type="button" onClick={() => setCreating(true)}>
          New prompt
        </button>
        <LibraryFile api={api} onStatus={setStatus} onImported={reload} />
      </div>
      <p role="status" className="prompts-status">
        {status}
      </p>
      <div role="search" className="prompts-search" aria-label="Find prompts">
        <label>
          Search
          <input type="search" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="name, tag or words in the text" aria-label="Search prompts" />
        </label>
        <label>
          Tag
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Filter by tag">
            <option value="">All tags</option>
            {options.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
      </div>
      {allError && <p role="alert" className="prompts-error">Could not load the library: {allError}</p>}
      {searchError && <p role="alert" className="prompts-error">Could not search the library: {searchError}</p>}
      <p aria-live="polite" className="prompts-count">
        {searching ? 'Searching…' : describeFound(found, all?.length ?? 0)}
      </p>
      {found && found.items.length === 0 && !filtered && <p>No prompts yet: create one, or import a library file.</p>}
      <ul aria-label="Prompts" className="prompts-list">
        {found?.items.map((prompt) => <PromptRow key={prompt.name} prompt={prompt} onOpen={onOpen} />)}
      </ul>
      {creating && <NewPromptDialog api={api} taken={(all ?? []).map((p) => p.name)} tagOptions={options} author={readAuthor()} onCreated={onOpen} onClose={() => setCreating(false)} />}
    </main>
  );
}

function describeFound(found: Found | undefined, total: number): string {
  if (!found) return '';
  const n = found.items.length;
  if (!found.q && !found.tag) return total ? `${n} prompt${n === 1 ? '' : 's'} in the library.` : '';
  const conditions = [found.q ? ` for “${found.q}”` : '', found.tag ? ` tagged ${found.tag}` : ''].join(found.q && found.tag ? ',' : '');
  return `${n === 0 ? 'No prompt' : `${n} prompt${n === 1 ? '' : 's'}`} found${conditions}.`;
}
