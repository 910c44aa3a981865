/**
 * Local drafts of the inspector's fields. Typing changes the draft at once and the store only
 * after a pause (or when the field loses focus), so one undo step is one burst of typing, not
 * one keystroke, while validation still follows within a moment.
 */
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import { sameValue } from './paths';

export const COMMIT_DELAY_MS = 400;

/** Every field's flush, so the inspector can commit what is typed before a save (Ctrl+S). */
export class DraftRegistry {
  private readonly flushes = new Set<() => void>();
  add(flush: () => void): () => void {
    this.flushes.add(flush);
    return () => {
      this.flushes.delete(flush);
    };
  }
  flushAll(): void {
    for (const flush of [...this.flushes]) flush();
  }
}

export const DraftContext = createContext<DraftRegistry | undefined>(undefined);

/** A commit either wrote a value to the store or refused the draft (it is invalid: kept, not written). */
export type CommitResult<V> = { written: true; value: V } | { written: false };

export interface DraftOptions<V, D> {
  /** The value in the store. */
  value: V;
  toDraft: (value: V) => D;
  commit: (draft: D) => CommitResult<V>;
  delay?: number;
}

export interface Draft<D> {
  draft: D;
  /** Replaces the draft and commits it after the pause. */
  change: (next: D) => void;
  /** Commits a pending draft now (on blur). */
  flush: () => void;
  /** Replaces the draft and commits it at once (a click: add, remove, move). */
  commitNow: (next: D) => void;
}

export function useDraft<V, D>({ value, toDraft, commit, delay = COMMIT_DELAY_MS }: DraftOptions<V, D>): Draft<D> {
  const [draft, setDraft] = useState<D>(() => toDraft(value));
  /** The store value the draft stands for: what was last read or written. */
  const synced = useRef(value);
  const pending = useRef<{ draft: D } | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const latest = useRef({ commit, toDraft });
  useEffect(() => {
    latest.current = { commit, toDraft };
  });

  const flush = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    const next = pending.current;
    if (!next) return;
    pending.current = undefined;
    const result = latest.current.commit(next.draft);
    if (result.written) synced.current = result.value;
  }, []);

  // The store changed under the field (undo, redo, a paste over the node): show the store's value,
  // dropping a draft that has not been committed (it was typed against the old value).
  useEffect(() => {
    if (sameValue(value, synced.current)) return;
    synced.current = value;
    clearTimeout(timer.current);
    pending.current = undefined;
    setDraft(latest.current.toDraft(value));
  }, [value]);

  const change = useCallback(
    (next: D) => {
      setDraft(next);
      pending.current = { draft: next };
      clearTimeout(timer.current);
      timer.current = setTimeout(flush, delay);
    },
    [delay, flush],
  );
  const commitNow = useCallback(
    (next: D) => {
      setDraft(next);
      pending.current = { draft: next };
      flush();
    },
    [flush],
  );

  const registry = useContext(DraftContext);
  useEffect(() => registry?.add(flush), [registry, flush]);
  // Leaving the field (another node selected, the panel closed) keeps what was typed.
  useEffect(() => flush, [flush]);

  return { draft, change, flush, commitNow };
}

/** Any config value as the text a field shows: a string as it is, nothing as '', anything else as JSON. */
export const asText = (value: unknown) => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));

const asTyped = (text: string) => text;

/**
 * The draft of a field that edits text. An empty field removes the key, so the kind's default
 * (if any) applies; `clean` may tidy the text first (e.g. trim a model id).
 */
export function useTextDraft(value: unknown, write: (next: unknown) => void, clean: (text: string) => string = asTyped): Draft<string> {
  const commit = useCallback(
    (draft: string): CommitResult<unknown> => {
      const text = clean(draft);
      const next = text === '' ? undefined : text;
      write(next);
      return { written: true, value: next };
    },
    [clean, write],
  );
  return useDraft<unknown, string>({ value, toDraft: asText, commit });
}
