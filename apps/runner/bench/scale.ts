import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { startRunnerProcess, startWorkerProcess, type RunnerProcess } from '@trellis/test-support/runner-process';
import { queueSchemaOf } from '../src/server/run-queue.js';

/**
 * Runners sharing one PostgreSQL database (a schema of the bench's own), on this machine's cores
 * with PostgreSQL: one, two and three `trellis serve` processes, the published four-node flow and
 * a ten-step flow driven by autocannon through all of them at once (the connections split evenly,
 * as a load balancer would). Prints runs/s and the time from a run's creation to its first event
 * (p50, p99), at full load and at half the peak rate; the same for async calls of the four-node
 * flow (started at once by the runner they reach while it has room), and again through the run
 * queue alone (one runner with TRELLIS_MAX_RUNS=0 answering, as many `trellis worker`s executing);
 * then the takeover time after a SIGKILL: from the kill until another runner resumes the dead one's runs.
 *
 * BENCH_DURATION (seconds per phase, default 10), BENCH_CONNECTIONS (default 48), BENCH_RUNNERS
 * (default 1,2,3), BENCH_PG_URL (default postgres://127.0.0.1:5432/test), TRELLIS_LEASE_MS (default 15000).
 */

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 48);
const RUNNER_COUNTS = (process.env.BENCH_RUNNERS ?? '1,2,3').split(',').map(Number);
const LEASE_MS = Number(process.env.TRELLIS_LEASE_MS ?? 15_000);
const PG_URL = process.env.BENCH_PG_URL ?? `postgres://${encodeURIComponent(process.env.PGUSER ?? userInfo().username)}@127.0.0.1:5432/test`;

const fourNode = { ...(JSON.parse(readFileSync(new URL('../test/fixtures/four-node.flow.json', import.meta.url), 'utf8')) as object), id: 'scale-four', name: 'Bench: four nodes' };

/** input → ten transforms in a chain → output. */
function tenSteps(id: string, slowMs = 0) {
  const steps = Array.from({ length: 10 }, (_, i) => `t${i + 1}`);
  const flow = {
    schema: 'trellis.flow/v1',
    id,
    name: `Bench: ten steps${slowMs ? ', slow' : ''}`,
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
      ...steps.map((s) =>
        slowMs
          ? { id: s, type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:slow', prompt: { template: `step ${s}` } } }
          : // Each step reads the run's input (`$` is the whole scope: every step's output would nest all earlier ones, doubling each step).
            { id: s, type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'transform', requiresApproval: false, expression: 'input' } },
      ),
      { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ input }}' } },
    ],
    edges: ['in', ...steps].map((source, i) => ({ id: `e${i}`, source, sourceHandle: 'out', target: [...steps, 'out'][i]!, targetHandle: 'in' })),
  };
  return { flow, mocks: Object.fromEntries(steps.map((s) => [s, { text: `done ${s}`, delayMs: slowMs }])) };
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, { method, headers: { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json)}`);
  return json;
}

/** The connections split over the runners; `rate`: requests per second in all (0: as fast as they go). */
async function drive(runners: Array<{ url: string }>, slug: string, secret: string, seconds: number, rate = 0): Promise<{ rps: number; errors: number; p50: number; p99: number }> {
  const results = await Promise.all(
    runners.map((r) =>
      autocannon({
        url: `${r.url}/v1/flows/${slug}`, // a slug may carry a query (?mode=async)
        method: 'POST',
        connections: Math.max(1, Math.floor(CONNECTIONS / runners.length)),
        duration: seconds,
        ...(rate ? { overallRate: Math.max(1, Math.round(rate / runners.length)) } : {}),
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ n: 21 }),
      }),
    ),
  );
  return {
    rps: results.reduce((sum, r) => sum + r.requests.total, 0) / seconds,
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts + r.non2xx, 0),
    // Each runner's own percentiles; the worst of them.
    p50: Math.max(...results.map((r) => r.latency.p50)),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

/** From each run's creation to its first stored event (run.started), for the runs created since `since`. */
async function startDelays(client: pg.Client, schema: string, since: string): Promise<{ p50: number; p99: number; runs: number }> {
  const { rows } = await client.query<{ created_at: string; ts: string }>(
    `SELECT r.created_at, e.ts FROM ${schema}.runs r JOIN ${schema}.run_events e ON e.run_id = r.id AND e.seq = 1 WHERE r.created_at > $1`,
    [since],
  );
  const delays = rows.map((r) => Date.parse(r.ts) - Date.parse(r.created_at)).sort((a, b) => a - b);
  return { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), runs: delays.length };
}

async function startRunners(count: number, databaseUrl: string): Promise<RunnerProcess[]> {
  const env = { DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', TRELLIS_LEASE_MS: String(LEASE_MS) };
  return Promise.all(Array.from({ length: count }, () => startRunnerProcess(env, ['--no-examples'])));
}

async function stopAll(runners: Array<Omit<RunnerProcess, 'url'>>): Promise<void> {
  await Promise.all(
    runners.map(async (r) => {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGTERM');
      await r.exited;
    }),
  );
}

/** Where a queued run's wait goes: creation → its job inserted → the job fetched by a runner (p50, p99, ms). */
async function queueStages(client: pg.Client, schema: string, since: string): Promise<string> {
  const { rows } = await client.query<{ created_at: string; inserted: Date; fetched: Date | null }>(
    `SELECT r.created_at, j.created_on AS inserted, j.started_on AS fetched FROM ${queueSchemaOf(schema)}.job j JOIN ${schema}.runs r ON r.id = j.data->>'runId' WHERE r.created_at > $1`,
    [since],
  );
  const stage = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return `p50 ${quantile(sorted, 0.5)} ms p99 ${quantile(sorted, 0.99)} ms`;
  };
  if (!rows.length) return '';
  const inserted = rows.map((r) => r.inserted.getTime() - Date.parse(r.created_at));
  const fetched = rows.filter((r) => r.fetched).map((r) => r.fetched!.getTime() - r.inserted.getTime());
  return `${rows.length} went through the queue: created→queued ${stage(inserted)}, queued→fetched ${stage(fetched)}`;
}

/** Waits (at most a minute) until no run of the schema is queued or running: the queue has drained. */
async function drained(client: pg.Client, schema: string): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.runs WHERE status IN ('queued', 'running')`);
    if (Number(rows[0]?.n) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the queued runs did not drain within a minute');
}

/**
 * Async calls of the four-node flow: the peak is what the runners finish per second with calls
 * coming as fast as they are answered (until no run is left queued or running); the latencies
 * are at half that rate, from each run's creation to its start, split at the queue when runs went through it.
 */
async function asyncPhase(client: pg.Client, schema: string, runners: Array<{ url: string }>, secret: string): Promise<string> {
  await drive(runners, 'scale-four?mode=async', secret, 2);
  await drained(client, schema);
  const peakFrom = Date.now();
  const burst = await drive(runners, 'scale-four?mode=async', secret, DURATION);
  await drained(client, schema);
  const peak = (burst.rps * DURATION) / ((Date.now() - peakFrom) / 1000);
  const from = new Date().toISOString();
  const half = await drive(runners, 'scale-four?mode=async', secret, DURATION, peak / 2);
  await drained(client, schema);
  const delays = await startDelays(client, schema, from);
  const stages = await queueStages(client, schema, from);
  return (
    `${peak.toFixed(0).padStart(5)} runs/s (errors ${burst.errors})   at half rate (${half.rps.toFixed(0)} runs/s): created→started p50 ${delays.p50} ms p99 ${delays.p99} ms (aim p99 < 50 ms)` +
    (stages ? `\n      (of ${delays.runs} runs ${stages})` : '')
  );
}

/** Kills one runner mid-way through slow runs and times until another resumes them. */
async function takeover(runners: RunnerProcess[]): Promise<number> {
  const [victim, survivor] = runners as [RunnerProcess, RunnerProcess];
  const { flow, mocks } = tenSteps('scale-slow', 300);
  await api(victim.url, 'POST', '/api/flows', flow);
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await api(victim.url, 'POST', '/api/flows/scale-slow/runs', { input: { i }, mocks })).id as string);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.exited;
  const deadline = killedAt + LEASE_MS * 3 + 30_000;
  const taken = new Map<string, number>();
  while (taken.size < ids.length && Date.now() < deadline) {
    for (const id of ids) {
      if (taken.has(id)) continue;
      const events = (await api(survivor.url, 'GET', `/api/runs/${id}/events?limit=5000`)) as { items: Array<{ type: string; ts: string; data: { reason?: string } }> };
      const resumed = events.items.find((e) => e.type === 'run.resumed' && e.data.reason === 'recovered');
      if (resumed) taken.set(id, Date.parse(resumed.ts));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (taken.size < ids.length) throw new Error(`only ${taken.size} of ${ids.length} runs were taken over`);
  return Math.max(...taken.values()) - killedAt;
}

export async function benchScale(): Promise<void> {
  const schema = `trellis_scale_${process.pid}`;
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  process.stdout.write(`scale: runners on one PostgreSQL, ${CONNECTIONS} connections split over them, ${DURATION} s a phase, lease ${LEASE_MS} ms, node ${process.version}\n`);
  try {
    for (const count of RUNNER_COUNTS) {
      await client.query(`DROP SCHEMA IF EXISTS ${schema}, ${queueSchemaOf(schema)} CASCADE`);
      await client.query(`CREATE SCHEMA ${schema}`);
      const databaseUrl = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
      // One runner migrates the fresh schema first; the others join it.
      const runners = [...(await startRunners(1, databaseUrl)), ...(count > 1 ? await startRunners(count - 1, databaseUrl) : [])];
      try {
        const first = runners[0]!.url;
        await api(first, 'POST', '/api/flows', fourNode);
        await api(first, 'POST', '/api/flows', tenSteps('scale-ten').flow);
        await api(first, 'POST', '/api/flows/scale-four/publish', { slug: 'scale-four' });
        await api(first, 'POST', '/api/flows/scale-ten/publish', { slug: 'scale-ten' });
        const { secret } = (await api(first, 'POST', '/api/keys', { name: 'bench', rateLimit: null })) as { secret: string };
        for (const slug of ['scale-four', 'scale-ten']) {
          await drive(runners, slug, secret, 2); // warm-up
          const fullFrom = new Date().toISOString();
          const full = await drive(runners, slug, secret, DURATION);
          const fullDelays = await startDelays(client, schema, fullFrom);
          const halfFrom = new Date().toISOString();
          const half = await drive(runners, slug, secret, DURATION, full.rps / 2);
          const halfDelays = await startDelays(client, schema, halfFrom);
          process.stdout.write(
            `  ${count} runner${count === 1 ? ' ' : 's'} ${slug.padEnd(10)} ${full.rps.toFixed(0).padStart(5)} runs/s (errors ${full.errors})   request p50 ${full.p50} ms p99 ${full.p99} ms, created→started p50 ${fullDelays.p50} ms p99 ${fullDelays.p99} ms\n` +
              `      at half rate (${half.rps.toFixed(0)} runs/s): request p50 ${half.p50} ms p99 ${half.p99} ms, created→started p50 ${halfDelays.p50} ms p99 ${halfDelays.p99} ms (aim p99 < 50 ms)\n`,
          );
        }
        // Async calls, started at once by the runner they reach while it has room (TRELLIS_MAX_RUNS).
        const eager = await asyncPhase(client, schema, runners, secret);
        process.stdout.write(`  ${count} runner${count === 1 ? ' ' : 's'} ${'async four'.padEnd(10)} ${eager}\n`);
        if (count >= 2) {
          const ms = await takeover(runners);
          process.stdout.write(`  ${count} runners takeover after SIGKILL: ${ms} ms (aim < lease + 2 s = ${LEASE_MS + 2000} ms)\n`);
        }
      } finally {
        await stopAll(runners);
      }
      // Async calls through the queue: a runner that takes no runs answers HTTP, `count` workers execute.
      const front = await startRunnerProcess({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', TRELLIS_LEASE_MS: String(LEASE_MS), TRELLIS_MAX_RUNS: '0' }, ['--no-examples']);
      const workers = await Promise.all(Array.from({ length: count }, () => startWorkerProcess({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', TRELLIS_LEASE_MS: String(LEASE_MS) })));
      try {
        const { secret } = (await api(front.url, 'POST', '/api/keys', { name: 'bench queue', rateLimit: null })) as { secret: string };
        const queued = await asyncPhase(client, schema, [front], secret);
        process.stdout.write(`  1 front + ${count} worker${count === 1 ? ' ' : 's'} async four ${queued}\n`);
      } finally {
        await stopAll([front, ...workers]);
      }
    }
  } finally {
    await client.query(`DROP SCHEMA IF EXISTS ${schema}, ${queueSchemaOf(schema)} CASCADE`).catch(() => undefined);
    await client.end();
  }
}
