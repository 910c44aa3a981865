import { SUGGESTED_PROMPT_TAGS } from '@trellis/schema';

export const TAG_MAX = 40;

/** A tag as typed, made the form the library keeps: trimmed, lowercase, spaces as "-". */
export function cleanTag(typed: string): string {
  return typed.trim().toLowerCase().replace(/\s+/g, '-').slice(0, TAG_MAX);
}

/** Adds a typed tag unless it is empty or there already. */
export function addTag(tags: readonly string[], typed: string): string[] {
  const tag = cleanTag(typed);
  return tag === '' || tags.includes(tag) ? [...tags] : [...tags, tag];
}

/** The tags to offer: the suggested ones, then those in use that are not among them, alphabetically. */
export function tagOptions(inUse: Iterable<string>): string[] {
  const suggested: readonly string[] = SUGGESTED_PROMPT_TAGS;
  const extra = [...new Set(inUse)].filter((t) => !suggested.includes(t)).sort();
  return [...suggested, ...extra];
}

export const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((t, i) => t === b[i]);
