import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import type { CheckpointStore } from '../src/engine/checkpoint.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { countingExecutors, eventually, harness } from './support/harness.js';
import { flow, input, output, prompt } from '@trellis/test-support/flows';

const topic = { topic: 'tea' };

/** in → a → b → c → out, each step's text in the output, so a resumed run shows it lost nothing. */
const chain = flow(
  [input(), prompt('a'), prompt('b'), prompt('c'), output('out', ['{{ nodes.a.output }}', '{{ nodes.b.output }}', '{{ nodes.c.output }}'])],
  [['in', 'a'], ['a', 'b'], ['b', 'c'], ['c', 'out']],
);

const nodeIds = (events: RunEvent[], type: RunEvent['type']) => events.filter((e) => e.type === type).map((e) => (e as { nodeId: string }).nodeId);

/** The committed trace has seq 1, 2, 3, … with no gap and no duplicate. */
function expectGapless(trace: RunEvent[]): void {
  expect(trace.map((e) => e.seq)).toEqual(trace.map((_, i) => i + 1));
}

describe('engine.begin', () => {
  it('answers with the run id once the run is stored, while the run goes on in the background', async () => {
    const { engine, store } = harness();
    const { runId, finished } = await engine.begin(chain, { input: topic, mocks: { b: { text: 'B', delayMs: 200 } } });

    const stored = await store.load(runId);
    expect(stored?.run.id).toBe(runId); // a GET of the run finds it
    expect(engine.isActive(runId)).toBe(true);
    expect(engine.activeCount).toBe(1);

    const result = await finished;
    expect(result).toMatchObject({ runId, status: 'succeeded' });
    expect(engine.isActive(runId)).toBe(false);
    expect(engine.activeCount).toBe(0);
    expect((await store.load(runId))?.run.status).toBe('succeeded');
  });

  it('refuses a flow or mock script that is wrong before storing anything', async () => {
    const { engine } = harness();
    await expect(engine.begin(chain, { input: topic, mocks: { ghost: { text: 'x' } } })).rejects.toThrow(/"ghost", which is not a node/);
    expect(engine.activeCount).toBe(0);
  });
});

describe('engine.drain', () => {
  it('finishes the steps in flight, stops without finishing the run, and a new process completes only what is left', async () => {
    const store = new MemoryCheckpointStore();
    const counts = new Map<string, number>();
    const before = harness({ store, executors: countingExecutors(counts) });
    const { runId, finished } = await before.engine.begin(chain, { input: topic, mocks: { a: { text: 'A' }, b: { text: 'B', delayMs: 200 }, c: { text: 'C' } } });
    await eventually(before.events, (e) => e.type === 'node.started' && e.nodeId === 'b');

    const draining = before.engine.drain(5_000);
    // From now on the process takes no new work.
    await expect(before.engine.begin(chain, { input: topic })).rejects.toMatchObject({ code: 'shutting_down' });
    await expect(before.engine.start(chain, { input: topic })).rejects.toMatchObject({ code: 'shutting_down' });
    await expect(before.engine.resume(runId)).rejects.toMatchObject({ code: 'shutting_down' });

    expect(await draining).toEqual({ drained: [runId], abandoned: [] });
    const stopped = await finished;
    expect(stopped.status).toBe('running'); // neither succeeded nor failed: it is not over
    expect(before.engine.activeCount).toBe(0);
    const kept = await store.load(runId);
    expect(kept?.run.status).toBe('running');
    expect(kept?.run.finishedAt).toBeUndefined();
    expect(kept?.nodes.b?.status).toBe('succeeded'); // the step in flight finished and was committed
    expect(kept?.nodes.c?.status ?? 'pending').toBe('pending'); // the next one never started
    expect(nodeIds(store.events(runId), 'node.started')).not.toContain('c');

    const after = harness({ store, executors: countingExecutors(counts) }); // the next process
    const result = await after.engine.resume(runId);
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual(['A', 'B', 'C']);
    expect(Object.fromEntries(counts)).toEqual({ in: 1, a: 1, b: 1, c: 1, out: 1 }); // nothing ran twice

    const trace = store.events(runId);
    expectGapless(trace);
    expect(nodeIds(trace, 'node.completed')).toEqual(['in', 'a', 'b', 'c', 'out']);
    expect(trace.filter((e) => e.type === 'run.resumed')).toMatchObject([{ data: { reason: 'recovered' } }]);
    expect(trace.at(-1)?.type).toBe('run.completed');
  });

  it('abandons a run whose step outlasts the timeout, leaving the step running in the store to run again on recovery', async () => {
    const store = new MemoryCheckpointStore();
    const counts = new Map<string, number>();
    const before = harness({ store, executors: countingExecutors(counts) });
    // "b" outlasts the drain's 50 ms; it replays its mock script from the start when it runs again.
    const mocks = { a: { text: 'A' }, b: { text: 'B', delayMs: 1_000 }, c: { text: 'C' } };
    const { runId, finished } = await before.engine.begin(chain, { input: topic, mocks });
    await eventually(before.events, (e) => e.type === 'node.started' && e.nodeId === 'b');
    await new Promise((r) => setTimeout(r, 20)); // let the checkpoint after "a" land

    const started = Date.now();
    expect(await before.engine.drain(50)).toEqual({ drained: [], abandoned: [runId] });
    expect(Date.now() - started).toBeLessThan(500);
    expect((await finished).status).toBe('running');

    const left = await store.load(runId);
    expect(left?.run.status).toBe('running');
    expect(left?.nodes.b?.status).toBe('running'); // as if the process had died mid-step
    expect(store.events(runId).map((e) => e.type)).not.toContain('node.failed'); // the abort left no trace

    const after = harness({ store, executors: countingExecutors(counts) });
    const result = await after.engine.resume(runId);
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual(['A', 'B', 'C']);
    expect(counts.get('a')).toBe(1);
    expect(counts.get('b')).toBe(2); // it was mid-way: it runs again
    const trace = store.events(runId);
    expectGapless(trace);
    expect(trace.filter((e) => e.type === 'run.resumed')).toMatchObject([{ data: { reason: 'recovered' } }]);
  });

  it('leaves a step in its retry backoff for the next process, which retries it counting on from its attempts', async () => {
    const store = new MemoryCheckpointStore();
    const before = harness({ store });
    const f = flow([input(), prompt('p', 'x', { retries: 2, backoffMs: 30_000 }), output('out', '{{ nodes.p.output }}')], [['in', 'p'], ['p', 'out']]);
    const { runId, finished } = await before.engine.begin(f, { input: topic, mocks: { p: [{ error: { status: 503, message: 'overloaded' } }, { text: 'second time' }] } });
    await eventually(before.events, (e) => e.type === 'node.failed' && e.nodeId === 'p');

    const started = Date.now();
    expect(await before.engine.drain(5_000)).toEqual({ drained: [runId], abandoned: [] });
    expect(Date.now() - started).toBeLessThan(2_000); // it did not sit out the 30 s backoff
    expect((await finished).status).toBe('running');
    expect((await store.load(runId))?.nodes.p).toMatchObject({ status: 'pending', attempts: 1 });

    const after = harness({ store });
    const result = await after.engine.resume(runId);
    expect(result).toMatchObject({ status: 'succeeded', output: 'second time' });
    const attempts = store.events(runId).filter((e): e is Extract<RunEvent, { type: 'node.started' }> => e.type === 'node.started' && e.nodeId === 'p');
    expect(attempts.map((e) => e.data.attempt)).toEqual([1, 2]);
    expectGapless(store.events(runId));
  });

  it('refuses an answer to an approval during a drain, so the answer is not lost, and the wait survives', async () => {
    const store = new MemoryCheckpointStore();
    const before = harness({ store });
    // One branch waits for a person while another is still working.
    const f = flow(
      [input(), { id: 'ok', type: 'approval', config: { message: 'go?' } }, prompt('slow'), output('out', '{{ nodes.slow.output }}')],
      [['in', 'ok'], ['in', 'slow'], ['ok', 'out', 'approved'], ['slow', 'out']],
    );
    const idle = await before.engine.start(flow([input(), { id: 'ok', type: 'approval', config: { message: 'idle?' } }], [['in', 'ok']]), { input: topic });
    expect(idle.status).toBe('waiting');
    expect(before.engine.isActive(idle.runId)).toBe(false); // durable already: nothing to drain

    const { runId, finished } = await before.engine.begin(f, { input: topic, mocks: { slow: { text: 'done', delayMs: 200 } } });
    await eventually(before.events, (e) => e.type === 'run.waiting' && e.runId === runId);

    const draining = before.engine.drain(5_000);
    await expect(before.engine.resume(runId, { answer: { waitId: 'ok', approved: true, by: 'ann' } })).rejects.toMatchObject({ code: 'shutting_down' });
    await expect(before.engine.resume(idle.runId, { answer: { waitId: 'ok', approved: true } })).rejects.toMatchObject({ code: 'shutting_down' });
    expect(await draining).toEqual({ drained: [runId], abandoned: [] });
    expect((await finished).status).toBe('waiting'); // "slow" finished; only the person is left
    expect((await store.load(runId))?.nodes.ok?.status).toBe('waiting');
    expect((await store.load(idle.runId))?.run.status).toBe('waiting');

    const after = harness({ store });
    const result = await after.engine.resume(runId, { answer: { waitId: 'ok', approved: true, by: 'ann' } });
    expect(result).toMatchObject({ status: 'succeeded', output: 'done' });
    expect(store.events(runId).filter((e) => e.type === 'run.resumed')).toMatchObject([{ data: { reason: 'decision', decision: { by: 'ann' } } }]);
  });

  it('waits for a run that was being created when the drain began, and stops it before its first step', async () => {
    const memory = new MemoryCheckpointStore();
    let created: () => void = () => {};
    const slowCreate: CheckpointStore = {
      createRun: async (run) => {
        await new Promise<void>((resolve) => (created = resolve));
        return memory.createRun(run);
      },
      commit: (runId, commit) => memory.commit(runId, commit),
      load: (runId) => memory.load(runId),
    };
    const counts = new Map<string, number>();
    const before = harness({ store: slowCreate, executors: countingExecutors(counts) });
    const beginning = before.engine.begin(chain, { input: topic, runId: 'late-run' });
    await new Promise((r) => setTimeout(r, 10));

    const draining = before.engine.drain(5_000);
    created(); // the record lands after the drain began
    const { runId, finished } = await beginning;
    expect(await draining).toEqual({ drained: [runId], abandoned: [] });
    expect((await finished).status).toBe('running');
    expect(counts.size).toBe(0); // no step ran in the draining process
    expect((await memory.load(runId))?.run.status).toBe('running');

    const result = await harness({ store: memory }).engine.resume(runId);
    expect(result.status).toBe('succeeded');
    expectGapless(memory.events(runId));
  });
});
