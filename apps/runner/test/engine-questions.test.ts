/**
 * A run waiting on a question (the human-input kind): the wait carries the answer form, the
 * answer is checked against it before the run goes on, it becomes the node's output, a deadline
 * routes to `timeout`, and the wait survives a new process like an approval's.
 */
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import { TrellisError } from '@trellis/nodes/server';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { countingExecutors, harness } from './support/harness.js';
import { flow, input, output, prompt } from '@trellis/test-support/flows';

const schema = { type: 'object', properties: { quantity: { type: 'number' }, note: { type: 'string' } }, required: ['quantity'] };
const ask = (config: Record<string, unknown> = {}) => ({ id: 'ask', type: 'human-input', config: { question: 'How many {{ input.item }}?', schema, ...config } });
const questionFlow = (config: Record<string, unknown> = {}) => {
  const routes = config.timeoutMs !== undefined && (config.onTimeout ?? 'route') === 'route';
  return flow(
    [input(), ask(config), output('ordered', { quantity: '{{ nodes.ask.output.quantity }}' }), ...(routes ? [output('late', { late: true })] : [])],
    [['in', 'ask'], ['ask', 'ordered', 'answered'], ...(routes ? [['ask', 'late', 'timeout'] as const] : [])],
  );
};

describe('engine: questions', () => {
  it('waits on the question with its form, and goes on with the answer as the output', async () => {
    const { engine, of, store } = harness();
    const waiting = await engine.start(questionFlow(), { input: { item: 'widgets' } });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting).toEqual([{ nodeId: 'ask', waitId: 'ask', kind: 'question', message: 'How many widgets?', schema }]);
    expect(of('run.waiting')[0]).toMatchObject({ nodeId: 'ask', data: { waitId: 'ask', kind: 'question', message: 'How many widgets?', schema } });

    const done = await engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { quantity: 3 }, by: 'ana' } });
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ quantity: 3 });
    expect(of('run.resumed')[0]).toMatchObject({ nodeId: 'ask', data: { reason: 'decision', waitId: 'ask', decision: { answer: { quantity: 3 }, by: 'ana' } } });
    const completed = of('node.completed', 'ask')[0] as Extract<RunEvent, { type: 'node.completed' }>;
    expect(completed.data).toMatchObject({ output: { quantity: 3 }, ports: ['answered'], decision: { answer: { quantity: 3 }, by: 'ana' } });
    expect((store as MemoryCheckpointStore).wait(waiting.runId, 'ask')).toMatchObject({ status: 'answered', by: 'ana' });
  });

  it("counts a step that waited for a person from its first start, and says how long it waited", async () => {
    const { engine, of } = harness();
    const waiting = await engine.start(questionFlow(), { input: { item: 'widgets' } });
    await new Promise((resolve) => setTimeout(resolve, 60));
    await engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { quantity: 3 } } });
    const completed = of('node.completed', 'ask')[0] as Extract<RunEvent, { type: 'node.completed' }>;
    expect(completed.data.waitedMs).toBeGreaterThanOrEqual(50);
    expect(completed.data.durationMs).toBeGreaterThanOrEqual(completed.data.waitedMs!);
    // A step that did not wait has no waitedMs.
    expect((of('node.completed', 'in')[0] as Extract<RunEvent, { type: 'node.completed' }>).data).not.toHaveProperty('waitedMs');
  });

  it('refuses an answer that does not match the form, naming the field, and keeps waiting', async () => {
    const { engine } = harness();
    const waiting = await engine.start(questionFlow(), { input: { item: 'widgets' } });
    const refused = engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { quantity: 'three' } } });
    await expect(refused).rejects.toThrow("the answer does not match the question's form: answer.quantity: must be a number, not a string");
    await refused.catch((error: unknown) => {
      expect(TrellisError.isInstance(error) && error.code).toBe('invalid_input');
      expect((error as TrellisError).details).toEqual({ problems: [{ path: 'answer.quantity', message: 'must be a number, not a string' }] });
    });
    await expect(engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: {} } })).rejects.toThrow(/answer\.quantity: is required/);
    await expect(engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true } })).rejects.toThrow(/waits on a question: send its answer/);
    const done = await engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { quantity: 2, note: 'rush' } } });
    expect(done.output).toEqual({ quantity: 2 });
  });

  it('refuses an answer to an approval: an approval is decided', async () => {
    const { engine } = harness();
    const waiting = await engine.start(flow([input(), { id: 'ok', type: 'approval', config: { message: 'go?' } }], [['in', 'ok']]), { input: {} });
    await expect(engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true, answer: { x: 1 } } })).rejects.toThrow(/waits on an approval/);
  });

  it('routes an expired question to its timeout handle', async () => {
    const { engine, of } = harness();
    const waiting = await engine.start(questionFlow({ timeoutMs: 60_000 }), { input: { item: 'widgets' } });
    expect(waiting.waiting[0]?.deadline).toBeDefined();
    expect(await engine.expireWaits(waiting.runId, new Date())).toBeUndefined();
    const done = await engine.expireWaits(waiting.runId, new Date(Date.now() + 120_000));
    expect(done?.status).toBe('succeeded');
    expect(done?.output).toEqual({ late: true });
    expect(of('run.resumed')[0]).toMatchObject({ data: { reason: 'timeout' } });
    expect(of('node.skipped', 'ordered')).toHaveLength(1);
  });

  it('fails the run at the deadline when the question says so', async () => {
    const { engine } = harness();
    const waiting = await engine.start(questionFlow({ timeoutMs: 60_000, onTimeout: 'fail' }), { input: { item: 'widgets' } });
    const done = await engine.expireWaits(waiting.runId, new Date(Date.now() + 120_000));
    expect(done?.status).toBe('failed');
    expect(done?.error).toMatchObject({ code: 'question_timed_out', nodeId: 'ask' });
  });

  it('keeps a run waiting on a question across a restart, and finishes it when answered', async () => {
    const store = new MemoryCheckpointStore();
    const before = harness({ store });
    const f = flow(
      [input(), prompt('draft'), { id: 'ask', type: 'human-input', config: { question: 'Reply to "{{ nodes.draft.output }}"?' } }, output('out', '{{ nodes.ask.output.answer }}')],
      [['in', 'draft'], ['draft', 'ask'], ['ask', 'out', 'answered']],
    );
    const waiting = await before.engine.start(f, { input: { topic: 'tea' }, mocks: { draft: { text: 'Hello' } } });
    expect(waiting.waiting[0]).toMatchObject({ kind: 'question', message: 'Reply to "Hello"?', schema: { required: ['answer'] } });

    const counts = new Map<string, number>();
    const after = harness({ store, executors: countingExecutors(counts) }); // a new process
    expect((await after.engine.resume(waiting.runId)).status).toBe('waiting');
    await expect(after.engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { answer: '' } } })).rejects.toThrow(/answer\.answer/);
    const done = await after.engine.resume(waiting.runId, { answer: { waitId: 'ask', approved: true, answer: { answer: 'Hi there' } } });
    expect(done).toMatchObject({ status: 'succeeded', output: 'Hi there' });
    expect(counts.get('draft')).toBeUndefined();
    expect(counts.get('ask')).toBe(1); // only its resume: the question was asked by the first process
  });

  it('takes one answer of two given at once', async () => {
    const { engine } = harness();
    const waiting = await engine.start(questionFlow(), { input: { item: 'widgets' } });
    const answers = await Promise.allSettled([1, 2].map((quantity) => engine.answer(waiting.runId, { waitId: 'ask', approved: true, answer: { quantity } })));
    expect(answers.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    expect(TrellisError.isInstance(refused?.reason) && refused.reason.code).toMatch(/already_decided|unknown_wait/);
  });
});
