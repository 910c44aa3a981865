import {
  APPROVALS_PAGE_DEFAULT,
  APPROVALS_PAGE_MAX,
  RUNS_PAGE_DEFAULT,
  RUNS_PAGE_MAX,
  TrellisError,
  parseInstant,
  parseStatuses,
  type ApprovalCount,
  type ApprovalQuery,
  type InboxItem,
  type Page,
  type RunQuery,
  type RunStatus,
  type RunSummary,
} from '@trellis/schema';
import type { Kysely } from 'kysely';
import { summaryColumns, toApproval, toRunSummary } from './rows.js';
import type { Database } from './tables.js';

/**
 * The lists of the Runs page and the inbox: keyset pages over (created_at, id), each filter
 * answered by an index that ends with that key, so a page reads about `limit` index entries
 * whatever the table holds (migrations 0001 and 0006 name the indexes; test/runs-listing.test.ts
 * checks the plans on both dialects).
 *
 * Plans measured with 100,000 runs of 20 flows (`pnpm bench runs`'s data; PostgreSQL analysed):
 *   none, cursor, from/to    runs_created_idx, read backwards from the cursor (both)
 *   flowId / status / slug   runs_flow_idx / runs_status_idx / runs_slug_idx (both)
 *   parentRunId              runs_parent_created_idx (both)
 *   slug+status+from         runs_slug_idx (slug = ? and created_at >= ?), status filtered (both)
 *   flowId+status            SQLite: runs_status_idx, flow filtered; PostgreSQL: both indexes ANDed as a
 *                            bitmap, then the intersection (about 100 rows) sorted
 *   inbox pending            approvals_status_created_idx (SQLite); approvals_created_idx, filtered (PostgreSQL)
 *   inbox decided / flowId   approvals_created_idx backwards / approvals_flow_created_idx
 */

/** A position in a list: after (or before) this row in (created_at, id) order. Opaque to clients. */
export interface Position {
  createdAt: string;
  id: string;
}

export function encodeCursor(position: Position): string {
  return Buffer.from(JSON.stringify([position.createdAt, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string' && !Number.isNaN(Date.parse(value[0]))) {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // falls through to the error below
  }
  throw new TrellisError('invalid_cursor', '`cursor` is not one this server handed out; start from the first page', { details: { problems: [{ path: 'query.cursor', message: 'is not a cursor this server gave out' }] } });
}

function clampLimit(limit: number | undefined, fallback: number, max: number): number {
  return limit !== undefined && Number.isFinite(limit) ? Math.min(max, Math.max(1, Math.floor(limit))) : fallback;
}

/** The query's filters, checked (the route has checked them already; the store checks again for its other callers). */
function runFilters(query: RunQuery) {
  const problems: Array<{ path: string; message: string }> = [];
  let statuses: RunStatus[] | undefined;
  if (query.status !== undefined) {
    const parsed = parseStatuses(query.status);
    if (parsed.unknown.length || !parsed.statuses.length) problems.push({ path: 'query.status', message: `has an unknown status "${parsed.unknown.join('", "')}"` });
    statuses = parsed.statuses;
  }
  const instant = (name: 'from' | 'to') => {
    const text = query[name];
    if (text === undefined) return undefined;
    const at = parseInstant(text);
    if (at === undefined) problems.push({ path: `query.${name}`, message: 'is not an ISO 8601 date or time' });
    return at;
  };
  const from = instant('from');
  const to = instant('to');
  if (problems.length) throw new TrellisError('invalid_request', problems.map((p) => `${p.path}: ${p.message}`).join('; '), { details: { problems } });
  return { statuses, from, to, after: query.cursor === undefined ? undefined : decodeCursor(query.cursor) };
}

/** One page of runs, newest first. Several statuses are one indexed query each, merged here: an IN list would sort every match. */
export async function listRuns(db: Kysely<Database>, query: RunQuery): Promise<Page<RunSummary>> {
  const limit = clampLimit(query.limit, RUNS_PAGE_DEFAULT, RUNS_PAGE_MAX);
  const { statuses, from, to, after } = runFilters(query);
  const parts = await Promise.all((statuses ?? [undefined]).map((status) => runsPageQuery(db, { ...query, status, from, to, after }, limit).execute()));
  const rows = parts.flat().sort((a, b) => (a.created_at === b.created_at ? compare(b.id, a.id) : compare(b.created_at, a.created_at)));
  const items = rows.slice(0, limit).map(toRunSummary);
  const last = items.at(-1);
  return { items, ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
}

/** Byte order, as both databases compare these columns (ASCII ids and ISO timestamps). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What one query of a runs page filters on: the checked query, with at most one status. */
export interface RunsPageFilter {
  flowId?: string | undefined;
  status?: RunStatus | undefined;
  slug?: string | undefined;
  parentRunId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  after?: Position | undefined;
}

/** One query of a runs page: `limit + 1` rows, to tell whether there is a next page. */
export function runsPageQuery(db: Kysely<Database>, f: RunsPageFilter, limit: number) {
  let q = db
    .selectFrom('runs')
    .select(summaryColumns)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (f.flowId !== undefined) q = q.where('flow_id', '=', f.flowId);
  if (f.status !== undefined) q = q.where('status', '=', f.status);
  if (f.slug !== undefined) q = q.where('slug', '=', f.slug);
  if (f.parentRunId !== undefined) q = q.where('parent_run_id', '=', f.parentRunId);
  if (f.from !== undefined) q = q.where('created_at', '>=', f.from);
  if (f.to !== undefined) q = q.where('created_at', '<', f.to);
  const after = f.after;
  if (after) q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(after.createdAt, after.id)));
  return q;
}

/**
 * The inbox: approvals and questions across flows, with their flow's name. Pending ones oldest
 * first (who has waited longest comes first); any other list newest first (the history).
 */
export async function listInbox(db: Kysely<Database>, query: ApprovalQuery): Promise<Page<InboxItem>> {
  const limit = clampLimit(query.limit, APPROVALS_PAGE_DEFAULT, APPROVALS_PAGE_MAX);
  const rows = await inboxQuery(db, query, limit).execute();
  const items = rows.slice(0, limit).map(({ flow_name, ...row }) => ({ ...toApproval(row), ...(flow_name === null ? {} : { flowName: flow_name }) }));
  const last = items.at(-1);
  return { items, ...(rows.length > limit && last ? { nextCursor: encodeCursor(last) } : {}) };
}

/** One inbox page's query: `limit + 1` rows. */
export function inboxQuery(db: Kysely<Database>, query: ApprovalQuery, limit: number) {
  const status = query.status ?? 'pending';
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const order = status === 'pending' ? 'asc' : 'desc';
  let q = db
    .selectFrom('approvals')
    .leftJoin('flows', 'flows.id', 'approvals.flow_id')
    .selectAll('approvals')
    .select('flows.name as flow_name')
    .orderBy('approvals.created_at', order)
    .orderBy('approvals.id', order)
    .limit(limit + 1);
  if (status === 'decided') q = q.where('approvals.status', '<>', 'pending');
  else if (status !== 'any') q = q.where('approvals.status', '=', status);
  if (query.kind !== undefined) q = q.where('approvals.kind', '=', query.kind);
  if (query.flowId !== undefined) q = q.where('approvals.flow_id', '=', query.flowId);
  if (query.runId !== undefined) q = q.where('approvals.run_id', '=', query.runId);
  if (after) q = q.where((eb) => eb(eb.refTuple('approvals.created_at', 'approvals.id'), order === 'asc' ? '>' : '<', eb.tuple(after.createdAt, after.id)));
  return q;
}

/** The inbox's badge: one indexed count over the pending approvals. */
export async function countInbox(db: Kysely<Database>): Promise<ApprovalCount> {
  const row = await db
    .selectFrom('approvals')
    .select((eb) => [eb.fn.countAll().as('pending'), eb.fn.count('run_id').distinct().as('runs')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { pending: Number(row.pending), runsWaiting: Number(row.runs) };
}
