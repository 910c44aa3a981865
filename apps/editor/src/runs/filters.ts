/**
 * The Runs page's filters and the route's query string that keeps them (`flow=…&status=…`), so a
 * filtered list can be linked and survives a reload. Pure, so it is tested without a browser.
 */
import { parseStatuses, RUN_STATUSES, type Run, type RunQuery, type RunStatus } from '@trellis/schema';

export interface RunFilters {
  flowId?: string;
  statuses: RunStatus[];
  slug?: string;
  /** Local dates as a date input gives them (`2026-01-31`); `to` is included. */
  from?: string;
  to?: string;
}

export const NO_FILTERS: RunFilters = { statuses: [] };
/** Rows a page of the list holds: enough to fill a tall screen, few enough to be drawn at once. */
export const RUNS_PAGE = 50;
export const ALL_STATUSES: readonly RunStatus[] = RUN_STATUSES;

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The filters a route's query string names; anything unknown or malformed is left out. */
export function filtersFromQuery(query: string | undefined): RunFilters {
  const params = new URLSearchParams(query ?? '');
  const text = (name: string) => params.get(name)?.trim() || undefined;
  const date = (name: string) => {
    const value = text(name);
    return value && DATE.test(value) ? value : undefined;
  };
  const flowId = text('flow');
  const slug = text('slug');
  const from = date('from');
  const to = date('to');
  return {
    ...(flowId ? { flowId } : {}),
    statuses: parseStatuses(params.get('status') ?? '').statuses,
    ...(slug ? { slug } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** The query string of some filters; undefined when none is set (the bare `#/runs`). */
export function queryOfFilters(filters: RunFilters): string | undefined {
  const params = new URLSearchParams();
  if (filters.flowId) params.set('flow', filters.flowId);
  // In the order of the statuses' life, so the same choice always makes the same link.
  const statuses = ALL_STATUSES.filter((s) => filters.statuses.includes(s));
  if (statuses.length) params.set('status', statuses.join(','));
  if (filters.slug) params.set('slug', filters.slug);
  if (filters.from) params.set('from', filters.from);
  if (filters.to) params.set('to', filters.to);
  // Commas read better than %2C in a link people copy.
  const text = params.toString().replace(/%2C/g, ',');
  return text || undefined;
}

export const hasFilters = (filters: RunFilters) => queryOfFilters(filters) !== undefined;

/** Midnight at the start of a local date, as an instant. */
function localMidnight(date: string, plusDays = 0): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return new Date(y, m - 1, d + plusDays).toISOString();
}

/** The API's query for the filters: local days become instants, the `to` day included whole. */
export function apiQuery(filters: RunFilters): RunQuery {
  return {
    ...(filters.flowId ? { flowId: filters.flowId } : {}),
    ...(filters.statuses.length ? { status: filters.statuses.join(',') } : {}),
    ...(filters.slug ? { slug: filters.slug } : {}),
    ...(filters.from ? { from: localMidnight(filters.from) } : {}),
    ...(filters.to ? { to: localMidnight(filters.to, 1) } : {}),
  };
}

/** The published slug a run came through (its endpoint or the MCP tool), if it came through one. */
export const runSlug = (run: Pick<Run, 'labels'>): string | undefined => run.labels?.slug || undefined;

/** Whether a run belongs in the list the filters give (for runs that arrive live). */
export function matchesFilters(run: Pick<Run, 'flowId' | 'status' | 'labels' | 'createdAt'>, filters: RunFilters): boolean {
  if (filters.flowId && run.flowId !== filters.flowId) return false;
  if (filters.statuses.length && !filters.statuses.includes(run.status)) return false;
  if (filters.slug && runSlug(run) !== filters.slug) return false;
  const created = Date.parse(run.createdAt);
  if (filters.from && created < Date.parse(localMidnight(filters.from))) return false;
  if (filters.to && created >= Date.parse(localMidnight(filters.to, 1))) return false;
  return true;
}
