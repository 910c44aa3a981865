import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { startRunnerProcess } from '@trellis/test-support/runner-process';
import { queueSchemaOf } from '../src/server/run-queue.js';

/**
 * Published-endpoint throughput: the runner as its own process, a four-node flow with no model
 * (input, condition, transform, output) whose whole trace is stored, driven by autocannon with
 * 50 connections on loopback. Once on SQLite, once on PostgreSQL; and first a bare Hono server
 * answering the same JSON (bare-hono.mjs), the ceiling of this machine's HTTP stack, against
 * which each store's rate is printed as a share.
 *
 * BENCH_DURATION (seconds, default 20), BENCH_CONNECTIONS (default 50), BENCH_STORES (sqlite,postgres),
 * BENCH_PG_URL (default postgres://127.0.0.1:5432/test), LOG_LEVEL (default info, as served).
 */

const DURATION = Number(process.env.BENCH_DURATION ?? 20);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PG_URL = process.env.BENCH_PG_URL ?? `postgres://${encodeURIComponent(process.env.PGUSER ?? userInfo().username)}@127.0.0.1:5432/test`;

const flow = { ...(JSON.parse(readFileSync(new URL('../test/fixtures/four-node.flow.json', import.meta.url), 'utf8')) as object), id: 'bench-four', name: 'Bench: four nodes' };

async function api(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** Peak resident set size of a process so far (Linux), in MB. */
function peakRssMb(pid: number): number {
  const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmHWM:\s+(\d+) kB/);
  return match ? Number(match[1]) / 1024 : NaN;
}

function load(url: string, secret: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/v1/flows/bench`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ n: 21 }),
  });
}

/** The bare Hono server's rate: requests a second, measured as the runner's are (warm-up, then DURATION). */
async function benchBareHono(): Promise<number> {
  const child = spawn(process.execPath, [new URL('./bare-hono.mjs', import.meta.url).pathname], { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        const match = /listening on (\S+)/.exec(stderr);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`the bare Hono server exited with ${code}: ${stderr}`)));
    });
    await load(url, 'bare', 3);
    const result = await load(url, 'bare', DURATION);
    const rss = peakRssMb(child.pid!);
    process.stdout.write(`http ${'bare hono'.padEnd(9)} ${result.requests.average.toFixed(0).padStart(6)} req/s   p50 ${result.latency.p50.toFixed(1)} ms   p99 ${result.latency.p99.toFixed(1)} ms   errors ${result.errors + result.timeouts + result.non2xx}   peak RSS ${rss.toFixed(0)} MB   (no flow, store or log: the ceiling)\n`);
    return result.requests.average;
  } finally {
    child.kill('SIGTERM');
  }
}

async function benchStore(name: string, env: NodeJS.ProcessEnv, cleanup: () => Promise<void>, bare: number): Promise<void> {
  // Logging as served (info), unless LOG_LEVEL says otherwise. A runner that does not start still
  // has its data (a PostgreSQL schema) removed.
  const started = await startRunnerProcess({ LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...env }, ['--no-examples']).catch(async (error: unknown) => {
    await cleanup();
    throw error;
  });
  const { child, url, exited } = started;
  try {
    await api(url, 'POST', '/api/flows', flow);
    await api(url, 'POST', '/api/flows/bench-four/publish', { slug: 'bench' });
    const { secret } = (await api(url, 'POST', '/api/keys', { name: 'bench', rateLimit: null })) as { secret: string };
    // A check that the endpoint answers what it should before it is measured.
    const probe = await fetch(`${url}/v1/flows/bench`, { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: '{"n":21}' });
    const answer = (await probe.json()) as { output?: { result?: number } };
    if (answer.output?.result !== 42) throw new Error(`the endpoint answered ${JSON.stringify(answer)}`);
    await load(url, secret, 3); // warm-up: JIT, caches, connections
    const result = await load(url, secret, DURATION);
    const rss = peakRssMb(child.pid!);
    // The trace of a finished run, to show it was stored whole (the newest runs may still be going).
    const runs = (await api(url, 'GET', '/api/runs?slug=bench&status=succeeded&limit=1')) as { items: Array<{ id: string }> };
    const trace = (await api(url, 'GET', `/api/runs/${runs.items[0]!.id}/events`)) as { items: Array<{ type: string }> };
    const errors = result.errors + result.timeouts + result.non2xx;
    process.stdout.write(
      `http ${name.padEnd(9)} ${result.requests.average.toFixed(0).padStart(6)} req/s (${((100 * result.requests.average) / bare).toFixed(1)} % of bare Hono)   p50 ${result.latency.p50.toFixed(1)} ms   p99 ${result.latency.p99.toFixed(1)} ms   ` +
        `errors ${errors}   requests ${result.requests.total}   peak RSS ${rss.toFixed(0)} MB   (a run's trace: ${trace.items.length} events stored)\n`,
    );
  } finally {
    child.kill('SIGTERM');
    await exited;
    await cleanup();
  }
}

export async function benchHttp(): Promise<void> {
  const stores = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',');
  process.stdout.write(`published four-node flow, ${CONNECTIONS} connections, ${DURATION} s, node ${process.version}\n`);
  const bare = await benchBareHono();
  if (stores.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-bench-'));
    await benchStore('sqlite', { TRELLIS_DATA: dir, DATABASE_URL: '' }, async () => rmSync(dir, { recursive: true, force: true }), bare);
  }
  if (stores.includes('postgres')) {
    const schema = `trellis_bench_${process.pid}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    const url = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    await benchStore('postgres', { DATABASE_URL: url }, async () => {
      await client.query(`DROP SCHEMA IF EXISTS ${schema}, ${queueSchemaOf(schema)} CASCADE`);
      await client.end();
    }, bare);
  }
}
