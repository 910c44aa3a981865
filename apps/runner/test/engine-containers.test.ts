import { describe, expect, it } from 'vitest';
import { validateFlow } from '@trellis/nodes';
import { flow, input, output, type Json, type NodeSpec } from '@trellis/test-support/flows';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { countingExecutors, harness } from './support/harness.js';

/** A transform step (JSONata over the scope): a body step that needs no model. */
const transform = (id: string, expression: string, extra: Json = {}): NodeSpec => ({ id, type: 'tool', config: { tool: 'transform', expression }, ...extra });
const inside = (parent: string, node: NodeSpec): NodeSpec => ({ ...node, parent });

/** input {items} → map "each" (double → out) → output { results }. */
function mapFlow(config: Json = {}, body: { double?: string } = {}) {
  return flow(
    [
      input(),
      { id: 'each', type: 'map', config: { items: 'input.items', ...config } },
      inside('each', transform('double', body.double ?? 'item * 2')),
      inside('each', output('result', { index: '{{ index }}', value: '{{ nodes.double.output }}' })),
      output('out', { results: '{{ nodes.each.output }}' }),
    ],
    [['in', 'each'], ['double', 'result'], ['each', 'out']],
  );
}

/** input → loop "improve" (draft → review → result) → output; the review passes from round `passAt`. */
function loopFlow(passAt: number, maxIterations = 3, extra: NodeSpec[] = [], extraEdges: [string, string, string?][] = []) {
  return flow(
    [
      input(),
      { id: 'improve', type: 'loop', config: { maxIterations, until: "output.verdict == 'pass'" } },
      inside('improve', transform('draft', `'draft ' & $string(iteration) & ' after ' & $string(previous.text)`)),
      inside('improve', transform('review', `{ 'text': nodes.draft.output, 'verdict': iteration >= ${passAt} ? 'pass' : 'fail' }`)),
      ...extra,
      inside('improve', output('result', '{{ nodes.review.output }}')),
      output('out', { final: '{{ nodes.improve.output }}' }),
    ],
    [['in', 'improve'], ['draft', 'review'], ...(extraEdges.length ? extraEdges : [['review', 'result'] as [string, string]]), ['improve', 'out']],
  );
}

describe('map', () => {
  it('runs its body once per item, a few at a time, and gives the results in item order', async () => {
    const h = harness();
    const result = await h.engine.start(mapFlow({ concurrency: 3 }), { input: { items: [5, 1, 4, 2, 3] } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ results: [0, 1, 2, 3, 4].map((index) => ({ index, value: [10, 2, 8, 4, 6][index] })) });
    // Each body step's events say where it ran.
    const doubles = h.of('node.completed', 'double');
    expect(doubles).toHaveLength(5);
    expect(doubles.map((e) => e.path).sort((a, b) => Number(a![1]) - Number(b![1]))).toEqual([0, 1, 2, 3, 4].map((i) => ['each', i, 'double']));
    expect(h.of('node.completed', 'each')[0]!.path).toBeUndefined();
    expect(h.of('node.completed', 'each')[0]!.data.decision).toEqual({ items: 5, succeeded: 5 });
  });

  it('never runs more rounds at once than its concurrency', async () => {
    const h = harness();
    let running = 0;
    let most = 0;
    const track = (e: { type: string; nodeId?: string }) => {
      if (e.nodeId !== 'slow') return;
      if (e.type === 'node.started') most = Math.max(most, ++running);
      if (e.type === 'node.completed') running--;
    };
    const slowFlow = flow(
      [
        input(),
        { id: 'each', type: 'map', config: { items: 'input.items', concurrency: 2 } },
        inside('each', { id: 'slow', type: 'prompt', config: { model: 'test:m', prompt: { template: 'x {{ item }}' } } }),
        inside('each', output('r', '{{ nodes.slow.output }}')),
        output('out', '{{ nodes.each.output }}'),
      ],
      [['in', 'each'], ['slow', 'r'], ['each', 'out']],
    );
    const h2 = harness({ onEvent: track });
    const result = await h2.engine.start(slowFlow, { input: { items: [1, 2, 3, 4, 5, 6] }, mocks: { slow: Array.from({ length: 6 }, (_, i) => ({ text: `t${i}`, delayMs: 20 })) } });
    expect(result.status).toBe('succeeded');
    expect(most).toBe(2);
    expect((result.output as string[]).sort()).toEqual(['t0', 't1', 't2', 't3', 't4', 't5']);
    void h;
  });

  it('gives an empty list for an empty list, and fails clearly past its item cap or on a value that is not a list', async () => {
    const h = harness();
    expect((await h.engine.start(mapFlow(), { input: { items: [] } })).output).toEqual({ results: [] });
    const tooMany = await h.engine.start(mapFlow({ maxItems: 3 }), { input: { items: [1, 2, 3, 4] } });
    expect(tooMany.status).toBe('failed');
    expect(tooMany.error).toMatchObject({ code: 'too_many_items', nodeId: 'each' });
    expect(tooMany.error!.message).toMatch(/gave 4 items, more than this map's limit of 3/);
    const notList = await h.engine.start(mapFlow(), { input: { items: { a: 1 } } });
    expect(notList.error).toMatchObject({ code: 'invalid_items' });
    expect(notList.error!.message).toContain('input.items');
  });

  it('stops at the first failed item, or skips failed items, or collects their errors', async () => {
    const failing = "item = 3 ? $error('item three is bad') : item * 2";
    const stop = await harness().engine.start(mapFlow({ concurrency: 1 }, { double: failing }), { input: { items: [1, 2, 3, 4, 5] } });
    expect(stop.status).toBe('failed');
    expect(stop.error).toMatchObject({ code: 'item_failed', nodeId: 'each' });
    expect(stop.error!.message).toMatch(/item 2 failed: .*item three is bad/);

    const h = harness();
    const skip = await h.engine.start(mapFlow({ onError: 'skip' }, { double: failing }), { input: { items: [1, 2, 3, 4] } });
    expect(skip.status).toBe('succeeded');
    expect((skip.output as { results: { value: number }[] }).results.map((r) => r.value)).toEqual([2, 4, 8]);
    expect(h.of('node.completed', 'each')[0]!.data.decision).toMatchObject({ items: 4, succeeded: 3, failed: 1, failures: [{ index: 2 }] });

    const collect = await harness().engine.start(mapFlow({ onError: 'collect' }, { double: failing }), { input: { items: [1, 3] } });
    expect(collect.status).toBe('succeeded');
    const results = (collect.output as { results: unknown[] }).results;
    expect(results[0]).toEqual({ index: 0, value: 2 });
    expect(results[1]).toMatchObject({ error: { code: 'transform_failed' } });
    expect((results[1] as { error: { message: string } }).error.message).toContain('item three is bad');
  });

  it('resumes after its runner stopped mid-map, keeping finished items and repeating none of their steps', async () => {
    const store = new MemoryCheckpointStore();
    const items = Array.from({ length: 40 }, (_, i) => i);
    const slowBody = flow(
      [
        input(),
        { id: 'each', type: 'map', config: { items: 'input.items', concurrency: 4 } },
        inside('each', { id: 'think', type: 'prompt', config: { model: 'test:m', prompt: { template: 'item {{ item }}' } } }),
        inside('each', transform('shape', "{ 'i': item, 'said': nodes.think.output }")),
        inside('each', output('r', '{{ nodes.shape.output }}')),
        output('out', '{{ nodes.each.output }}'),
      ],
      [['in', 'each'], ['think', 'shape'], ['shape', 'r'], ['each', 'out']],
    );
    const mocks = { think: items.map((i) => ({ text: `thought ${i}`, delayMs: 15 })) };
    const before = harness({ store });
    const { runId } = await before.engine.begin(slowBody, { input: { items }, mocks });
    // Stop the "process" once some items are done: what was mid-way is left running, as after a kill.
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (before.of('node.completed', 'r').length >= 10) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
    await before.engine.drain(0);
    const doneBefore = new Set(before.of('node.completed', 'shape').map((e) => e.path![1]));
    expect(doneBefore.size).toBeGreaterThanOrEqual(10);
    expect(doneBefore.size).toBeLessThan(40);

    const counts = new Map<string, number>();
    const after = harness({ store, executors: countingExecutors(counts) });
    const result = await after.engine.resume(runId);
    expect(result.status).toBe('succeeded');
    expect((result.output as { i: number }[]).map((r) => r.i)).toEqual(items);
    // Finished items ran no step again; the rest ran each step once.
    const shapedAfter = after.of('node.completed', 'shape').map((e) => e.path![1]);
    for (const i of shapedAfter) expect(doneBefore.has(i)).toBe(false);
    expect(new Set([...doneBefore, ...shapedAfter]).size).toBe(40);
    expect(counts.get('shape')).toBe(40 - doneBefore.size);
  });
});

describe('waits inside a map', () => {
  it('opens one wait per item, goes on as each is answered, and finishes once all are', async () => {
    const gated = flow(
      [
        input(),
        { id: 'each', type: 'map', config: { items: 'input.items' } },
        inside('each', { id: 'ok', type: 'approval', config: { message: 'Send item {{ item }}?' } }),
        inside('each', output('sent', { item: '{{ item }}', sent: true })),
        inside('each', output('held', { item: '{{ item }}', sent: false })),
        output('out', '{{ nodes.each.output }}'),
      ],
      [['in', 'each'], ['ok', 'sent', 'approved'], ['ok', 'held', 'rejected'], ['each', 'out']],
    );
    const h = harness();
    const first = await h.engine.start(gated, { input: { items: ['a', 'b', 'c'] } });
    expect(first.status).toBe('waiting');
    expect(first.waiting.map((w) => [w.waitId, w.message])).toEqual([
      ['each.0.ok', 'Send item a?'],
      ['each.1.ok', 'Send item b?'],
      ['each.2.ok', 'Send item c?'],
    ]);
    let result = await h.engine.resume(first.runId, { answer: { waitId: 'each.1.ok', approved: false, by: 'kim' } });
    expect(result.status).toBe('waiting');
    expect(result.waiting.map((w) => w.waitId)).toEqual(['each.0.ok', 'each.2.ok']);
    // An answer to a wait already decided is refused, naming who decided it.
    await expect(h.engine.resume(first.runId, { answer: { waitId: 'each.1.ok', approved: true } })).rejects.toMatchObject({ code: 'unknown_wait' });
    result = await h.engine.resume(first.runId, { answer: { waitId: 'each.0.ok', approved: true } });
    result = await h.engine.resume(first.runId, { answer: { waitId: 'each.2.ok', approved: true } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual([
      { item: 'a', sent: true },
      { item: 'b', sent: false },
      { item: 'c', sent: true },
    ]);
  });

  it('asks a question inside a loop and reads the answer in the same round', async () => {
    const asking = flow(
      [
        input(),
        { id: 'ask', type: 'loop', config: { maxIterations: 5, until: 'output.done' } },
        inside('ask', { id: 'q', type: 'human-input', config: { question: 'Round {{ iteration }}: done yet?', schema: { type: 'object', properties: { done: { type: 'boolean' } }, required: ['done'] } } }),
        inside('ask', output('r', { done: '{{ nodes.q.output.done }}', round: '{{ iteration }}' })),
        output('out', '{{ nodes.ask.output }}'),
      ],
      [['in', 'ask'], ['q', 'r', 'answered'], ['ask', 'out']],
    );
    const h = harness();
    let result = await h.engine.start(asking, { input: {} });
    expect(result.waiting.map((w) => [w.waitId, w.kind])).toEqual([['ask.1.q', 'question']]);
    result = await h.engine.resume(result.runId, { answer: { waitId: 'ask.1.q', approved: true, answer: { done: false } } });
    expect(result.waiting.map((w) => w.waitId)).toEqual(['ask.2.q']);
    result = await h.engine.resume(result.runId, { answer: { waitId: 'ask.2.q', approved: true, answer: { done: true } } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toMatchObject({ iterations: 2, endedBy: 'condition', output: { done: true, round: 2 } });
  });
});

describe('loop', () => {
  it('repeats its body until its condition holds, with iteration and previous in scope', async () => {
    const h = harness();
    const result = await h.engine.start(loopFlow(2), { input: {} });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ final: { output: { text: 'draft 2 after draft 1 after ', verdict: 'pass' }, iterations: 2, endedBy: 'condition' } });
    expect(h.of('node.completed', 'improve')[0]!.data.decision).toEqual({ endedBy: 'condition', until: "output.verdict == 'pass'", iterations: 2 });
    expect(h.of('node.started', 'draft').map((e) => e.path)).toEqual([['improve', 1, 'draft'], ['improve', 2, 'draft']]);
  });

  it('ends at maxIterations when its condition never holds, and says so', async () => {
    const h = harness();
    const result = await h.engine.start(loopFlow(99, 3), { input: {} });
    expect(result.output).toMatchObject({ final: { iterations: 3, endedBy: 'maxIterations', output: { verdict: 'fail' } } });
    expect(h.of('node.completed', 'improve')[0]!.data.decision).toMatchObject({ endedBy: 'maxIterations', iterations: 3 });
  });

  it("plays a body node's mock replies on from round to round", async () => {
    const reviewed = flow(
      [
        input(),
        { id: 'improve', type: 'loop', config: { maxIterations: 5, until: "output == 'pass'" } },
        inside('improve', { id: 'review', type: 'prompt', config: { model: 'test:m', prompt: { template: 'review round {{ iteration }}' } } }),
        inside('improve', output('r', '{{ nodes.review.output }}')),
        output('out', '{{ nodes.improve.output }}'),
      ],
      [['in', 'improve'], ['review', 'r'], ['improve', 'out']],
    );
    const result = await harness().engine.start(reviewed, { input: {}, mocks: { review: [{ text: 'fail' }, { text: 'fail' }, { text: 'pass' }] } });
    expect(result.output).toEqual({ output: 'pass', iterations: 3, endedBy: 'condition' });
  });

  it('waits for an approval inside its body, across a restart, and goes on with the answer', async () => {
    const store = new MemoryCheckpointStore();
    const gated = loopFlow(2, 3, [inside('improve', { id: 'check', type: 'approval', config: { message: 'Publish round {{ iteration }}?' } })], [
      ['review', 'check'],
      ['check', 'result', 'approved'],
    ]);
    const first = harness({ store });
    const waiting = await first.engine.start(gated, { input: {} });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting).toEqual([expect.objectContaining({ nodeId: 'improve.1.check', waitId: 'improve.1.check', message: 'Publish round 1?' })]);
    expect(first.of('run.waiting')[0]!.path).toEqual(['improve', 1, 'check']);

    // A new engine on the same store (a restarted runner) takes the answer.
    const counts = new Map<string, number>();
    const second = harness({ store, executors: countingExecutors(counts) });
    const next = await second.engine.resume(waiting.runId, { answer: { waitId: 'improve.1.check', approved: true, by: 'ana' } });
    expect(next.status).toBe('waiting');
    expect(next.waiting.map((w) => w.waitId)).toEqual(['improve.2.check']);
    expect(second.of('run.resumed').filter((e) => e.data.reason === 'decision').map((e) => [e.nodeId, e.path])).toEqual([['check', ['improve', 1, 'check']]]);
    expect(counts.get('draft')).toBe(1); // round 2's draft only: round 1's is not repeated

    const done = await second.engine.resume(waiting.runId, { answer: { waitId: 'improve.2.check', approved: true } });
    expect(done.status).toBe('succeeded');
    expect(done.output).toMatchObject({ final: { iterations: 2, endedBy: 'condition' } });
    // The container went on from where it was: one attempt, resumed twice.
    expect(second.of('node.started', 'improve').map((e) => [e.data.attempt, e.data.resumed])).toEqual([[1, true], [1, true]]);
  });
});

describe('containers in the flow format', () => {
  const problems = (doc: unknown) => validateFlow(doc).problems.map((p) => `${p.code} ${p.nodeId ?? p.edgeId ?? ''}: ${p.message}`);

  it('refuses wires that cross a body, a parent that is no container, and a body with no output', () => {
    const crossing = mapFlow();
    (crossing.edges as Json[]).push({ id: 'x', source: 'in', sourceHandle: 'out', target: 'double', targetHandle: 'in' });
    expect(problems(crossing)).toContainEqual(expect.stringMatching(/^invalid_body x: crosses the edge of container "each"/));

    const notContainer = flow([input(), { id: 'p', type: 'output', config: { value: 1 }, parent: 'in' }], []);
    expect(problems(notContainer)).toContainEqual(expect.stringMatching(/invalid_body p: its parent "in" is a input node, which holds no body/));

    const noOutput = flow([input(), { id: 'each', type: 'map', config: { items: 'input.items' } }, inside('each', transform('t', 'item')), output('out', 1)], [['in', 'each'], ['each', 'out']]);
    expect(problems(noOutput)).toContainEqual(expect.stringMatching(/invalid_body each: its body has no output node/));

    const loopWithoutBound = loopFlow(1);
    (loopWithoutBound.nodes[1] as { config: Json }).config = { until: 'true' };
    expect(problems(loopWithoutBound)).toContainEqual(expect.stringMatching(/maxIterations: say how many rounds at most/));
  });

  it("lets body steps use their container's names and the outer steps, and warns of names they cannot see", () => {
    expect(validateFlow(mapFlow()).problems).toEqual([]);
    const doc = mapFlow();
    (doc.nodes[3] as { config: Json }).config = { value: '{{ iteration }}' };
    expect(problems(doc)).toContainEqual(expect.stringMatching(/unknown name "iteration"/));
  });
});
