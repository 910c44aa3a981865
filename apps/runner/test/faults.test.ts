import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createModelResolver } from '@trellis/nodes/server';
import type { Commit } from '../src/engine/checkpoint.js';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { installSafetyNet } from '../src/server/serve.js';
import { RunService, type RunServiceOptions } from '../src/server/service.js';
import { queueSchemaOf } from '../src/server/run-queue.js';
import { openDatabase, openStore } from '../src/store/db.js';
import type { Store } from '../src/store/types.js';
import { TEST_PG_URL } from './support/api.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

/** input → three prompts in a chain → output; each prompt's mock reply takes `delayMs`. */
function chain(id: string, delayMs: number) {
  const steps = ['s1', 's2', 's3'];
  return {
    flow: {
      schema: 'trellis.flow/v1',
      id,
      name: 'Chain',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        ...steps.map((s) => ({ id: s, type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:m', prompt: { template: `step ${s}` } } })),
        { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: { last: '{{ nodes.s3.output }}' } } },
      ],
      edges: ['in', ...steps].map((source, i) => ({ id: `e${i}`, source, sourceHandle: 'out', target: [...steps, 'out'][i], targetHandle: 'in' })),
    },
    mocks: Object.fromEntries(steps.map((s) => [s, { text: `done ${s}`, delayMs }])),
  };
}

/** A logger whose lines are kept, parsed. */
function keptLog() {
  const lines: Body[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Body);
        done();
      },
    }),
  );
  return { log, lines };
}

/** The runner's app and run service over a store, with the log kept as parsed lines. */
async function serving(store: Store, options: Pick<RunServiceOptions, 'storeRetry' | 'queue'> = {}) {
  const { log, lines } = keptLog();
  const service = new RunService({ store, log, models: createModelResolver({ fallbackToTest: true, env: {} }), sweepIntervalMs: 50, ...options });
  await service.start();
  const app = createApp({ store, service, log, bodyLimitBytes: 64 * 1024, syncTimeoutMs: 10_000 });
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
    const res = await app.request(path, { method, ...(body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Body };
  }
  async function until(runId: string, statuses: string[], ms = 20_000): Promise<Body> {
    const end = Date.now() + ms;
    for (;;) {
      const { status, body } = await call('GET', `/api/runs/${runId}`);
      if (status === 200 && statuses.includes(body.status)) return body;
      if (Date.now() > end) throw new Error(`run ${runId} is ${String(body.status)}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return { service, call, until, lines, close: () => service.shutdown(1000) };
}

const contiguous = (events: Body[]) => events.map((e) => e.seq).every((seq, i) => seq === i + 1);

describe('faults: a database connection ended by PostgreSQL', () => {
  it('keeps serving while the backends are terminated mid-run, and the runs finish', async () => {
    const schema = `trellis_faults_${randomBytes(6).toString('hex')}`;
    const broken: Error[] = [];
    const store = await openStore({ databaseUrl: TEST_PG_URL, pgSchema: schema, onConnectionError: (e) => broken.push(e) });
    const admin = await openDatabase({ databaseUrl: TEST_PG_URL });
    const runner = await serving(store);
    try {
      const { flow, mocks } = chain('pg-chain', 150);
      expect((await runner.call('POST', '/api/flows', flow)).status).toBe(201);
      const runIds: string[] = [];
      for (let i = 0; i < 3; i++) runIds.push((await runner.call('POST', '/api/flows/pg-chain/runs', { input: { i }, mocks })).body.id as string);

      // Every connection of the runner's pool is ended, again and again, while the runs go on.
      let terminated = 0;
      for (let round = 0; round < 15; round++) {
        const result = await sql<{ ended: boolean }>`select pg_terminate_backend(pid) as ended from pg_stat_activity where application_name = ${`trellis:${schema}`}`.execute(admin.db);
        terminated += result.rows.filter((r) => r.ended).length;
        await new Promise((r) => setTimeout(r, 40));
      }
      expect(terminated).toBeGreaterThan(0);

      for (const runId of runIds) {
        const run = await runner.until(runId, ['succeeded', 'failed']);
        expect(run.status).toBe('succeeded');
        expect(run.output).toEqual({ last: 'done s3' });
        const events = (await runner.call('GET', `/api/runs/${runId}/events?limit=1000`)).body.items as Body[];
        expect(contiguous(events)).toBe(true);
        expect(events.at(-1)?.type).toBe('run.completed');
      }
      // Still serving: a new run starts and finishes.
      const after = (await runner.call('POST', '/api/flows/pg-chain/runs', { input: {}, mocks: chain('x', 0).mocks })).body.id as string;
      expect((await runner.until(after, ['succeeded', 'failed'])).status).toBe('succeeded');
    } finally {
      await runner.close();
      await store.close();
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
      await admin.db.destroy();
    }
  }, 60_000);
  it('goes on taking runs from the run queue while every connection of the runners and the queue is ended', async () => {
    const schema = `trellis_faults_${randomBytes(6).toString('hex')}`;
    const queueSchema = queueSchemaOf(schema);
    const admin = await openDatabase({ databaseUrl: TEST_PG_URL });
    // A front that queues every run (no room of its own) and a worker that takes two at a time.
    const frontStore = await openStore({ databaseUrl: TEST_PG_URL, pgSchema: schema, onConnectionError: () => undefined });
    const workerStore = await openStore({ databaseUrl: TEST_PG_URL, pgSchema: schema, onConnectionError: () => undefined });
    const front = await serving(frontStore, { queue: { url: TEST_PG_URL, maxRuns: 0 } });
    const worker = await serving(workerStore, { queue: { url: TEST_PG_URL, maxRuns: 2 } });
    try {
      const { flow, mocks } = chain('queued-chain', 120);
      expect((await front.call('POST', '/api/flows', flow)).status).toBe(201);
      const runIds: string[] = [];
      for (let i = 0; i < 8; i++) runIds.push((await front.service.queueRun('queued-chain', { input: { i }, mocks })).runId);

      // While the worker is mid-way through the first runs and the others wait in the queue, the
      // database ends every connection of both runners and of their queue, again and again.
      let terminated = 0;
      let queueEnded = 0;
      for (let round = 0; round < 12; round++) {
        const result = await sql<{ ended: boolean; app: string }>`select pg_terminate_backend(pid) as ended, application_name as app from pg_stat_activity where application_name in (${`trellis:${schema}`}, ${`trellis-queue:${queueSchema}`.slice(0, 63)})`.execute(admin.db);
        terminated += result.rows.filter((r) => r.ended).length;
        queueEnded += result.rows.filter((r) => r.ended && r.app.startsWith('trellis-queue:')).length;
        await new Promise((r) => setTimeout(r, 60));
      }
      expect(terminated).toBeGreaterThan(0);
      expect(queueEnded).toBeGreaterThan(0);

      for (const runId of runIds) {
        const run = await front.until(runId, ['succeeded', 'failed', 'cancelled'], 45_000);
        expect(run.status).toBe('succeeded');
        expect(run.output).toEqual({ last: 'done s3' });
        const events = (await front.call('GET', `/api/runs/${runId}/events?limit=1000`)).body.items as Body[];
        expect(contiguous(events)).toBe(true);
        // Started once, each step completed once: a job handed out again never ran its run twice.
        expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
        const completed = events.filter((e) => e.type === 'node.completed').map((e) => e.nodeId as string);
        expect(completed).toEqual(['in', 's1', 's2', 's3', 'out']);
      }
      // The queue still works: a run queued now is taken and finishes.
      const after = (await front.service.queueRun('queued-chain', { input: {}, mocks: chain('x', 0).mocks })).runId;
      expect((await front.until(after, ['succeeded', 'failed'], 20_000)).status).toBe('succeeded');
    } finally {
      await worker.close();
      await front.close();
      await workerStore.close();
      await frontStore.close();
      await sql`drop schema if exists ${sql.id(schema)}, ${sql.id(queueSchema)} cascade`.execute(admin.db);
      await admin.db.destroy();
    }
  }, 90_000);
});

describe('faults: a database that refuses writes for a while', () => {
  it('pauses the run, logs it with its run id, keeps serving, and resumes it when the database is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trellis-faults-'));
    const inner = await openStore({ dataDir: dir });
    let down = false;
    const refused: string[] = [];
    // The store as the runner sees it: while `down`, every checkpoint write fails as with a lost connection.
    const store = new Proxy(inner, {
      get(target, property, receiver) {
        if (property === 'commit') {
          return (runId: string, commit: Commit) => {
            if (down || commit.events.some((e) => e.type === 'node.started' && e.nodeId === 's2' && !refused.includes(runId))) {
              down = true;
              refused.push(runId);
              return Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
            }
            return target.commit(runId, commit);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const runner = await serving(store, { storeRetry: { retries: 2, backoffMs: 10 } });
    try {
      const { flow, mocks } = chain('flaky', 20);
      expect((await runner.call('POST', '/api/flows', flow)).status).toBe(201);
      const runId = (await runner.call('POST', '/api/flows/flaky/runs', { input: {}, mocks })).body.id as string;

      // The run pauses: the log says why, naming the run; the runner still answers.
      const deadline = Date.now() + 10_000;
      while (!runner.lines.some((l) => l.runId === runId && /run paused/.test(l.msg))) {
        if (Date.now() > deadline) throw new Error('the run never paused');
        await new Promise((r) => setTimeout(r, 20));
      }
      // Two retries, then the pause (the sweeper may already be trying again after it on a slow machine).
      const paused = runner.lines.findIndex((l) => l.runId === runId && /run paused/.test(l.msg));
      expect(runner.lines.slice(0, paused).filter((l) => l.runId === runId && l.msg === 'could not save the run; trying again')).toHaveLength(2);
      expect(runner.lines.some((l) => l.runId === runId && l.level >= 50 && /resumes from its last checkpoint once the database is back/.test(l.msg))).toBe(true);
      expect((await runner.call('GET', `/api/runs/${runId}`)).body.status).toBe('running');
      expect((await runner.call('GET', '/api/flows')).status).toBe(200);

      down = false; // the database is back: the sweeper resumes the run
      const run = await runner.until(runId, ['succeeded', 'failed']);
      expect(run.status).toBe('succeeded');
      expect(run.output).toEqual({ last: 'done s3' });
      const events = (await runner.call('GET', `/api/runs/${runId}/events?limit=1000`)).body.items as Body[];
      expect(contiguous(events)).toBe(true);
      expect(events.filter((e) => e.type === 'run.resumed').map((e) => e.data.reason)).toEqual(['recovered']);
    } finally {
      await runner.close();
      await inner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('faults: the process-wide safety net', () => {
  it('logs an unhandled rejection with its run id and lets the process go on', () => {
    const { log, lines } = keptLog();
    const processLike = new EventEmitter();
    const remove = installSafetyNet(log, processLike);
    processLike.emit('unhandledRejection', Object.assign(new Error('a step broke'), { runId: 'run-1' }), Promise.resolve());
    processLike.emit('unhandledRejection', new Error('run 0192f0a4-5b7c-7d3e-8f00-123456789abc: could not save'), Promise.resolve());
    processLike.emit('unhandledRejection', 'no error at all', Promise.resolve());
    remove();
    expect(processLike.listenerCount('unhandledRejection')).toBe(0);
    log.flush();
    expect(lines.map((l) => [l.level, l.runId, l.msg])).toEqual([
      [50, 'run-1', 'unhandled rejection (a bug): logged, and the runner goes on'],
      [50, '0192f0a4-5b7c-7d3e-8f00-123456789abc', 'unhandled rejection (a bug): logged, and the runner goes on'],
      [50, undefined, 'unhandled rejection (a bug): logged, and the runner goes on'],
    ]);
  });
});
