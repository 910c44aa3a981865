import type { RunQuery } from '@trellis/schema';

// The runner's paths the client and the start-up prefetch (api-prefetch.ts) both build, so a
// prefetched answer is found under exactly the path the client then asks for.

export const enc = encodeURIComponent;

export function query(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '');
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)])).toString()}` : '';
}

export const apiPaths = {
  flows: () => '/api/flows',
  flow: (id: string) => `/api/flows/${enc(id)}`,
  published: () => '/api/published',
  runs: (q: RunQuery) => `/api/runs${query({ ...q })}`,
};
