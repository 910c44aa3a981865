import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage, type Run } from '@trellis/schema';
import type { ApiClient } from '../api';
import { apiQuery, matchesFilters, RUNS_PAGE, type RunFilters } from './filters';

/** A run's row is read again this long after its last change: a run's steps change it in bursts. */
const SETTLE_MS = 250;

export interface RunList {
  /** Undefined while the first page loads. */
  runs: Run[] | undefined;
  /** Whether older runs are left to load. */
  more: boolean;
  loadingMore: boolean;
  error: string | undefined;
  /** Runs that arrived live, to mark them for a moment. */
  fresh: ReadonlySet<string>;
  loadMore: () => void;
  reload: () => void;
}

/** Newest first, as the API gives them: by creation time, then id. */
const newerFirst = (a: Run, b: Run) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1);

/**
 * The runs the filters give, newest first, a page at a time; kept live from the runner's change
 * stream: a run that starts (or comes to match the filters) appears in its place, a run that
 * changes is read again and updated where it stands, and when changes were missed the first page
 * is read again.
 */
export function useRunList(api: ApiClient, filters: RunFilters): RunList {
  const key = JSON.stringify(apiQuery(filters));
  // The first page, when the app fetched it as it started and it has arrived: drawn in the first render.
  const [prefetched] = useState(() => api.readyRuns({ ...(JSON.parse(key) as object), limit: RUNS_PAGE }));
  const [runs, setRuns] = useState<Run[] | undefined>(prefetched?.items);
  const [cursor, setCursor] = useState<string | undefined>(prefetched?.nextCursor);
  const skipFirstLoad = useRef(prefetched !== undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [epoch, setEpoch] = useState(0);
  // Read by the live handlers, which must not restart with every page loaded.
  const latest = useRef({ runs, cursor, filters });
  latest.current = { runs, cursor, filters };
  const request = useRef(0);

  useEffect(() => {
    const mine = ++request.current;
    if (skipFirstLoad.current) {
      skipFirstLoad.current = false;
      return;
    }
    setRuns(undefined);
    setCursor(undefined);
    setError(undefined);
    api.listRuns({ ...(JSON.parse(key) as object), limit: RUNS_PAGE }).then(
      (page) => {
        if (mine !== request.current) return;
        setRuns(page.items);
        setCursor(page.nextCursor);
      },
      (e: unknown) => mine === request.current && setError(`Could not list the runs: ${errorMessage(e)}`),
    );
  }, [api, key, epoch]);

  const loadMore = useCallback(() => {
    const { cursor: after } = latest.current;
    if (!after) return;
    const mine = request.current;
    setLoadingMore(true);
    api.listRuns({ ...(JSON.parse(key) as object), limit: RUNS_PAGE, cursor: after }).then(
      (page) => {
        if (mine !== request.current) return;
        setRuns((shown) => {
          const known = new Set(shown?.map((r) => r.id));
          return [...(shown ?? []), ...page.items.filter((r) => !known.has(r.id))];
        });
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (mine !== request.current) return;
        setLoadingMore(false);
        setError(`Could not load more runs: ${errorMessage(e)}`);
      },
    );
  }, [api, key]);

  // Live: the runner's change stream, of one flow when the list shows one.
  const flowId = filters.flowId;
  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    let live = true;
    const place = (run: Run) => {
      const { runs: shown, cursor: more, filters: now } = latest.current;
      if (!shown) return;
      const at = shown.findIndex((r) => r.id === run.id);
      if (at >= 0) {
        setRuns((list) => list?.map((r) => (r.id === run.id ? run : r)));
        return;
      }
      if (!matchesFilters(run, now)) return;
      // A run older than the last one shown belongs to a page not loaded yet.
      const oldest = shown[shown.length - 1];
      if (more && oldest && newerFirst(run, oldest) > 0) return;
      setRuns((list) => (list && !list.some((r) => r.id === run.id) ? [...list, run].sort(newerFirst) : list));
      setFresh((f) => new Set(f).add(run.id));
    };
    const read = (id: string) => {
      timers.delete(id);
      api.getRun(id).then(
        (run) => live && place(run),
        () => undefined, // gone (deleted with its flow) or unreachable: the row keeps what it showed
      );
    };
    const stop = api.followRunChanges({
      flowId,
      onChange: (change) => {
        const { runs: shown, filters: now } = latest.current;
        if (!shown) return;
        const known = shown.some((r) => r.id === change.id);
        if (known) {
          // The status at once; the rest (duration, tokens) once the burst has settled.
          setRuns((list) => list?.map((r) => (r.id === change.id ? { ...r, status: change.status } : r)));
        } else if ((now.flowId && change.flowId !== now.flowId) || (now.statuses.length && !now.statuses.includes(change.status))) {
          return;
        }
        clearTimeout(timers.get(change.id));
        timers.set(change.id, setTimeout(() => read(change.id), known ? SETTLE_MS : 0));
      },
      onReset: () => setEpoch((n) => n + 1),
    });
    return () => {
      live = false;
      stop();
      for (const timer of timers.values()) clearTimeout(timer);
    };
  }, [api, flowId]);

  const reload = useCallback(() => setEpoch((n) => n + 1), []);
  return { runs, more: cursor !== undefined, loadingMore, error, fresh, loadMore, reload };
}
