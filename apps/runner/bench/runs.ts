import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import type { Flow, RunStatus } from '@trellis/schema';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { RunService } from '../src/server/service.js';
import { openDatabase, openStore, type StoreOptions } from '../src/store/db.js';
import { ROWS_PER_STATEMENT, Statements, run, writeTransaction, type Dialect } from '../src/store/statements.js';
import type { Database } from '../src/store/tables.js';

/**
 * The Runs page and the inbox with many stored runs: a fresh database filled with BENCH_RUNS
 * (default 100,000) runs of 20 flows (statuses, published slugs, sub-flow children and dates
 * spread over 90 days) and their approvals, then the first page of GET /api/runs, unfiltered and
 * with each filter, timed through the runner's app (median and slowest of BENCH_REQUESTS, default 21).
 * Once on SQLite, once on PostgreSQL (a schema of its own, dropped after).
 *
 * BENCH_RUNS, BENCH_REQUESTS, BENCH_STORES (sqlite,postgres), BENCH_PG_URL (default postgres://127.0.0.1:5432/test).
 */

const RUNS = Number(process.env.BENCH_RUNS ?? 100_000);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 21);
const FLOWS = 20;
const PG_URL = process.env.BENCH_PG_URL ?? `postgres://${encodeURIComponent(process.env.PGUSER ?? userInfo().username)}@127.0.0.1:5432/test`;
const DAY = 86_400_000;
const END = Date.parse('2026-12-01T00:00:00.000Z');
const START = END - 90 * DAY;

const fixture = JSON.parse(readFileSync(new URL('../test/fixtures/four-node.flow.json', import.meta.url), 'utf8')) as Flow;

/** A seeded generator (mulberry32): the same data every time. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A status by weight: most runs end well; a few wait for a person. */
function statusOf(r: number): RunStatus {
  return r < 0.68 ? 'succeeded' : r < 0.83 ? 'failed' : r < 0.89 ? 'waiting' : r < 0.92 ? 'running' : r < 0.94 ? 'queued' : 'cancelled';
}

/** Fills the database through the store's own bulk statements, 10,000 runs a transaction. */
async function fill(db: Kysely<Database>, dialect: Dialect): Promise<{ ids: string[]; parent: string }> {
  const statements = new Statements(dialect);
  const ids: string[] = [];
  const usage = JSON.stringify({ inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 });
  const parent = randomUUID();
  const rows: unknown[][] = [];
  const next = random(13);
  for (let i = 0; i < RUNS; i++) {
    const id = i === 0 ? parent : randomUUID();
    ids.push(id);
    const flow = Math.floor(next() * FLOWS);
    const status = statusOf(next());
    const createdAt = new Date(START + Math.floor((i / RUNS) * 90 * DAY)).toISOString();
    // Flows 0..9 are published: a third of their runs came through the endpoint.
    const slug = flow < 10 && next() < 0.33 ? `slug-${flow}` : null;
    // One run in 20 is a sub-flow child; a hundred of them are children of the same run.
    const child = i % 20 === 10 ? (i % 1000 === 10 ? parent : ids[i - 5]!) : null;
    const ended = ['succeeded', 'failed', 'cancelled'].includes(status);
    rows.push([
      id, `flow-${flow}`, 1, status, '{"n":21}', ended ? '{"result":42}' : null, status === 'failed' ? '{"code":"x","message":"failed"}' : null, usage, 0, 0, null, null,
      JSON.stringify(slug ? { source: 'endpoint', slug } : { source: 'api' }), slug, null, null,
      child ? JSON.stringify({ runId: child, nodeId: 'sub', depth: 2 }) : null, child, null, createdAt, createdAt, ended ? createdAt : null,
      // No runner holds them (lease owner and expiry): a runner started on this database takes over the unfinished ones.
      null, null,
    ]);
  }
  for (let start = 0; start < rows.length; start += 10_000) {
    const batch = rows.slice(start, start + 10_000);
    await writeTransaction(db, dialect, async (trx) => {
      for (let k = 0; k < batch.length; k += ROWS_PER_STATEMENT) {
        const chunk = batch.slice(k, k + ROWS_PER_STATEMENT);
        await run(trx, statements.insertRuns(chunk.length), chunk.flat());
      }
    });
  }
  // Every waiting run waits on a person; the history has a decision for one run in ten of the rest.
  const approvals = rows.flatMap((row, i) => {
    const status = row[3] as RunStatus;
    if (status !== 'waiting' && i % 10 !== 0) return [];
    const decided = status !== 'waiting';
    const at = row[19] as string;
    return [{
      id: randomUUID(), run_id: row[0] as string, flow_id: row[1] as string, node_id: 'ok', wait_id: 'w1', kind: (['approval', 'question', 'tool_approval'] as const)[i % 3]!,
      message: 'Refund 21?', payload: null, answer_schema: null, deadline: null, status: decided ? (i % 20 ? 'approved' : 'rejected') as 'approved' : 'pending' as const,
      created_at: at, decided_at: decided ? at : null, decided_by: decided ? 'Ada' : null, comment: null, edited_payload: null,
    }];
  });
  await writeTransaction(db, dialect, async (trx) => {
    for (let k = 0; k < approvals.length; k += ROWS_PER_STATEMENT) await trx.insertInto('approvals').values(approvals.slice(k, k + ROWS_PER_STATEMENT)).execute();
  });
  if (dialect === 'postgres') await sql`analyze`.execute(db); // as autovacuum would, soon after such a load
  return { ids, parent };
}

/**
 * A fresh store filled as this bench fills it: the flows, saved and published as the API does, then
 * the runs in bulk. With `endLive`, the runs left queued or running are marked cancelled, so a
 * runner started on the store (the editor's bench) has nothing to resume.
 */
export async function seedRuns(options: StoreOptions, { endLive = false } = {}): Promise<{ parent: string; fillMs: number }> {
  const setup = await openStore(options);
  for (let f = 0; f < FLOWS; f++) {
    await setup.saveFlow({ ...fixture, id: `flow-${f}`, name: `Flow ${f}` });
    if (f < 10) await setup.publish({ slug: `slug-${f}`, flowId: `flow-${f}`, version: 1 });
  }
  await setup.close();
  const opened = await openDatabase(options);
  const began = performance.now();
  const { parent } = await fill(opened.db, opened.dialect);
  const fillMs = performance.now() - began;
  if (endLive) await opened.db.updateTable('runs').set({ status: 'cancelled' }).where('status', 'in', ['queued', 'running']).execute();
  await opened.db.destroy();
  return { parent, fillMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function benchStore(name: string, options: StoreOptions, cleanup: () => Promise<void>): Promise<void> {
  try {
    const { parent, fillMs } = await seedRuns(options);

    const store = await openStore(options);
    const log = createLogger('warn', new Writable({ write: (_chunk, _encoding, done) => done() }));
    const service = new RunService({ store, log });
    const app = createApp({ store, service, log, bodyLimitBytes: 64 * 1024, syncTimeoutMs: 10_000 });
    try {
      const second = ((await (await app.request('/api/runs')).json()) as { nextCursor: string }).nextCursor;
      const cases: Array<[string, string]> = [
        ['runs, no filter', '/api/runs'],
        ['runs, next page', `/api/runs?cursor=${second}`],
        ['runs, flowId', '/api/runs?flowId=flow-7'],
        ['runs, status=waiting', '/api/runs?status=waiting'],
        ['runs, status=waiting,failed', '/api/runs?status=waiting,failed'],
        ['runs, slug', '/api/runs?slug=slug-3'],
        ['runs, from/to (one week)', '/api/runs?from=2026-10-01&to=2026-10-08'],
        ['runs, parentRunId', `/api/runs?parentRunId=${parent}`],
        ['runs, flowId+status=queued', '/api/runs?flowId=flow-4&status=queued'],
        ['runs, slug+status+from', '/api/runs?slug=slug-2&status=failed,cancelled&from=2026-11-01'],
        ['runs, limit=200', '/api/runs?limit=200'],
        ['inbox, pending', '/api/approvals'],
        ['inbox, decided (history)', '/api/approvals?status=decided'],
        ['inbox, flowId+kind', '/api/approvals?status=any&flowId=flow-3&kind=question'],
        ['inbox, count', '/api/approvals/count'],
      ];
      process.stdout.write(`runs ${name}: ${RUNS} runs filled in ${(fillMs / 1000).toFixed(1)} s; first page, median / slowest of ${REQUESTS} requests:\n`);
      for (const [label, path] of cases) {
        const times: number[] = [];
        let shown = 0;
        for (let k = 0; k < REQUESTS; k++) {
          const t = performance.now();
          const res = await app.request(path);
          const body = (await res.json()) as { items?: unknown[]; pending?: number };
          times.push(performance.now() - t);
          if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(body)}`);
          shown = body.items?.length ?? body.pending ?? 0;
        }
        process.stdout.write(`  ${label.padEnd(32)} ${median(times).toFixed(1).padStart(7)} ms ${Math.max(...times).toFixed(1).padStart(7)} ms   (${shown} ${path.includes('count') ? 'pending' : 'items'})\n`);
      }
    } finally {
      await service.shutdown(1000);
      await store.close();
    }
  } finally {
    await cleanup();
  }
}

export async function benchRuns(): Promise<void> {
  const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
  process.stdout.write(`the Runs page and the inbox, ${RUNS} runs of ${FLOWS} flows, node ${process.version}\n`);
  if (stores.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-runs-'));
    await benchStore('sqlite', { dataDir: dir }, async () => rmSync(dir, { recursive: true, force: true }));
  }
  if (stores.includes('postgres')) {
    // A schema of its own: openStore keeps Kysely's migration tables in it too.
    const schema = `trellis_bench_runs_${process.pid}`;
    await benchStore('postgres', { databaseUrl: PG_URL, pgSchema: schema }, async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    });
  }
}
