/** Search results carry a snippet with each match between « and »; the list shows those as <mark>. */

export interface SnippetPart {
  text: string;
  mark: boolean;
}

const MARKED = /«([^«»]*)»/g;

/** The snippet in pieces, marked or not; a stray « or » stays as text. */
export function snippetParts(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let at = 0;
  for (const match of snippet.matchAll(MARKED)) {
    if (match.index > at) parts.push({ text: snippet.slice(at, match.index), mark: false });
    if (match[1]) parts.push({ text: match[1], mark: true });
    at = match.index + match[0].length;
  }
  if (at < snippet.length) parts.push({ text: snippet.slice(at), mark: false });
  return parts;
}
