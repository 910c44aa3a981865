import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approvalFlow } from './support/api.js';
import { startRunnerProcess } from '@trellis/test-support/runner-process';
import questionFlow from '../../../packages/nodes/src/kinds/human-input/fixture.flow.json' with { type: 'json' };
import { type Body, call, completedOf, slowChain, until } from './support/process.js';


/** A runner over one data directory, as the user starts it. */
const startRunner = (dataDir: string) => startRunnerProcess({ TRELLIS_DATA: dataDir, TRELLIS_SHUTDOWN_TIMEOUT_MS: '5000', TRELLIS_LEASE_MS: '1000' }, ['--no-examples']);

describe('durable runs across runner processes', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'trellis-durable-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finishes runs after the runner is killed with SIGKILL mid-run, repeating no completed step and losing no event', async () => {
    const { flow, mocks, steps } = slowChain(5, 400);
    let runner = await startRunner(dataDir);
    expect((await call(runner.url, 'POST', '/api/flows', flow)).status).toBe(201);
    const runIds: string[] = [];
    for (let i = 0; i < 3; i++) runIds.push((await call(runner.url, 'POST', '/api/flows/slow-chain/runs', { input: { i }, mocks })).body.id as string);

    // Kill while every run is part-way: at least two steps done, some still to go.
    await until('runs part-way', async () => {
      const counts = await Promise.all(runIds.map(async (id) => completedOf((await call(runner.url, 'GET', `/api/runs/${id}/events`)).body.items).length));
      return counts.every((n) => n >= 2) ? counts : undefined;
    });
    const before = new Map<string, Body[]>();
    runner.child.kill('SIGKILL');
    await runner.exited;

    runner = await startRunner(dataDir);
    try {
      for (const id of runIds) {
        const run = await until(`run ${id} to finish`, async () => {
          const { body } = await call(runner.url, 'GET', `/api/runs/${id}`);
          return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
        });
        expect(run.status).toBe('succeeded');
        expect(run.output).toEqual({ last: 'done s5' });
        const events = (await call(runner.url, 'GET', `/api/runs/${id}/events?limit=5000`)).body.items as Body[];
        before.set(id, events);
        // Every step completed exactly once, in order, and seqs run 1..n with no gap or duplicate.
        expect(completedOf(events)).toEqual(steps);
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(events.filter((e) => e.type === 'run.resumed' && e.data.reason === 'recovered')).toHaveLength(1);
        expect(events.at(-1)?.type).toBe('run.completed');
        // A step started again only if it had not completed when the process died.
        const started = events.filter((e) => e.type === 'node.started').map((e) => e.nodeId as string);
        const restarted = steps.filter((s) => started.filter((x) => x === s).length > 1);
        expect(restarted.length).toBeLessThanOrEqual(1);
        // A step's start is stored before it runs, so the step cut off by the kill is in the trace,
        // and its second start says it ran again as the same attempt.
        expect(restarted).toHaveLength(1);
        const starts = events.filter((e) => e.type === 'node.started' && e.nodeId === restarted[0]);
        expect(starts.map((e) => e.data.recovered)).toEqual([undefined, true]);
        expect(starts[1]!.data.attempt).toBe(starts[0]!.data.attempt);
        const resumedAt = events.findIndex((e) => e.type === 'run.resumed' && e.data.reason === 'recovered');
        expect(events.indexOf(starts[0]!)).toBeLessThan(resumedAt);
        expect(events.indexOf(starts[1]!)).toBeGreaterThan(resumedAt);
      }
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
  }, 90_000);

  it('resumes a 200-item map after SIGKILL mid-map, keeping the finished items and repeating none of their steps', async () => {
    const items = Array.from({ length: 200 }, (_, i) => i);
    const mapFlow = {
      schema: 'trellis.flow/v1',
      id: 'slow-map',
      name: 'Slow map',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'each', type: 'map', position: { x: 0, y: 0 }, config: { items: 'input.items', concurrency: 8 } },
        { id: 'think', type: 'prompt', parent: 'each', position: { x: 0, y: 0 }, config: { model: 'test:slow', prompt: { template: 'item {{ item }}' } } },
        { id: 'shape', type: 'tool', parent: 'each', position: { x: 0, y: 0 }, config: { tool: 'transform', expression: "{ 'i': item, 'said': nodes.think.output }" } },
        { id: 'r', type: 'output', parent: 'each', position: { x: 0, y: 0 }, config: { value: '{{ nodes.shape.output }}' } },
        { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ nodes.each.output }}' } },
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'each' },
        { id: 'e2', source: 'think', target: 'shape' },
        { id: 'e3', source: 'shape', target: 'r' },
        { id: 'e4', source: 'each', target: 'out' },
      ],
    };
    const mocks = { think: items.map((i) => ({ text: `thought ${i}`, delayMs: 30 })) };
    let runner = await startRunner(dataDir);
    expect((await call(runner.url, 'POST', '/api/flows', mapFlow)).status).toBe(201);
    const runId = (await call(runner.url, 'POST', '/api/flows/slow-map/runs', { input: { items }, mocks })).body.id as string;
    const itemsDone = (events: Body[]) => new Set(events.filter((e) => e.type === 'node.completed' && e.nodeId === 'r').map((e) => e.path[1] as number));
    await until('some items done', async () => {
      const done = itemsDone((await call(runner.url, 'GET', `/api/runs/${runId}/events?limit=5000`)).body.items);
      return done.size >= 30 ? done : undefined;
    });
    runner.child.kill('SIGKILL');
    await runner.exited;

    runner = await startRunner(dataDir);
    try {
      const run = await until('the map to finish', async () => {
        const { body } = await call(runner.url, 'GET', `/api/runs/${runId}`);
        return ['succeeded', 'failed', 'cancelled'].includes(body.status) ? body : undefined;
      }, 60_000);
      expect(run.status).toBe('succeeded');
      expect(run.output).toEqual(items.map((i) => ({ i, said: `thought ${i}` })));
      const events = (await call(runner.url, 'GET', `/api/runs/${runId}/events?limit=5000`)).body.items as Body[];
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const resumedAt = events.findIndex((e) => e.type === 'run.resumed' && e.data.reason === 'recovered');
      expect(resumedAt).toBeGreaterThan(0);
      // Items finished before the kill ran no step after it; every item finished exactly once.
      const before = itemsDone(events.slice(0, resumedAt));
      expect(before.size).toBeGreaterThanOrEqual(30);
      expect(before.size).toBeLessThan(200);
      const startedAfter = events.slice(resumedAt).filter((e) => e.type === 'node.started' && e.path);
      for (const e of startedAfter) expect(before.has(e.path[1] as number), `item ${e.path[1]} ran ${e.nodeId} again`).toBe(false);
      const completions = events.filter((e) => e.type === 'node.completed' && e.nodeId === 'r').map((e) => e.path[1] as number);
      expect(completions.sort((a, b) => a - b)).toEqual(items);
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
  }, 120_000);

  it('keeps a run waiting for approval across a restart and resumes it when approved', async () => {
    let runner = await startRunner(dataDir);
    await call(runner.url, 'POST', '/api/flows', approvalFlow('approve-later'));
    const runId = (await call(runner.url, 'POST', '/api/flows/approve-later/runs', { input: { amount: 12 } })).body.id as string;
    await until('the run to wait', async () => ((await call(runner.url, 'GET', `/api/runs/${runId}`)).body.status === 'waiting' ? true : undefined));
    runner.child.kill('SIGKILL');
    await runner.exited;

    runner = await startRunner(dataDir);
    try {
      const pending = (await call(runner.url, 'GET', `/api/approvals?runId=${runId}`)).body.items as Body[];
      expect(pending).toHaveLength(1);
      const decided = await call(runner.url, 'POST', `/api/approvals/${pending[0]!.id}`, { decision: 'approve', by: 'night shift' });
      expect(decided.status).toBe(200);
      const run = await until('the run to finish', async () => {
        const { body } = await call(runner.url, 'GET', `/api/runs/${runId}`);
        return body.status === 'succeeded' ? body : undefined;
      });
      expect(run.output).toEqual({ approved: true, payload: { amount: 12 }, by: 'night shift' });
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
  }, 60_000);

  it('keeps a run waiting on a question across a restart, with its form, and goes on with the answer', async () => {
    let runner = await startRunner(dataDir);
    await call(runner.url, 'POST', '/api/flows', questionFlow);
    const runId = (await call(runner.url, 'POST', `/api/flows/${questionFlow.id}/runs`, { input: { item: 'gears' } })).body.id as string;
    await until('the run to wait', async () => ((await call(runner.url, 'GET', `/api/runs/${runId}`)).body.status === 'waiting' ? true : undefined));
    runner.child.kill('SIGKILL');
    await runner.exited;

    runner = await startRunner(dataDir);
    try {
      const pending = (await call(runner.url, 'GET', `/api/approvals?runId=${runId}`)).body.items as Body[];
      expect(pending).toEqual([expect.objectContaining({ kind: 'question', message: 'How many gears should we reorder?', schema: questionFlow.nodes[1]!.config.schema })]);
      const wrong = await call(runner.url, 'POST', `/api/approvals/${pending[0]!.id}`, { answer: { quantity: 'lots' } });
      expect(wrong).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', details: { problems: [{ path: 'answer.quantity' }] } } } });
      const answered = await call(runner.url, 'POST', `/api/approvals/${pending[0]!.id}`, { answer: { quantity: 7 }, by: 'night shift' });
      expect(answered.status).toBe(200);
      const run = await until('the run to finish', async () => {
        const { body } = await call(runner.url, 'GET', `/api/runs/${runId}`);
        return body.status === 'succeeded' ? body : undefined;
      });
      expect(run.output).toEqual({ item: 'gears', quantity: 7 });
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
  }, 60_000);

  it('on SIGTERM lets the running step finish, exits, and the next start completes the run', async () => {
    const { mocks, steps } = slowChain(5, 400);
    let runner = await startRunner(dataDir);
    const runId = (await call(runner.url, 'POST', '/api/flows/slow-chain/runs', { input: {}, mocks })).body.id as string;
    await until('the second step to start', async () => {
      const events = (await call(runner.url, 'GET', `/api/runs/${runId}/events`)).body.items as Body[];
      return events.some((e) => e.type === 'node.started' && e.nodeId === 's2') ? true : undefined;
    });
    runner.child.kill('SIGTERM');
    expect(await runner.exited).toBe(0);

    runner = await startRunner(dataDir);
    try {
      const run = await until('the run to finish', async () => {
        const { body } = await call(runner.url, 'GET', `/api/runs/${runId}`);
        return body.status === 'succeeded' ? body : undefined;
      });
      expect(run.output).toEqual({ last: 'done s5' });
      const events = (await call(runner.url, 'GET', `/api/runs/${runId}/events?limit=5000`)).body.items as Body[];
      expect(completedOf(events)).toEqual(steps);
      // The step that was running at SIGTERM finished in the first process: no step started twice.
      const started = events.filter((e) => e.type === 'node.started').map((e) => e.nodeId);
      expect(started).toEqual(steps);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
  }, 60_000);
});
