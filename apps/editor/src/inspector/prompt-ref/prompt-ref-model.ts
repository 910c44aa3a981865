/**
 * A template field whose text may come from the prompt library (a kind's field hint with
 * `promptRef`). Its config value, at `promptRef.path`, is either inline text or `{ ref }`:
 * - when the hint's own path is that path (a prompt's `system`, an agent's `instructions`), the
 *   inline form is the string itself;
 * - when the hint's path lies below it (a prompt's `prompt.template` under `prompt`), the inline
 *   form is an object holding the text at the rest of the path (`{ template: "…" }`), and
 *   `{ ref }` replaces that whole object.
 */
import type { FieldHint } from '@trellis/nodes';
import { formatPromptRef, parsePromptRef, type PromptRef } from '@trellis/schema';
import { getPath, isRecord, setPath } from '../paths';

export type SourceMode = 'inline' | 'library';

/** The hint's library path; only called for hints that have one. */
const refPath = (hint: FieldHint) => hint.promptRef?.path ?? hint.path;

/** The reference text when the value is a library prompt (`{ ref: "name@3" }`), else undefined. */
export function refText(source: unknown): string | undefined {
  return isRecord(source) && typeof source.ref === 'string' ? source.ref : undefined;
}

export const modeOf = (source: unknown): SourceMode => (refText(source) === undefined ? 'inline' : 'library');

/** The reference, read; undefined when there is none or it does not parse. */
export function parsedRef(source: unknown): PromptRef | undefined {
  const text = refText(source);
  if (text === undefined) return undefined;
  const ref = parsePromptRef(text);
  return 'error' in ref ? undefined : ref;
}

/** The value that points at a library prompt. */
export const librarySource = (name: string, version: number | 'latest') => ({ ref: formatPromptRef({ name, version }) });

/** The path of the inline text inside the source value: '' when the source is the text itself. */
function innerPath(hint: FieldHint): string {
  const base = refPath(hint);
  return hint.path === base ? '' : hint.path.slice(base.length + 1);
}

/** The value that holds `text` inline; undefined (the key removed) for empty text, as the template field writes it. */
export function inlineSource(hint: FieldHint, text: string): unknown {
  if (text === '') return undefined;
  const inner = innerPath(hint);
  return inner === '' ? text : setPath({}, inner, text);
}

/** The inline text of a source value, '' when it has none (or is a library prompt). */
export function inlineText(hint: FieldHint, source: unknown): string {
  const inner = innerPath(hint);
  const text = inner === '' ? source : getPath(source, inner);
  return typeof text === 'string' ? text : '';
}

/** The version number a pin stands for now: its own, or for `latest` the newest there is. */
export function resolvedVersion(pinned: number | 'latest', latest: number | undefined): number | undefined {
  return pinned === 'latest' ? latest : pinned;
}

/** The newest version when the pin is an older number (the person may want it); undefined otherwise. */
export function newerVersion(pinned: number | 'latest', latest: number | undefined): number | undefined {
  return pinned !== 'latest' && latest !== undefined && latest > pinned ? latest : undefined;
}

/**
 * What the field held in the mode it is not showing, kept while the node is being edited, so
 * switching Inline → Library → Inline gives back the text that was there (and Library → Inline
 * → Library the reference). Only the mode on show is in the flow (and saved); the other lives
 * as long as the Inspector shows this node.
 */
export interface SourceMemory {
  /** The inline source value before switching to the library (absent: there was no text). */
  inline?: unknown;
  /** The `{ ref }` value before switching to inline text. */
  library?: unknown;
}

export type SourceSwitch =
  /** Write `value` as the field's source. `note` says what happened, for the person. */
  | { write: true; value: unknown; memory: SourceMemory; note?: string }
  /** Nothing to write yet (the library mode waits for a prompt to be picked). */
  | { write: false; memory: SourceMemory };

/**
 * Switching the field's source to `to`, from the value it holds now. Back to inline: the text it
 * had before, else the library version's text (`libraryText`) copied in. Back to the library:
 * the reference it had before, else nothing until a prompt is picked.
 */
export function switchSource(hint: FieldHint, to: SourceMode, source: unknown, memory: SourceMemory, libraryText?: { ref: string; text: string }): SourceSwitch {
  const from = modeOf(source);
  if (from === to) return { write: false, memory };
  if (to === 'library') {
    const kept = { ...memory, inline: source };
    return memory.library === undefined ? { write: false, memory: kept } : { write: true, value: memory.library, memory: kept, note: `Back to ${refText(memory.library)}; the inline text is kept while this node is open.` };
  }
  const kept = { ...memory, library: source };
  if (memory.inline !== undefined && inlineText(hint, memory.inline) !== '') {
    return { write: true, value: memory.inline, memory: kept, note: 'Restored the text this node had before; the library reference is kept while this node is open.' };
  }
  const text = libraryText?.text ?? '';
  return {
    write: true,
    value: inlineSource(hint, text),
    memory: kept,
    ...(text ? { note: `Copied the text of ${libraryText?.ref} into this node; it no longer follows the library.` } : {}),
  };
}
