import { errorMessage, type ModelCatalog } from '@trellis/schema';
import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from '../api';

/** One request per client, shared by every model field (a failed one is forgotten, so Retry asks again). */
const requests = new WeakMap<ApiClient, Promise<ModelCatalog>>();

function load(api: ApiClient): Promise<ModelCatalog> {
  let request = requests.get(api);
  if (!request) {
    request = api.listModels();
    requests.set(api, request);
    request.catch(() => requests.delete(api));
  }
  return request;
}

export type CatalogState = { status: 'loading' } | { status: 'ready'; catalog: ModelCatalog } | { status: 'failed'; error: string };

export function useModelCatalog(api: ApiClient): { state: CatalogState; retry: () => void } {
  const [state, setState] = useState<CatalogState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    load(api).then(
      (catalog) => live && setState({ status: 'ready', catalog }),
      (error: unknown) => live && setState({ status: 'failed', error: errorMessage(error) }),
    );
    return () => {
      live = false;
    };
  }, [api, attempt]);
  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);
  return { state, retry };
}
