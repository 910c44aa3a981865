import { Plus, Search, Tag } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { errorMessage, type PromptSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import { readAuthor } from '../author';
import { LibraryFile } from './LibraryFile';
import { NewPromptDialog } from './NewPromptDialog';
import { PromptRow } from './PromptRow';
import { tagOptions } from './tags';
import { useDebounced } from './use-debounced';
import { EmptyState, Page, PageHeader } from '../ui/Page';


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
    <Page label="Prompts">
      <PageHeader
        title="Prompts"
        description="Reusable, versioned templates that prompt and agent nodes use as name@version."
        actions={
          <>
            <LibraryFile api={api} onStatus={setStatus} onImported={reload} />
            <button type="button" className="btn-primary" onClick={() => setCreating(true)}>
              <Plus size={16} aria-hidden="true" />
              New prompt
            </button>
          </>
        }
      />
      <p role="status" className="m-0 mb-3 text-sm text-success-fg empty:hidden">
        {status}
      </p>
      <div role="search" className="mb-3 flex flex-wrap items-center gap-2" aria-label="Find prompts">
        <div className="relative min-w-64 flex-1">
          <Search size={15} className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-fg-subtle" aria-hidden="true" />
          <input type="search" className="w-full py-1.5! pl-8!" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="Search by name, tag or words in the text" aria-label="Search prompts" />
        </div>
        <label className="flex items-center gap-1.5 text-sm text-fg-muted">
          <Tag size={14} aria-hidden="true" />
          <select value={tag} onChange={(e) => setTag(e.target.value)} aria-label="Filter by tag">
            <option value="">All tags</option>
            {options.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span aria-live="polite" className="text-sm text-fg-subtle">
          {searching ? 'Searching…' : describeFound(found, all?.length ?? 0)}
        </span>
      </div>
      {allError && (
        <p role="alert" className="mb-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          Could not load the library: {allError}
        </p>
      )}
      {searchError && (
        <p role="alert" className="mb-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          Could not search the library: {searchError}
        </p>
      )}
      {found && found.items.length === 0 && !filtered && <EmptyState title="No prompts yet: create one, or import a library file." />}
      {found && found.items.length === 0 && filtered && !searching && <EmptyState title="No prompt matches">Try other words, or another tag.</EmptyState>}
      <ul aria-label="Prompts" className="m-0 grid list-none grid-cols-1 gap-2.5 p-0 md:grid-cols-2">
        {found?.items.map((prompt) => <PromptRow key={prompt.name} prompt={prompt} onOpen={onOpen} />)}
      </ul>
      {creating && <NewPromptDialog api={api} taken={(all ?? []).map((p) => p.name)} tagOptions={options} author={readAuthor()} onCreated={onOpen} onClose={() => setCreating(false)} />}
    </Page>
  );
}

function describeFound(found: Found | undefined, total: number): string {
  if (!found) return '';
  const n = found.items.length;
  if (!found.q && !found.tag) return total ? `${n} prompt${n === 1 ? '' : 's'} in the library.` : '';
  const conditions = [found.q ? ` for “${found.q}”` : '', found.tag ? ` tagged ${found.tag}` : ''].join(found.q && found.tag ? ',' : '');
  return `${n === 0 ? 'No prompt' : `${n} prompt${n === 1 ? '' : 's'}`} found${conditions}.`;
}
