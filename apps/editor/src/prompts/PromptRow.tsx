import { FileText } from 'lucide-react';
import type { MouseEvent } from 'react';
import { relativeTime } from '../flows/flow-filter';
import type { PromptSummary } from '@trellis/schema';
import { hashOfRoute } from '../routes';
import { formatTime } from '../run/describe';
import { snippetParts } from './snippet';

/** One prompt in the library: a link to its page, what it is for, its tags, variables and, in a search, where it matched. */
export function PromptRow({ prompt, onOpen }: { prompt: PromptSummary; onOpen: (name: string) => void }) {
  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab or window
    event.preventDefault();
    onOpen(prompt.name);
  };
  return (
    <li className="relative flex flex-col rounded-xl border border-border bg-surface p-4 shadow-[var(--shadow)] transition-colors hover:border-border-strong">
      <div className="flex items-start gap-3">
        <span className="grid h-8 w-8 shrink-0 place-items-center rounded-lg bg-[color-mix(in_srgb,var(--cat-ai)_14%,transparent)] text-cat-ai" aria-hidden="true">
          <FileText size={16} />
        </span>
        <div className="min-w-0 flex-1">
          <a
            href={hashOfRoute({ page: 'prompt', name: prompt.name })}
            onClick={open}
            className="block truncate font-mono text-[0.9rem] font-semibold text-fg no-underline after:absolute after:inset-0 after:content-[''] hover:text-primary hover:no-underline"
          >
            {prompt.name}
          </a>
          <span className="text-xs text-fg-subtle">
            v{prompt.latestVersion} · changed{' '}
            <time dateTime={prompt.updatedAt} title={formatTime(prompt.updatedAt)}>
              {relativeTime(prompt.updatedAt)}
            </time>
          </span>
        </div>
      </div>
      {prompt.description ? <p className="m-0 mt-2 line-clamp-2 text-sm text-fg-muted">{prompt.description}</p> : <p className="m-0 mt-2 text-sm italic text-fg-subtle">No description</p>}
      {prompt.snippet && (
        <p className="m-0 mt-2 line-clamp-3 rounded-md bg-surface-2 px-2.5 py-1.5 font-mono text-xs text-fg-muted [&_mark]:rounded-sm [&_mark]:bg-warning-soft [&_mark]:px-0.5 [&_mark]:text-fg" aria-label={`Match in ${prompt.name}`}>
          {snippetParts(prompt.snippet).map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
        </p>
      )}
      <div className="mt-auto flex flex-wrap items-center gap-1.5 pt-3">
        {prompt.tags.length > 0 && (
          <ul className="m-0 flex list-none flex-wrap gap-1 p-0" aria-label={`Tags of ${prompt.name}`}>
            {prompt.tags.map((tag) => (
              <li key={tag} className="rounded-full bg-primary-soft px-2 py-0.5 text-xs font-medium text-primary-strong">
                {tag}
              </li>
            ))}
          </ul>
        )}
        {prompt.variables.length > 0 && (
          <p className="m-0 ml-auto text-xs text-fg-subtle">
            <span className="sr-only">Variables: </span>
            {prompt.variables.map((v, i) => (
              <span key={v}>
                {i > 0 && ' '}
                <code className="rounded bg-surface-3 px-1 text-[0.7rem] text-fg-muted">{v}</code>
              </span>
            ))}
          </p>
        )}
      </div>
    </li>
  );
}
