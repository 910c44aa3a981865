/**
 * How things are named in Trellis, one rule for flows and prompts alike, with the same words:
 *
 * - a **handle** is what URLs, references and the API use: a flow's id (`support-triage`), a
 *   library prompt's name (`triage-classifier`, as in `triage-classifier@3`). New handles are
 *   lowercase letters, digits, "-" and "_", starting with a letter, at most 64 characters.
 *   (Both formats accept a little more for documents written before this rule: flow ids may
 *   hold capitals or start with "_", prompt names may start with a digit.)
 * - a **title** is what people read: a flow's name. Spaces inside are collapsed, at most 200
 *   characters.
 * - a **tag** groups flows or prompts: trimmed, lowercase, spaces written as "-".
 */

export const HANDLE_MAX_LENGTH = 64;
export const HANDLE_PATTERN = /^[a-z][a-z0-9_-]*$/;
export const TITLE_MAX_LENGTH = 200;
export const TAG_MAX_LENGTH = 40;
/** Tags one flow (or prompt) may carry. */
export const TAGS_MAX = 20;

/** What kind of thing is being named: "flow", "prompt". */
export type Named = 'flow' | 'prompt';

/** The handle a title suggests: accents dropped, lowercase words joined by "-", starting with a letter (`fallback` when nothing is left). */
export function handleFrom(text: string, fallback: string, maxLength = HANDLE_MAX_LENGTH): string {
  const plain = text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  let handle = plain.replace(/[^a-z0-9_]+/g, '-').replace(/^[-_]+|[-_]+$/g, '');
  if (!handle) return fallback;
  if (!/^[a-z]/.test(handle)) handle = `${fallback}-${handle}`;
  return handle.slice(0, maxLength).replace(/[-_]+$/, '');
}

/** What is wrong with a new handle, as a sentence naming the thing, or undefined when it is fine. */
export function handleProblem(what: Named, handle: string): string | undefined {
  if (handle === '') return `Give the ${what} a name.`;
  if (handle.length > HANDLE_MAX_LENGTH) return `A ${what}'s name is at most ${HANDLE_MAX_LENGTH} characters (this one has ${handle.length}).`;
  if (!HANDLE_PATTERN.test(handle)) {
    const suggestion = handleFrom(handle, what);
    return `A ${what}'s name uses lowercase letters, digits, "-" and "_", starting with a letter${suggestion !== handle ? `: try “${suggestion}”` : ''}.`;
  }
  return undefined;
}

/** A title as typed, spaces tidied; or why it cannot be the thing's title, in the same words as `handleProblem`. */
export function cleanTitle(what: Named, typed: string): { name: string } | { error: string } {
  const name = typed.trim().replace(/\s+/g, ' ');
  if (!name) return { error: `Give the ${what} a name.` };
  if (name.length > TITLE_MAX_LENGTH) return { error: `A ${what}'s name is at most ${TITLE_MAX_LENGTH} characters (this one has ${name.length}).` };
  return { name };
}

/** A tag as typed, made the form tags are kept in: trimmed, lowercase, spaces as "-", control characters dropped. */
export function normalizeTag(typed: string): string {
  return typed
    .replace(/\p{Cc}/gu, '')
    .trim()
    .toLowerCase()
    .replace(/\s+/g, '-')
    .slice(0, TAG_MAX_LENGTH);
}

/** Tags as typed, normalised, without empties or repeats, at most `TAGS_MAX`, in the order given. */
export function normalizeTags(typed: readonly string[]): string[] {
  const tags: string[] = [];
  for (const t of typed) {
    const tag = normalizeTag(t);
    if (tag && !tags.includes(tag) && tags.length < TAGS_MAX) tags.push(tag);
  }
  return tags;
}
