import { templateVariables } from '@trellis/nodes';

/**
 * The pure parts of the prompt library: what a version's content is once normalized, its
 * variables, and a person's search text turned into safe full-text queries for each dialect.
 */

export interface PromptContentValue {
  template: string;
  description?: string;
  tags: string[];
}

/** A tag as the library keeps it: trimmed, lowercase, inner spaces as "-" (as the editor types them). */
export function normalizeTag(tag: string): string {
  return withoutControls(tag).trim().toLowerCase().replace(/\s+/g, '-');
}

/** Tags as the library keeps them, each once, in the given order. */
export function normalizeTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map(normalizeTag).filter((tag) => tag !== ''))];
}

export function normalizeContent(input: { template: string; description?: string | undefined; tags: readonly string[] }): PromptContentValue {
  return { template: input.template, ...(input.description ? { description: input.description } : {}), tags: normalizeTags(input.tags) };
}

/** Equal content makes no new version: the key two versions share exactly when their content is the same. */
export function contentKey(content: PromptContentValue): string {
  return JSON.stringify([content.template, content.description ?? null, content.tags]);
}

/**
 * The top-level names a template reads (`customer` for `{{ customer.name }}`), in order of
 * first appearance, each once; none when the template does not parse (the API refuses those).
 */
export function promptVariables(template: string): string[] {
  let paths: string[];
  try {
    paths = templateVariables(template);
  } catch {
    return [];
  }
  const names = paths.map((path) => /^[^.[]+/.exec(path)?.[0] ?? path);
  return [...new Set(names)];
}

/** At most this many words of a search are used; a longer text adds nothing but cost. */
const MAX_TERMS = 12;

/**
 * The words of a search, lowercase. Only letters and digits survive, so nothing a person types
 * can be read as query syntax by FTS5 or PostgreSQL (quotes, AND, NEAR, parentheses, `*`, `:`).
 */
export function searchTerms(text: string): string[] {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.slice(0, MAX_TERMS).map((word) => word.slice(0, 64));
}

/** FTS5: every word must match, each quoted (a phrase of one word), the last as a prefix while it is being typed. */
export function fts5Query(terms: readonly string[]): string {
  return terms.map((term, i) => `"${term}"${i === terms.length - 1 ? '*' : ''}`).join(' ');
}

/** PostgreSQL `to_tsquery` text: every word must match, the last as a prefix. */
export function tsQueryText(terms: readonly string[]): string {
  return terms.map((term, i) => `'${term}'${i === terms.length - 1 ? ':*' : ''}`).join(' & ');
}

/** A LIKE pattern matching names that start with the search (typing "triage" finds "triage-classifier"). */
export function namePrefixPattern(text: string): string {
  return `${withoutControls(text).trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Control characters mean nothing in a name, tag or search (and PostgreSQL refuses NUL in text). */
function withoutControls(text: string): string {
  return text.replace(/\p{Cc}/gu, '');
}

/** A name's words for the index: "triage-classifier" reads as "triage classifier". */
export function nameWords(name: string): string {
  return name.replace(/[-_]+/g, ' ');
}
