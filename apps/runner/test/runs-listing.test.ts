import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUN_CHANGES_KEPT, RUN_CHANGE_STREAMS_MAX } from '@trellis/schema';
import { RunChangeFeed } from '../src/server/changes.js';
import { inboxQuery, runsPageQuery, type RunsPageFilter } from '../src/store/listing.js';
import { openDatabase, openStore, type StoreOptions } from '../src/store/index.js';
import type { Database } from '../src/store/tables.js';
import { apiHarness, approvalFlow, parseSse, TEST_PG_URL } from './support/api.js';

type Body = Record<string, unknown>;
type Problems = { error: { code: string; message: string; details?: { problems: Array<{ path: string; message: string }> } } };

// Every filter combination of the Runs page and the inbox, with and without a cursor.
const after = { createdAt: '2031-01-01T00:00:00.000Z', id: 'run-x' };
const RUN_FILTERS: Array<[string, RunsPageFilter]> = [
  ['none', {}],
  ['flowId', { flowId: 'f' }],
  ['status', { status: 'waiting' }],
  ['slug', { slug: 's' }],
  ['parentRunId', { parentRunId: 'p' }],
  ['from+to', { from: '2031-01-01T00:00:00.000Z', to: '2031-02-01T00:00:00.000Z' }],
  ['flowId+status', { flowId: 'f', status: 'failed' }],
  ['flowId+from', { flowId: 'f', from: '2031-01-01T00:00:00.000Z' }],
  ['status+from+to', { status: 'failed', from: '2031-01-01T00:00:00.000Z', to: '2031-02-01T00:00:00.000Z' }],
  ['slug+status', { slug: 's', status: 'succeeded' }],
  ['parentRunId+status', { parentRunId: 'p', status: 'running' }],
  ['flowId+slug+status+from', { flowId: 'f', slug: 's', status: 'queued', from: '2031-01-01T00:00:00.000Z' }],
];
const INBOX_FILTERS: Array<[string, Parameters<typeof inboxQuery>[1]]> = [
  ['pending', {}],
  ['decided', { status: 'decided' }],
  ['any', { status: 'any' }],
  ['approved', { status: 'approved' }],
  ['pending+flowId', { flowId: 'f' }],
  ['decided+flowId+kind', { status: 'decided', flowId: 'f', kind: 'question' }],
];
// By run: the unique (run_id, wait_id) index finds one run's few waits, which are then sorted (not checked below).
const cursorOf = (createdAt: string, id: string) => Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');

/**
 * Each list query reads an index in the list's order: no full scan, no sort of the matches.
 * SQLite: EXPLAIN QUERY PLAN, on a fresh database as a runner starts with (no ANALYZE statistics).
 * PostgreSQL: EXPLAIN with sequential scans, bitmap scans and sorts priced out (on a table this
 * small, with no statistics, a scan and a sort would win): a Sort node left means no index gives the order.
 */
describe.each([
  ['sqlite', () => ({ dataDir: mkdtempSync(join(tmpdir(), 'trellis-plans-')) })],
  ['postgres', () => ({ databaseUrl: TEST_PG_URL, pgSchema: `trellis_plans_${randomBytes(6).toString('hex')}` })],
] as Array<[string, () => StoreOptions]>)('the listing plans on %s', (dialect, options) => {
  let db: Kysely<Database>;
  const opened = options();
  beforeAll(async () => {
    await (await openStore(opened)).close();
    ({ db } = await openDatabase(opened));
  });
  afterAll(async () => {
    if (opened.pgSchema) await sql`drop schema if exists ${sql.id(opened.pgSchema)} cascade`.execute(db);
    await db.destroy();
    if (opened.dataDir) rmSync(opened.dataDir, { recursive: true, force: true });
  });

  async function plan(query: CompiledQuery): Promise<string> {
    if (dialect === 'sqlite') {
      const { rows } = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${query.sql}`, [...query.parameters]));
      return rows.map((r) => r.detail).join(' | ');
    }
    return db.transaction().execute(async (trx) => {
      for (const setting of ['enable_seqscan', 'enable_bitmapscan', 'enable_sort']) await sql`select set_config(${setting}, 'off', true)`.execute(trx);
      const { rows } = await trx.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`EXPLAIN ${query.sql}`, [...query.parameters]));
      return rows.map((r) => r['QUERY PLAN'].trim()).join(' | ');
    });
  }

  function expectIndexed(text: string, table: string): void {
    if (dialect === 'sqlite') {
      expect(text).not.toMatch(/TEMP B-TREE/);
      expect(text).not.toMatch(new RegExp(`SCAN ${table}(?! USING)`));
      expect(text).toMatch(new RegExp(`${table} USING (COVERING )?INDEX`));
    } else {
      expect(text).not.toMatch(/Sort|Seq Scan/);
      expect(text).toMatch(/Index Scan/);
    }
  }

  it.each(RUN_FILTERS)('runs by %s', async (_, filter) => {
    for (const f of [filter, { ...filter, after }]) expectIndexed(await plan(runsPageQuery(db, f, 50).compile()), 'runs');
  });

  it.each(INBOX_FILTERS)('the inbox, %s', async (_, query) => {
    for (const q of [query, { ...query, cursor: cursorOf(after.createdAt, 'a') }]) expectIndexed(await plan(inboxQuery(db, q, 100).compile()), 'approvals');
  });
});

describe.each([
  ['sqlite', false],
  ['postgres', true],
])('the Runs page and the inbox over HTTP on %s', (_, postgres) => {
  let h: Awaited<ReturnType<typeof apiHarness>>;
  beforeAll(async () => {
    h = await apiHarness({ postgres });
  });
  afterAll(async () => {
    await h.close();
  });

  it('refuses bad parameters with a 400 naming each', async () => {
    const cases: Array<[string, string, string]> = [
      ['/api/runs?status=waiting,bogus', 'invalid_request', 'query.status'],
      ['/api/runs?from=yesterday', 'invalid_request', 'query.from'],
      ['/api/runs?to=2031-02-30T25:00', 'invalid_request', 'query.to'],
      ['/api/runs?limit=0', 'invalid_request', 'query.limit'],
      ['/api/runs?cursor=bm9wZQ', 'invalid_cursor', 'query.cursor'],
      ['/api/approvals?status=maybe', 'invalid_request', 'query.status'],
      ['/api/approvals?kind=poll', 'invalid_request', 'query.kind'],
      ['/api/approvals?cursor=bm9wZQ', 'invalid_cursor', 'query.cursor'],
    ];
    for (const [path, code, field] of cases) {
      const res = await h.call<Problems>('GET', path);
      expect(res.status, path).toBe(400);
      expect(res.body.error.code, path).toBe(code);
      expect(res.body.error.details?.problems.map((p) => p.path), path).toContain(field);
    }
    const unknown = await h.call<Problems>('GET', '/api/runs?status=bogus');
    expect(unknown.body.error.message).toMatch(/status.*unknown status "bogus".*known: queued/);
  });

  it('streams status changes across flows, resumable with Last-Event-ID, and lists, answers and counts the inbox by name', async () => {
    await h.call('POST', '/api/flows', approvalFlow('refunds'));
    const stream = await h.app.request('/api/runs/changes', { headers: { Accept: 'text/event-stream' } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (done: (events: ReturnType<typeof parseSse>) => boolean) => {
      const deadline = Date.now() + 5000;
      while (!done(parseSse(text))) {
        if (Date.now() > deadline) throw new Error(`the stream said only: ${text}`);
        const { value } = await reader.read();
        text += decoder.decode(value, { stream: true });
      }
      return parseSse(text);
    };
    const [ready] = await until((events) => events.some((e) => e.event === 'ready'));

    const started = await h.call<Body>('POST', '/api/flows/refunds/runs', { input: { amount: 30 } });
    const runId = String(started.body.id);
    const events = await until((all) => all.some((e) => e.event === 'run' && JSON.parse(e.data).status === 'waiting'));
    const changes = events.filter((e) => e.event === 'run').map((e): Body & { eventId: string } => ({ ...(JSON.parse(e.data) as Body), eventId: e.id! }));
    expect(changes.every((c) => c.id === runId && c.flowId === 'refunds' && typeof c.updatedAt === 'string')).toBe(true);
    expect(changes.map((c) => c.status).at(-1)).toBe('waiting');
    await reader.cancel();

    // A reconnect from the `ready` id gets every change since; an id from another process life is told to reload.
    const resumed = await readFor(h.app, '/api/runs/changes', { 'Last-Event-ID': ready!.id! }, (all) => all.filter((e) => e.event === 'run').length >= changes.length);
    expect(resumed.filter((e) => e.event === 'run').map((e) => e.id)).toEqual(changes.map((c) => c.eventId));
    expect(resumed.filter((e) => e.event === 'run').map((e) => JSON.parse(e.data).id)).toContain(runId);
    const stale = await readFor(h.app, '/api/runs/changes?after=deadbeef.12', {}, (all) => all.length > 0);
    expect(stale[0]?.event).toBe('reset');

    // The run is on the Runs page, filtered, and in the inbox with its flow's name.
    const waiting = await h.call<{ items: Body[] }>('GET', '/api/runs?flowId=refunds&status=waiting,failed');
    expect(waiting.body.items.map((r) => r.id)).toEqual([runId]);
    expect((await h.call('GET', '/api/approvals/count')).body).toEqual({ pending: 1, runsWaiting: 1 });
    const inbox = await h.call<{ items: Body[] }>('GET', '/api/approvals');
    expect(inbox.body.items).toEqual([expect.objectContaining({ runId, flowId: 'refunds', flowName: 'Needs approval', nodeId: 'ok', kind: 'approval', message: 'Refund 30?', status: 'pending' })]);

    const id = String(inbox.body.items[0]!.id);
    expect((await h.call('POST', `/api/approvals/${id}`, { decision: 'reject', comment: 'too much', by: 'Ada Lovelace' })).status).toBe(200);
    const history = await h.call<{ items: Body[] }>('GET', '/api/approvals?status=decided&flowId=refunds');
    expect(history.body.items).toEqual([expect.objectContaining({ id, status: 'rejected', decidedBy: 'Ada Lovelace', comment: 'too much', decidedAt: expect.any(String) })]);
    expect((await h.call('GET', '/api/approvals?kind=question&status=any')).body).toEqual({ items: [] });
    expect((await h.call('GET', '/api/approvals/count')).body).toEqual({ pending: 0, runsWaiting: 0 });
  });
});

/** Reads an SSE response until `done` holds for its events, then hangs up. */
async function readFor(app: { request: (path: string, init: RequestInit) => Response | Promise<Response> }, path: string, headers: Record<string, string>, done: (events: ReturnType<typeof parseSse>) => boolean) {
  const res = await app.request(path, { headers: { Accept: 'text/event-stream', ...headers } });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + 5000;
  try {
    while (!done(parseSse(text))) {
      if (Date.now() > deadline) throw new Error(`the stream said only: ${text}`);
      const { value } = await reader.read();
      text += decoder.decode(value, { stream: true });
    }
    return parseSse(text);
  } finally {
    await reader.cancel();
  }
}

describe('the change feed', () => {
  it('keeps the last changes for a reconnect, and says reset past them or for another process life', () => {
    const feed = new RunChangeFeed();
    const start = feed.head;
    const change = (n: number) => ({ id: `run-${n}`, flowId: 'f', status: 'running' as const, updatedAt: new Date(n).toISOString() });
    feed.publish(change(1));
    expect(feed.after(start)).toMatchObject({ reset: false, changes: [{ id: `${feed.epoch}.1`, change: change(1) }] });
    for (let n = 2; n <= RUN_CHANGES_KEPT + 5; n++) feed.publish(change(n));
    expect(feed.after(start)).toMatchObject({ reset: true });
    const recent = feed.after(`${feed.epoch}.${RUN_CHANGES_KEPT}`);
    expect(recent.reset).toBe(false);
    expect(recent.changes.map((c) => c.change.id)).toEqual([1, 2, 3, 4, 5].map((k) => `run-${RUN_CHANGES_KEPT + k}`));
    expect(feed.after(feed.head)).toMatchObject({ reset: false, changes: [] });
    expect(feed.after('other.3').reset).toBe(true);
    expect(feed.after(`${feed.epoch}.999999999`).reset).toBe(true);
  });

  it(`serves at most ${RUN_CHANGE_STREAMS_MAX} streams at once, then 429 until one closes`, async () => {
    const h = await apiHarness();
    try {
      const open = await Promise.all(Array.from({ length: RUN_CHANGE_STREAMS_MAX }, () => h.app.request('/api/runs/changes', { headers: { Accept: 'text/event-stream' } })));
      const readers = open.map((res) => res.body!.getReader());
      await Promise.all(readers.map((r) => r.read())); // each has said `ready`
      const refused = await h.call<Problems>('GET', '/api/runs/changes');
      expect(refused.status).toBe(429);
      expect(refused.body.error.code).toBe('rate_limited');
      expect(refused.headers.get('Retry-After')).toBe('5');
      await readers[0]!.cancel();
      await new Promise((r) => setTimeout(r, 20));
      const again = await readFor(h.app, '/api/runs/changes', {}, (events) => events.some((e) => e.event === 'ready'));
      expect(again[0]?.event).toBe('ready');
      await Promise.all(readers.slice(1).map((r) => r.cancel()));
    } finally {
      await h.close();
    }
  });
});
