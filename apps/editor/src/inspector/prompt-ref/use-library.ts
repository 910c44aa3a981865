/**
 * The library as the picker reads it: the prompts, one prompt's versions and one version's text.
 * Versions are read again when the window gets focus back and every little while, so a version
 * saved on the Prompts page (or by someone else) shows up as "a newer version exists".
 */
import { errorMessage, type PromptSummary, type PromptVersion, type PromptVersionSummary } from '@trellis/schema';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../../api';

export const RECHECK_MS = 30_000;

export interface Loaded<T> {
  data?: T;
  error?: string;
  /** The HTTP status of the failure (404: no such prompt or version). */
  status?: number;
  loading: boolean;
  reload: () => void;
}


/** Runs `load` when its key changes (nothing for an undefined key), and again on `reload`. */
function useLoaded<T>(key: string | undefined, load: () => Promise<T>, options: { recheck?: boolean } = {}): Loaded<T> {
  const [state, setState] = useState<{ key?: string; data?: T; error?: string; status?: number }>({});
  const [round, setRound] = useState(0);
  const reload = useCallback(() => setRound((n) => n + 1), []);
  // `load` is built anew on each render from what the key stands for: the latest one is used.
  const loader = useRef(load);
  useEffect(() => {
    loader.current = load;
  });
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    loader.current().then(
      (data) => live && setState({ key, data }),
      (e: unknown) => live && setState({ key, error: errorMessage(e), ...(typeof (e as { status?: unknown }).status === 'number' ? { status: (e as { status: number }).status } : {}) }),
    );
    return () => {
      live = false;
    };
  }, [key, round]);
  const recheck = options.recheck === true && key !== undefined;
  useEffect(() => {
    if (!recheck) return;
    const onFocus = () => reload();
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, RECHECK_MS);
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [recheck, reload]);
  // What was loaded for another key is not shown (a stale answer for the previous prompt).
  const current = state.key === key ? state : {};
  return { ...current, loading: key !== undefined && state.key !== key, reload } as Loaded<T>;
}

export function usePromptList(api: ApiClient): Loaded<PromptSummary[]> {
  return useLoaded('all', () => api.listPrompts());
}

/** Newest first. */
export function usePromptVersions(api: ApiClient, name: string | undefined): Loaded<PromptVersionSummary[]> {
  return useLoaded(name, () => api.listPromptVersions(name!), { recheck: true });
}

export function usePromptVersion(api: ApiClient, name: string | undefined, version: number | undefined): Loaded<PromptVersion> {
  return useLoaded(name !== undefined && version !== undefined ? `${name}@${version}` : undefined, () => api.getPromptVersion(name!, version!));
}
