import type { MouseEvent } from 'react';
import type { PromptSummary } from '@trellis/schema';
import { hashOfRoute } from '../routes';
import { snippetParts } from './snippet';

/** One prompt in the library: a link to its page, what it is for, its tags, variables and, in a search, where it matched. */
export function PromptRow({ prompt, onOpen }: { prompt: PromptSummary; onOpen: (name: string) => void }) {
  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab or window
    event.preventDefault();
    onOpen(prompt.name);
  };
  return (
    <li className="prompts-row">
      <div className="prompts-row-head">
        <a href={hashOfRoute({ page: 'prompt', name: prompt.name })} onClick={open} className="prompts-row-name">
          {prompt.name}
        </a>
        <span className="prompts-meta">
          version {prompt.latestVersion} · changed {new Date(prompt.updatedAt).toLocaleString()}
        </span>
      </div>
      {prompt.description && <p className="prompts-row-description">{prompt.description}</p>}
      {prompt.tags.length > 0 && (
        <ul className="prompts-tags" aria-label={`Tags of ${prompt.name}`}>
          {prompt.tags.map((tag) => (
            <li key={tag} className="prompts-tag">
              {tag}
            </li>
          ))}
        </ul>
      )}
      {prompt.variables.length > 0 && (
        <p className="prompts-meta">
          Variables:{' '}
          {prompt.variables.map((v, i) => (
            <span key={v}>
              {i > 0 && ', '}
              <code>{v}</code>
            </span>
          ))}
        </p>
      )}
      {prompt.snippet && (
        <p className="prompts-snippet" aria-label={`Match in ${prompt.name}`}>
          {snippetParts(prompt.snippet).map((part, i) => (part.mark ? <mark key={i}>{part.text}</mark> : <span key={i}>{part.text}</span>))}
        </p>
      )}
    </li>
  );
}
