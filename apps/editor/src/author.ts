/**
 * Who is saving: the name a person gives once in the editor (flows and library prompts alike), kept in this browser's
 * localStorage and sent as `author` with flow saves and restores. There are no accounts, so this
 * is a courtesy for the history ("who changed this?"), not an identity.
 */
import { useCallback, useSyncExternalStore } from 'react';

export const AUTHOR_KEY = 'trellis.author';
export const AUTHOR_MAX = 100;

const listeners = new Set<() => void>();

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined; // storage blocked (privacy settings, sandboxed frames): the name is not kept
  }
}

/** The name as typed (a space typed between two names stays); '' when none was given. */
function readRaw(): string {
  try {
    return (storage()?.getItem(AUTHOR_KEY) ?? '').slice(0, AUTHOR_MAX);
  } catch {
    return '';
  }
}

/** The name as saves send it, trimmed; '' when none was given. */
export function readAuthor(): string {
  return readRaw().trim();
}

/** Keeps the name (an empty one forgets it); returns false when the browser refused to store it. */
export function writeAuthor(name: string): boolean {
  const clean = name.slice(0, AUTHOR_MAX);
  let kept = true;
  try {
    const store = storage();
    if (!store) kept = false;
    else if (clean.trim()) store.setItem(AUTHOR_KEY, clean);
    else store.removeItem(AUTHOR_KEY);
  } catch {
    kept = false;
  }
  for (const listener of [...listeners]) listener();
  return kept;
}

/** What saves send: the name, or nothing when none was given. */
export const authorField = (): { author?: string } => {
  const author = readAuthor();
  return author ? { author } : {};
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  // Another tab of the editor changed the name.
  const onStorage = (event: StorageEvent) => {
    if (event.key === AUTHOR_KEY || event.key === null) listener();
  };
  globalThis.addEventListener?.('storage', onStorage);
  return () => {
    listeners.delete(listener);
    globalThis.removeEventListener?.('storage', onStorage);
  };
}

/** The kept name as typed, following changes made anywhere in the editor (or another tab), and a setter. */
export function useAuthor(): [string, (name: string) => boolean] {
  const author = useSyncExternalStore(subscribe, readRaw, () => '');
  const set = useCallback((name: string) => writeAuthor(name), []);
  return [author, set];
}
