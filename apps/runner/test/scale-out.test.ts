import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/store/index.js';
import { approvalFlow, fourNodeFlow, parseSse } from './support/api.js';
import { startRunnerProcess, startWorkerProcess, type RunnerProcess } from '@trellis/test-support/runner-process';
import { type Body, call, completedOf, eventsOf, slowChain, until } from './support/process.js';
import { queueSchemaOf } from '../src/server/run-queue.js';

/*
 * Several `trellis serve` processes on one PostgreSQL database (a schema of their own), as an
 * operator scales out: each executes only the runs it holds a lease on.
 */


const PG_URL = process.env.TRELLIS_TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const SCHEMA = `trellis_scale_${process.pid}_${Date.now().toString(36)}`;
const DATABASE_URL = `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;
const LEASE_MS = 2000;

async function onDatabase(work: (db: Awaited<ReturnType<typeof openDatabase>>['db']) => Promise<unknown>): Promise<void> {
  const { db } = await openDatabase({ databaseUrl: PG_URL });
  try {
    await work(db);
  } finally {
    await db.destroy();
  }
}

const RUNNER_ENV = { DATABASE_URL, TRELLIS_LEASE_MS: String(LEASE_MS), TRELLIS_SHUTDOWN_TIMEOUT_MS: '5000' };
const startRunner = (env: NodeJS.ProcessEnv = {}) => startRunnerProcess({ ...RUNNER_ENV, ...env }, ['--no-examples']);

/** input → six slow prompts in a chain → output; each mock reply takes 500 ms. */
const chain = slowChain(6, 500);
const { mocks } = chain;

async function startRuns(url: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await call(url, 'POST', '/api/flows/slow-chain/runs', { input: { i }, mocks })).body.id as string);
  return ids;
}

async function finished(url: string, runId: string): Promise<Body> {
  return until(`run ${runId} to finish`, async () => {
    const { body } = await call(url, 'GET', `/api/runs/${runId}`);
    return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
  });
}

/** Every step of the chain completed exactly once, in order, and the seqs run 1..n with no gap. */
function expectWholeTrace(events: Body[]) {
  expect(completedOf(events)).toEqual(chain.steps);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  expect(events.at(-1)?.type).toBe('run.completed');
}

/**
 * Who executed a run, from its trace: the runners in the order they took it (each start, resume
 * and step start names its runner). Throws when a step's runner is not the one that last started
 * or resumed the run, or when a runner comes back after another took the run: either would mean
 * two runners executing it at once.
 */
function executorsOf(events: Body[]): string[] {
  const order: string[] = [];
  let current: string | undefined;
  for (const event of events) {
    if (!['run.started', 'run.resumed', 'node.started'].includes(event.type as string)) continue;
    const runner = event.data.runner as string | undefined;
    if (!runner) throw new Error(`event ${event.seq} (${event.type}) names no runner`);
    if (event.type === 'node.started') {
      if (runner !== current) throw new Error(`event ${event.seq}: a step started by ${runner} while ${current ?? 'nobody'} held the run`);
      continue;
    }
    if (runner === current) continue;
    if (order.includes(runner)) throw new Error(`event ${event.seq}: ${runner} executed the run again after another runner took it`);
    order.push(runner);
    current = runner;
  }
  return order;
}

describe('runners sharing one PostgreSQL database', () => {
  const runners: RunnerProcess[] = [];
  const stop = async (runner: RunnerProcess, signal: NodeJS.Signals = 'SIGTERM') => {
    if (runner.child.exitCode === null && runner.child.signalCode === null) runner.child.kill(signal);
    await runner.exited;
  };

  /** `count` runners that are up, started as needed. */
  const alive = async (count: number): Promise<RunnerProcess[]> => {
    const up = runners.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
    while (up.length < count) {
      const added = await startRunner();
      runners.push(added);
      up.push(added);
    }
    return up.slice(0, count);
  };

  beforeAll(async () => {
    await onDatabase((db) => sql`create schema ${sql.id(SCHEMA)}`.execute(db));
    const first = await startRunner();
    runners.push(first);
    expect((await call(first.url, 'POST', '/api/flows', chain.flow)).status).toBe(201);
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => stop(r)));
    await onDatabase((db) => sql`drop schema if exists ${sql.id(SCHEMA)}, ${sql.id(queueSchemaOf(SCHEMA))} cascade`.execute(db));
  });

  it('leaves alone the runs a live runner executes when another runner starts', async () => {
    const a = runners[0]!;
    const runIds = await startRuns(a.url, 3);
    await until('runs under way', async () => ((await Promise.all(runIds.map(async (id) => completedOf(await eventsOf(a.url, id)).length >= 2))).every(Boolean) ? true : undefined));
    // A second runner starts (as after a deploy or a restart) while the runs are mid-way.
    const b = await startRunner();
    runners.push(b);
    for (const id of runIds) {
      expect((await finished(b.url, id)).status).toBe('succeeded');
      const events = await eventsOf(b.url, id);
      expectWholeTrace(events);
      // Nobody took the runs over, and no step started twice.
      expect(events.filter((e) => e.type === 'run.resumed')).toEqual([]);
      expect(executorsOf(events)).toHaveLength(1);
      expect(events.filter((e) => e.type === 'node.started')).toHaveLength(chain.steps.length);
    }
  }, 90_000);

  it('takes over the runs of a runner killed with SIGKILL within the lease time, repeating no completed step', async () => {
    const victim = await startRunner();
    runners.push(victim);
    const survivor = runners[1] ?? runners[0]!;
    const runIds = await startRuns(victim.url, 3);
    await until('runs under way', async () => ((await Promise.all(runIds.map(async (id) => completedOf(await eventsOf(victim.url, id)).length >= 3))).every(Boolean) ? true : undefined));
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;

    for (const id of runIds) {
      expect((await finished(survivor.url, id)).status).toBe('succeeded');
      const events = await eventsOf(survivor.url, id);
      expectWholeTrace(events);
      const resumed = events.filter((e) => e.type === 'run.resumed' && e.data.reason === 'recovered');
      expect(resumed).toHaveLength(1);
      // Taken over once the dead runner's lease ran out: within the lease time, plus a heartbeat and slack.
      const takenAfter = Date.parse(resumed[0]!.ts as string) - killedAt;
      expect(takenAfter).toBeLessThan(LEASE_MS + 2000);
      // Only the step cut off by the kill ran again, marked so.
      const restarted = events.filter((e) => e.type === 'node.started' && e.data.recovered === true).map((e) => e.nodeId as string);
      expect(restarted.length).toBeLessThanOrEqual(1);
      const completedBefore = completedOf(events.slice(0, events.indexOf(resumed[0]!)));
      for (const node of restarted) expect(completedBefore).not.toContain(node);
    }
  }, 90_000);

  it('hands the runs of a runner stopped with SIGTERM to the others at once, not once its leases run out', async () => {
    const leaving = await startRunner();
    runners.push(leaving);
    const [stays] = (await alive(1)) as [RunnerProcess];
    const runIds = await startRuns(leaving.url, 2);
    await until('runs under way', async () => ((await Promise.all(runIds.map(async (id) => completedOf(await eventsOf(leaving.url, id)).length >= 2))).every(Boolean) ? true : undefined));
    await stop(leaving);
    const stoppedAt = Date.now();
    for (const id of runIds) {
      expect((await finished(stays.url, id)).status).toBe('succeeded');
      const events = await eventsOf(stays.url, id);
      expectWholeTrace(events);
      // Let go at exit and queued for the others: taken well before the lease would have run out.
      const resumed = events.find((e) => e.type === 'run.resumed');
      expect(Date.parse(resumed!.ts as string) - stoppedAt).toBeLessThan(LEASE_MS);
      // It stopped between steps: nothing ran again.
      expect(events.filter((e) => e.type === 'node.started' && e.data.recovered === true)).toEqual([]);
    }
  }, 60_000);

  it('finishes every run while runners are killed with SIGKILL again and again, each step completed once', async () => {
    // Three runners; runs started through each; then, round after round, a random runner is
    // killed mid-run and a new one started in its place.
    const pool = await alive(3);
    const runIds: string[] = [];
    for (const runner of pool) runIds.push(...(await startRuns(runner.url, 2)));
    for (let round = 0; round < 3; round++) {
      await new Promise((resolve) => setTimeout(resolve, 700 + Math.floor(Math.random() * 900)));
      const victim = pool.splice(Math.floor(Math.random() * pool.length), 1)[0]!;
      victim.child.kill('SIGKILL');
      await victim.exited;
      const fresh = await startRunner();
      runners.push(fresh);
      pool.push(fresh);
    }
    const reader = pool[0]!;
    let executed = 0;
    for (const id of runIds) {
      expect((await finished(reader.url, id)).status).toBe('succeeded');
      const events = await eventsOf(reader.url, id);
      // Every step completed exactly once and the seqs have no gap or repeat: no two runners wrote the run.
      expectWholeTrace(events);
      // Runner after runner, each taking over from the last, never two at once (counted from the trace).
      const executors = executorsOf(events);
      expect(executors.length).toBeGreaterThanOrEqual(1);
      executed += executors.length;
      // A step ran again only when the kill cut it off: never one that had completed.
      const resumedAt = events.flatMap((e, i) => (e.type === 'run.resumed' && e.data.reason === 'recovered' ? [i] : []));
      for (const at of resumedAt) {
        const done = completedOf(events.slice(0, at));
        const again = events.slice(at).filter((e) => e.type === 'node.started').map((e) => e.nodeId as string);
        for (const node of again) expect(done, `run ${id}: ${node} started again after it completed`).not.toContain(node);
      }
    }
    // The first kill, at most 1.6 s into runs of 3 s, cut off the two its runner held: they went on elsewhere.
    expect(executed).toBeGreaterThan(runIds.length);
  }, 120_000);

  it('streams a run live through a runner that does not execute it, woken by the other runner\'s commits', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    const [runId] = await startRuns(a.url, 1);
    // Followed through B while A executes it: each event as it reaches B, with when it did.
    const res = await fetch(`${b.url}/api/runs/${runId}/events`, { headers: { Accept: 'text/event-stream' } });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const arrived = new Map<number, number>();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      for (const e of parseSse(text)) if (e.id && !arrived.has(Number(e.id))) arrived.set(Number(e.id), Date.now());
    }
    const events = parseSse(text).filter((e) => e.id).map((e) => JSON.parse(e.data) as Body);
    expectWholeTrace(events);
    // Live: each step's completion reached B while the run still ran, not in one read at the end
    // (B's safety-net poll is 5 s; the run takes about 3).
    const ended = Date.parse(events.at(-1)!.ts as string);
    for (const e of events.filter((x) => x.type === 'node.completed' && ['s2', 's3', 's4', 's5'].includes(x.nodeId as string))) {
      expect(arrived.get(e.seq as number)!, `${e.nodeId as string} completed`).toBeLessThan(ended);
    }
  }, 60_000);

  it('goes on with a run that waits for a person wherever the answer arrives', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    expect((await call(a.url, 'POST', '/api/flows', approvalFlow('scale-ok'))).status).toBe(201);
    const runId = (await call(a.url, 'POST', '/api/flows/scale-ok/runs', { input: { amount: 12 } })).body.id as string;
    const approval = await until('the approval', async () => (await call(a.url, 'GET', `/api/approvals?runId=${runId}`)).body.items?.[0] as Body | undefined);
    const answered = await call(b.url, 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', by: 'ann' });
    expect(answered.status).toBe(200);
    const run = await finished(a.url, runId);
    expect(run).toMatchObject({ status: 'succeeded', output: { approved: true, payload: { amount: 12 }, by: 'ann' } });
    // A second answer, through the first runner, is refused naming who answered.
    const again = await call(a.url, 'POST', `/api/approvals/${approval.id}`, { decision: 'reject', by: 'bo' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('already_decided');
  }, 60_000);

  it('hands an answer to the runner executing the run while another branch goes on, and the run takes it there at once', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    const steps = ['s1', 's2', 's3', 's4'];
    const flow = {
      schema: 'trellis.flow/v1',
      id: 'branch-waits',
      name: 'A branch waits while another runs',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'ok', type: 'approval', position: { x: 0, y: 0 }, config: { message: 'Go on?' } },
        { id: 'done', type: 'output', position: { x: 0, y: 0 }, config: { value: { approved: '{{ nodes.ok.output.by }}' } } },
        { id: 'no', type: 'output', position: { x: 0, y: 0 }, config: { value: { approved: false } } },
        ...steps.map((id) => ({ id, type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:slow', prompt: { template: `step ${id}` } } })),
        { id: 'tail', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ nodes.s4.output }}' } },
      ],
      edges: [
        { id: 'a1', source: 'in', sourceHandle: 'out', target: 'ok', targetHandle: 'in' },
        { id: 'a2', source: 'ok', sourceHandle: 'approved', target: 'done', targetHandle: 'in' },
        { id: 'a3', source: 'ok', sourceHandle: 'rejected', target: 'no', targetHandle: 'in' },
        ...['in', ...steps].map((source, i) => ({ id: `c${i}`, source, sourceHandle: 'out', target: [...steps, 'tail'][i], targetHandle: 'in' })),
      ],
    };
    expect((await call(a.url, 'POST', '/api/flows', flow)).status).toBe(201);
    const mocks = Object.fromEntries(steps.map((id) => [id, { text: `done ${id}`, delayMs: 500 }]));
    const runId = (await call(a.url, 'POST', '/api/flows/branch-waits/runs', { input: {}, mocks })).body.id as string;
    const approval = await until('the approval', async () => (await call(a.url, 'GET', `/api/approvals?runId=${runId}`)).body.items?.[0] as Body | undefined);
    // A holds the run: its other branch is still running.
    expect((await call(b.url, 'GET', `/api/runs/${runId}`)).body.status).toBe('running');
    const answered = await call(b.url, 'POST', `/api/approvals/${approval.id}`, { decision: 'approve', by: 'ann' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ status: 'approved', decidedBy: 'ann' });
    // A second answer, through either runner, hears who answered.
    const again = await call(b.url, 'POST', `/api/approvals/${approval.id}`, { decision: 'reject', by: 'bo' });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('ann');
    const run = await finished(a.url, runId);
    expect(run.status).toBe('succeeded');
    const events = await eventsOf(a.url, runId);
    const done = completedOf(events);
    // Taken while the other branch ran (before its last step), each step once, no gap in the trace.
    expect(done.indexOf('done')).toBeLessThan(done.indexOf('s4'));
    expect(new Set(done).size).toBe(done.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  }, 60_000);

  it('cancels a run through a runner that does not execute it: the runner holding it stops it at once', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    const [runId] = await startRuns(a.url, 1);
    await until('the run under way', async () => (completedOf(await eventsOf(a.url, runId!)).length >= 1 ? true : undefined));
    const cancelled = await call(b.url, 'POST', `/api/runs/${runId}/cancel`);
    // A cancelled it (woken by the NOTIFY, or at its next heartbeat) within the 5 s B waits: 200, not 202.
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const events = await eventsOf(a.url, runId!);
    expect(events.at(-1)).toMatchObject({ type: 'run.cancelled' });
    // Nothing started after the cancel, and the seqs have no gap.
    const cancelledAt = events.findIndex((e) => e.type === 'run.cancelled');
    expect(events.slice(cancelledAt + 1)).toEqual([]);
    expect(events.filter((e) => e.type === 'node.completed').length).toBeLessThan(chain.steps.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // A second cancel, through either runner, hears the run has ended.
    expect((await call(a.url, 'POST', `/api/runs/${runId}/cancel`)).body.error.code).toBe('run_finished');
  }, 60_000);

  it('cancels, rather than resumes, a run whose runner died, once another runner takes it over', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    const [runId] = await startRuns(a.url, 1);
    await until('the run under way', async () => (completedOf(await eventsOf(a.url, runId!)).length >= 1 ? true : undefined));
    await stop(a, 'SIGKILL');
    const done = completedOf(await eventsOf(b.url, runId!));
    // B does not hold it, and A cannot answer: the cancel waits in the run's row for whoever takes it over (B, once A's lease runs out).
    const cancelled = await call(b.url, 'POST', `/api/runs/${runId}/cancel`);
    expect([200, 202]).toContain(cancelled.status);
    expect((await finished(b.url, runId!)).status).toBe('cancelled');
    const events = await eventsOf(b.url, runId!);
    expect(completedOf(events)).toEqual(done);
    expect(events.filter((e) => e.type === 'run.resumed')).toEqual([]);
    expect(events.at(-1)).toMatchObject({ type: 'run.cancelled' });
  }, 60_000);

  // It stops every other runner, so that only the worker can take the queued runs.
  it('queues async runs for the runners with room: one that takes none leaves them to a `trellis worker` started later', async () => {
    await Promise.all(runners.map((r) => stop(r)));
    const front = await startRunner({ TRELLIS_MAX_RUNS: '0' });
    runners.push(front);
    expect((await call(front.url, 'POST', '/api/flows', fourNodeFlow('queued'))).status).toBe(201);
    expect((await call(front.url, 'POST', '/api/flows/queued/publish', { slug: 'queued' })).status).toBe(201);
    const key = (await call(front.url, 'POST', '/api/keys', { name: 'queue' })).body.secret as string;
    const post = async (n: number) => {
      const res = await fetch(`${front.url}/v1/flows/queued?mode=async`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ n }) });
      expect(res.status).toBe(202);
      return ((await res.json()) as Body).runId as string;
    };
    const runIds = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i)));
    // The front runner answers at once and executes none of them: they wait in the queue.
    await new Promise((r) => setTimeout(r, 1500));
    for (const runId of runIds) expect((await call(front.url, 'GET', `/api/runs/${runId}`)).body.status).toBe('queued');

    const worker = await startWorkerProcess(RUNNER_ENV);
    try {
      for (const runId of runIds) {
        expect((await finished(front.url, runId)).status).toBe('succeeded');
        const events = await eventsOf(front.url, runId);
        // Each step once, and one start: the run was taken once.
        const done = completedOf(events);
        expect(new Set(done).size).toBe(done.length);
        expect(done).toContain('out');
        expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
      }
    } finally {
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    }
  }, 60_000);

  it('holds a key\'s rate limit and the failed-key throttle across runners, however the calls are spread', async () => {
    const [a, b] = (await alive(2)) as [RunnerProcess, RunnerProcess];
    expect((await call(a.url, 'POST', '/api/flows', fourNodeFlow('limited'))).status).toBe(201);
    expect((await call(a.url, 'POST', '/api/flows/limited/publish', { slug: 'limited' })).status).toBe(201);
    const key = await call(b.url, 'POST', '/api/keys', { name: 'four a minute', rateLimit: { requests: 4, windowSeconds: 60 } });
    expect(key.status).toBe(201);
    const post = (url: string, secret: string) =>
      fetch(`${url}/v1/flows/limited`, { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ n: 1 }) });
    // Ten calls, alternating between the runners: four in all get through, not four on each.
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(i % 2 ? b.url : a.url, key.body.secret as string)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true);

    // Wrong keys from one address: ten allowed across both runners, then both refuse even the right key.
    const wrong: number[] = [];
    for (let i = 0; i < 12; i++) wrong.push((await post(i % 2 ? a.url : b.url, `trl_wrong${i}`)).status);
    expect(wrong.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(wrong.slice(10)).toEqual([429, 429]);
    const other = await call(a.url, 'POST', '/api/keys', { name: 'unlimited' });
    expect((await post(a.url, other.body.secret as string)).status).toBe(429);
    expect((await post(b.url, other.body.secret as string)).status).toBe(429);
  }, 60_000);

  it('refuses to start a worker without PostgreSQL, saying what to set', async () => {
    await expect(startWorkerProcess({ DATABASE_URL: '' })).rejects.toThrow(/a worker takes runs from the queue runners share on PostgreSQL: set DATABASE_URL/);
  });
});
