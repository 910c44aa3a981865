import { useEffect, useMemo, useRef, useState } from 'react';
import { ListRestart, RefreshCw } from 'lucide-react';
import { hasEnded, type FlowSummary } from '@trellis/schema';
import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { EmptyState, Page, PageHeader } from '../ui/Page';
import { IconButton } from '../ui/IconButton';
import { filtersFromQuery, hasFilters, NO_FILTERS, queryOfFilters, type RunFilters } from './filters';
import { RunFiltersBar } from './RunFiltersBar';
import { RunsTable, RunsTableSkeleton } from './RunsTable';
import { useNow } from './use-now';
import { useRunList } from './use-run-list';
import './runs.css';

/**
 * Runs across all flows, newest first, filtered by what the route's query string says (so a
 * filtered list can be linked and survives a reload), kept live, a page at a time.
 */
export function RunsPage({ api, query, go }: { api: ApiClient; query?: string; go: (route: Route) => void }) {
  const filters = useMemo(() => filtersFromQuery(query), [query]);
  const list = useRunList(api, filters);
  // Every second while a run shown goes on (its duration counts up); else often enough for "5 min ago".
  const now = useNow(list.runs?.some((r) => !hasEnded(r.status)) ? 1000 : 15_000);
  // Prefetched as the app started and arrived: the flows' names are in the rows' first render.
  const [flows, setFlows] = useState<FlowSummary[] | undefined>(() => api.readyFlows());
  const flowsAtStart = useRef(flows !== undefined);
  const [slugs, setSlugs] = useState<string[] | undefined>();

  // The filters' choices; the list works without them (a flow then shows by its id).
  useEffect(() => {
    let live = true;
    if (!flowsAtStart.current) api.listFlows().then((f) => live && setFlows(f), () => live && setFlows([]));
    api.listPublished().then((p) => live && setSlugs([...new Set(p.map((x) => x.slug))].sort()), () => live && setSlugs([]));
    return () => {
      live = false;
    };
  }, [api]);
  const flowNames = useMemo(() => new Map(flows?.map((f) => [f.id, f.name])), [flows]);
  const filter = (next: RunFilters) => go({ page: 'runs', query: queryOfFilters(next) });

  // Scrolling to the end loads the next page; the button stays for the keyboard and for when it does not.
  const more = useRef<HTMLButtonElement>(null);
  const { loadMore, loadingMore } = list;
  useEffect(() => {
    const button = more.current;
    if (!button || loadingMore || typeof IntersectionObserver === 'undefined') return;
    const seen = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && loadMore(), { rootMargin: '200px' });
    seen.observe(button);
    return () => seen.disconnect();
  }, [loadMore, loadingMore, list.more, list.runs?.length]);

  return (
    <Page wide label="Runs">
      <PageHeader
        title="Runs"
        description="Every run of every flow, newest first. New runs and status changes appear as they happen."
        actions={<IconButton icon={RefreshCw} label="Reload the runs" text="Reload" onClick={list.reload} />}
      />
      <RunFiltersBar filters={filters} flows={flows} slugs={slugs} onChange={filter} />
      {list.error && (
        <div role="alert" className="mb-4 flex items-center gap-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          <span className="mr-auto">{list.error}</span>
          <button type="button" className="btn-sm" onClick={list.reload}>
            Try again
          </button>
        </div>
      )}
      {list.runs === undefined && !list.error && (
        <>
          <p className="sr-only" role="status">
            Loading runs…
          </p>
          <RunsTableSkeleton />
        </>
      )}
      {list.runs?.length === 0 &&
        (hasFilters(filters) ? (
          <EmptyState title="No runs match these filters">
            <p>Try another flow, status or date range.</p>
            <button type="button" className="mt-2" onClick={() => filter(NO_FILTERS)}>
              <ListRestart size={14} aria-hidden="true" />
              Clear filters
            </button>
          </EmptyState>
        ) : (
          <EmptyState title="No runs yet">
            <p>
              Runs appear here as they start: from a flow's Test run panel, its published endpoint, or the MCP server.{' '}
              <a href="#/">Open a flow</a> to run one.
            </p>
          </EmptyState>
        ))}
      {list.runs && list.runs.length > 0 && (
        <>
          <RunsTable runs={list.runs} flowNames={flowNames} fresh={list.fresh} now={now} go={go} />
          <div className="mt-3 flex items-center gap-3 text-sm text-fg-muted">
            <span role="status">
              {list.runs.length.toLocaleString()} run{list.runs.length === 1 ? '' : 's'} shown{list.more ? '' : ', all there are'}
            </span>
            {list.more && (
              <button ref={more} type="button" className="ml-auto" onClick={list.loadMore} disabled={list.loadingMore}>
                {list.loadingMore ? 'Loading…' : 'Load more runs'}
              </button>
            )}
          </div>
        </>
      )}
    </Page>
  );
}
