import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, type Prompt, type PromptUse, type PromptVersion, type PromptVersionSummary } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';


export type PromptState =
  | { status: 'loading' }
  | { status: 'failed'; error: string; missing: boolean }
  | { status: 'ready'; prompt: Prompt; versions?: PromptVersionSummary[]; versionsError?: string; usage?: PromptUse[]; usageError?: string };

/**
 * A prompt with its history and the flows that use it, read together; `reload` reads them
 * again and hands back the prompt (or throws the runner's error).
 */
export function usePrompt(api: ApiClient, name: string) {
  const [state, setState] = useState<PromptState>({ status: 'loading' });
  const live = useRef(true);
  useEffect(() => {
    live.current = true;
    return () => {
      live.current = false;
    };
  }, []);

  const reload = useCallback(async (): Promise<Prompt> => {
    const [prompt, versions, usage] = await Promise.allSettled([api.getPrompt(name), api.listPromptVersions(name), api.promptUsage(name)]);
    if (prompt.status === 'rejected') {
      if (live.current) setState({ status: 'failed', error: errorMessage(prompt.reason), missing: prompt.reason instanceof ApiError && prompt.reason.status === 404 });
      throw prompt.reason;
    }
    if (live.current) {
      setState({
        status: 'ready',
        prompt: prompt.value,
        ...(versions.status === 'fulfilled' ? { versions: versions.value } : { versionsError: errorMessage(versions.reason) }),
        ...(usage.status === 'fulfilled' ? { usage: usage.value } : { usageError: errorMessage(usage.reason) }),
      });
    }
    return prompt.value;
  }, [api, name]);

  useEffect(() => {
    reload().catch(() => undefined); // shown through the state
  }, [reload]);

  return { state, reload };
}

/** Versions never change once saved: each is fetched once per page. */
export function useVersionCache(api: ApiClient, name: string) {
  const cache = useRef(new Map<number, Promise<PromptVersion>>());
  return useCallback(
    (version: number) => {
      let request = cache.current.get(version);
      if (!request) {
        request = api.getPromptVersion(name, version);
        cache.current.set(version, request);
        request.catch(() => cache.current.delete(version));
      }
      return request;
    },
    [api, name],
  );
}
