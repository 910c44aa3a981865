import { describe, expect, it } from 'vitest';
import type { LanguageModelV3, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { RunEvent } from '@trellis/schema';
import { createModelResolver, type ModelResolver } from '@trellis/nodes/server';
import type { CheckpointStore, Commit } from '../src/engine/checkpoint.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { countingExecutors, eventually, harness } from './support/harness.js';
import { flow, input, output, prompt } from '@trellis/test-support/flows';

const topic = { topic: 'tea' };

describe('engine: order, branches and joins', () => {
  it('runs independent branches at the same time', async () => {
    const { engine, events, index } = harness();
    const f = flow(
      [input(), prompt('a'), prompt('b'), output('out', { a: '{{ nodes.a.output }}', b: '{{ nodes.b.output }}' })],
      [['in', 'a'], ['in', 'b'], ['a', 'out'], ['b', 'out']],
    );
    const result = await engine.start(f, { input: topic, mocks: { a: { text: 'from a', delayMs: 150 }, b: { text: 'from b', delayMs: 150 } } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ a: 'from a', b: 'from b' });
    // Both started before either finished: they overlapped.
    const firstDone = Math.min(index('node.completed', 'a'), index('node.completed', 'b'));
    expect(index('node.started', 'a')).toBeLessThan(firstDone);
    expect(index('node.started', 'b')).toBeLessThan(firstDone);
    // The join ran once, after both.
    expect(events.filter((e) => e.type === 'node.started' && e.nodeId === 'out')).toHaveLength(1);
    expect(index('node.started', 'out')).toBeGreaterThan(Math.max(index('node.completed', 'a'), index('node.completed', 'b')));
  });

  it('skips untaken branches and everything only they lead to, and a join waits for the taken side', async () => {
    const { engine, of } = harness();
    const f = flow(
      [
        input(),
        { id: 'route', type: 'condition', config: { branches: [{ id: 'big', when: 'input.n > 10' }] } },
        prompt('bigStep'),
        prompt('bigFollow'),
        prompt('smallStep'),
        output('out', { small: '{{ nodes.smallStep.output }}' }),
      ],
      [['in', 'route'], ['route', 'bigStep', 'big'], ['bigStep', 'bigFollow'], ['route', 'smallStep', 'else'], ['bigFollow', 'out'], ['smallStep', 'out']],
    );
    const result = await engine.start(f, { input: { n: 3, topic: 'tea' }, mocks: { smallStep: { text: 'small' } } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ small: 'small' });
    expect(of('node.skipped').map((e) => (e as { nodeId: string }).nodeId).sort()).toEqual(['bigFollow', 'bigStep']);
    expect(of('node.started', 'bigStep')).toHaveLength(0);
    const decision = of('node.completed', 'route')[0] as Extract<RunEvent, { type: 'node.completed' }>;
    expect(decision.data.ports).toEqual(['else']);
    expect(decision.data.decision).toEqual({ branch: 'else', evaluated: [{ branch: 'big', when: 'input.n > 10', value: false }] });
  });

  it('emits events that match the RunEvent schema, with seq strictly increasing from 1', async () => {
    const { engine, events, store } = harness();
    const result = await engine.start(flow([input(), prompt('p'), output('out', '{{ nodes.p.output }}')], [['in', 'p'], ['p', 'out']]), { input: topic });
    expect(result.status).toBe('succeeded');
    events.forEach((event, i) => {
      expect(RunEvent.safeParse(event).success, `event ${event.type} matches the schema`).toBe(true);
      expect(event.seq).toBe(i + 1);
    });
    expect((store as MemoryCheckpointStore).events(result.runId)).toEqual(events);
  });
});

describe('engine: failures, timeouts, retries', () => {
  it('fails the run clearly, naming the step, and starts nothing after it', async () => {
    const { engine, of } = harness();
    const f = flow([input(), prompt('p', 'x', { retries: 0 }), prompt('after')], [['in', 'p'], ['p', 'after']]);
    const result = await engine.start(f, { input: topic, mocks: { p: { error: { status: 400, message: 'bad request: prompt too long' } } } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ nodeId: 'p', code: 'model_error' });
    expect(result.error?.message).toContain('prompt too long');
    const failed = of('node.failed', 'p')[0] as Extract<RunEvent, { type: 'node.failed' }>;
    expect(failed.data.willRetry).toBe(false);
    expect(of('run.failed')).toHaveLength(1);
    expect(of('node.started', 'after')).toHaveLength(0);
  });

  it('retries a retryable failure with backoff, then succeeds', async () => {
    const { engine, of } = harness();
    const f = flow([input(), prompt('p', 'x', { retries: 2, backoffMs: 5 })], [['in', 'p']]);
    const result = await engine.start(f, {
      input: topic,
      mocks: { p: [{ error: { status: 503, message: 'overloaded' } }, { error: { status: 429, message: 'slow down' } }, { text: 'third time' }] },
    });
    expect(result.status).toBe('succeeded');
    const failures = of('node.failed', 'p') as Extract<RunEvent, { type: 'node.failed' }>[];
    expect(failures.map((e) => [e.data.attempt, e.data.willRetry, e.data.retryInMs])).toEqual([
      [1, true, 5],
      [2, true, 10],
    ]);
    expect((of('node.started', 'p') as Extract<RunEvent, { type: 'node.started' }>[]).map((e) => e.data.attempt)).toEqual([1, 2, 3]);
    expect((of('node.completed', 'p')[0] as Extract<RunEvent, { type: 'node.completed' }>).data.output).toBe('third time');
  });

  it('does not retry an error that cannot get better, and gives up after the allowed retries', async () => {
    const { engine, of } = harness();
    const notRetryable = await engine.start(flow([input(), prompt('p', 'x', { retries: 3, backoffMs: 1 })], [['in', 'p']]), {
      input: topic,
      mocks: { p: [{ error: { status: 401, message: 'invalid key' } }, { text: 'never' }] },
    });
    expect(notRetryable.status).toBe('failed');
    expect(of('node.started', 'p')).toHaveLength(1);

    const h = harness();
    const exhausted = await h.engine.start(flow([input(), prompt('p', 'x', { retries: 1, backoffMs: 1 })], [['in', 'p']]), {
      input: topic,
      mocks: { p: [{ error: { status: 500, message: 'boom' } }, { error: { status: 500, message: 'boom again' } }, { text: 'too late' }] },
    });
    expect(exhausted.status).toBe('failed');
    expect(exhausted.error?.message).toContain('boom again');
    expect(h.of('node.started', 'p')).toHaveLength(2);
  });

  it('times out a step that takes too long, with a message naming the step and the limit', async () => {
    const { engine, of } = harness();
    const started = Date.now();
    const result = await engine.start(flow([input(), prompt('slow', 'x', { timeoutMs: 100, retries: 0 })], [['in', 'slow']]), {
      input: topic,
      mocks: { slow: { text: 'late', delayMs: 20_000 } },
    });
    expect(Date.now() - started).toBeLessThan(10_000); // the bound held: it did not wait 20 s
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'timeout', nodeId: 'slow' });
    expect(result.error?.message).toBe('step "slow" took longer than 100 ms');
    expect(of('node.failed', 'slow')).toHaveLength(1);
  });

  it('stops a parallel branch when another fails', async () => {
    const { engine, of } = harness();
    const f = flow([input(), prompt('bad', 'x', { retries: 0 }), prompt('slow'), prompt('afterSlow')], [['in', 'bad'], ['in', 'slow'], ['slow', 'afterSlow']]);
    const result = await engine.start(f, { input: topic, mocks: { bad: { error: { status: 400, message: 'no' }, delayMs: 20 }, slow: { text: 'x', delayMs: 20_000 } } });
    expect(result.status).toBe('failed');
    expect(result.error?.nodeId).toBe('bad');
    expect(of('node.completed', 'slow')).toHaveLength(0);
    expect(of('node.started', 'afterSlow')).toHaveLength(0);
  });
});

describe('engine: cancel and budget', () => {
  it('cancels a running run through its AbortSignal', async () => {
    const { engine, events, of } = harness();
    const controller = new AbortController();
    const running = engine.start(flow([input(), prompt('slow'), prompt('next')], [['in', 'slow'], ['slow', 'next']]), {
      input: topic,
      mocks: { slow: { text: 'x', delayMs: 20_000 } },
      signal: controller.signal,
    });
    await eventually(events, (e) => e.type === 'node.started' && e.nodeId === 'slow');
    controller.abort('user pressed stop');
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(of('run.cancelled')).toHaveLength(1);
    expect(of('node.started', 'next')).toHaveLength(0);
    expect(of('run.failed')).toHaveLength(0);
  });

  it('cancels a run that waits for a person', async () => {
    const { engine, of } = harness();
    const waiting = await engine.start(flow([input(), { id: 'ok', type: 'approval', config: { message: 'go?' } }], [['in', 'ok']]), { input: topic });
    expect(waiting.status).toBe('waiting');
    const cancelled = await engine.cancel(waiting.runId, 'no longer needed');
    expect(cancelled.status).toBe('cancelled');
    expect(of('run.cancelled')[0]).toMatchObject({ data: { reason: 'no longer needed' } });
    await expect(engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true } })).rejects.toThrow(/already cancelled/);
  });

  it('cancels a run caught wrapping up into a wait, whose last commit is readable before it is acknowledged', async () => {
    // A store that applies each commit at once but acknowledges it later, like a writer thread.
    const memory = new MemoryCheckpointStore();
    const slow: CheckpointStore = {
      createRun: (run) => memory.createRun(run),
      load: (id) => memory.load(id),
      commit: async (id, commit: Commit) => {
        await memory.commit(id, commit);
        await new Promise((r) => setTimeout(r, 30));
      },
    };
    const { engine } = harness({ store: slow });
    const { runId, finished } = await engine.begin(flow([input(), { id: 'ok', type: 'approval', config: { message: 'go?' } }], [['in', 'ok']]), { input: topic });
    for (let i = 0; i < 200 && (await memory.load(runId))?.run.status !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 2));
    expect(engine.isActive(runId)).toBe(true); // readable as waiting, not yet acknowledged
    const cancelled = await engine.cancel(runId, 'changed my mind');
    expect(cancelled.status).toBe('cancelled');
    expect((await finished).status).toBe('waiting');
    expect((await memory.load(runId))?.run.status).toBe('cancelled');
  });

  it('fails the run when it would exceed its budget of model calls', async () => {
    const { engine, of } = harness();
    const f = flow([input(), prompt('a'), prompt('b'), prompt('c')], [['in', 'a'], ['a', 'b'], ['b', 'c']], { settings: { budget: { maxModelCalls: 2 } } });
    const result = await engine.start(f, { input: topic });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'budget_exceeded', nodeId: 'c' });
    expect(result.error?.message).toContain('2 allowed model calls');
    expect(result.usage.modelCalls).toBe(2);
    expect(of('node.completed').map((e) => (e as { nodeId: string }).nodeId)).toEqual(['in', 'a', 'b']);
  });

  it('fails the run when its tokens go over the budget, and the start option overrides the flow', async () => {
    const { engine } = harness();
    const f = flow([input(), prompt('a'), prompt('b')], [['in', 'a'], ['a', 'b']], { settings: { budget: { maxTokens: 1_000_000 } } });
    const result = await engine.start(f, { input: topic, budget: { maxTokens: 30 } });
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('budget_exceeded');
    expect(result.error?.message).toMatch(/over its budget of 30|used its 30 allowed tokens/);
  });

  it('counts usage per step and for the run', async () => {
    const { engine, of } = harness();
    const result = await engine.start(flow([input(), prompt('a'), prompt('b')], [['in', 'a'], ['in', 'b']]), { input: topic });
    const steps = of('node.completed').map((e) => (e as Extract<RunEvent, { type: 'node.completed' }>).data.usage);
    const sum = steps.reduce((t, u) => t + u.totalTokens, 0);
    expect(sum).toBeGreaterThan(0);
    expect(result.usage.totalTokens).toBe(sum);
    expect(result.usage.modelCalls).toBe(2);
    expect(result.usage.costUsd).toBe(0); // the test provider is free
  });
});

describe('engine: approvals', () => {
  const approvalFlow = flow(
    [
      input(),
      { id: 'ok', type: 'approval', config: { message: 'Send "{{ input.topic }}"?', payload: { text: '{{ input.topic }}' } } },
      output('sent', { sent: '{{ nodes.ok.output.payload.text }}' }),
      output('dropped', { dropped: true, why: '{{ nodes.ok.output.comment }}' }),
    ],
    [['in', 'ok'], ['ok', 'sent', 'approved'], ['ok', 'dropped', 'rejected']],
  );

  it('pauses for approval and takes the approved path with the edited payload, logging who decided', async () => {
    const { engine, of } = harness();
    const waiting = await engine.start(approvalFlow, { input: topic });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting).toEqual([{ nodeId: 'ok', waitId: 'ok', kind: 'approval', message: 'Send "tea"?', payload: { text: 'tea' } }]);
    const done = await engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true, by: 'ann', comment: 'fine', payload: { text: 'green tea' } } });
    expect(done.status).toBe('succeeded');
    expect(done.output).toEqual({ sent: 'green tea' });
    expect(of('run.resumed')[0]).toMatchObject({ nodeId: 'ok', data: { reason: 'decision', decision: { approved: true, by: 'ann', comment: 'fine', payload: { text: 'green tea' } } } });
    const completed = of('node.completed', 'ok')[0] as Extract<RunEvent, { type: 'node.completed' }>;
    expect(completed.data.decision).toMatchObject({ approved: true, edited: true, by: 'ann' });
    expect(of('node.skipped', 'dropped')).toHaveLength(1);
  });

  it('takes the rejected path when rejected', async () => {
    const { engine, of } = harness();
    const waiting = await engine.start(approvalFlow, { input: topic });
    const done = await engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: false, by: 'bob', comment: 'off-brand' } });
    expect(done.output).toEqual({ dropped: true, why: 'off-brand' });
    expect(of('node.skipped', 'sent')).toHaveLength(1);
  });

  it('refuses an answer to a wait the run does not have', async () => {
    const { engine } = harness();
    const waiting = await engine.start(approvalFlow, { input: topic });
    await expect(engine.resume(waiting.runId, { answer: { waitId: 'nope', approved: true } })).rejects.toThrow(/not waiting on "nope".*waits on ok/);
  });

  it('resolves an expired approval as its timeout says', async () => {
    const { engine } = harness();
    const f = flow(
      [input(), { id: 'ok', type: 'approval', config: { message: 'go?', timeoutMs: 60_000, onTimeout: 'reject' } }, output('late', 'timed out')],
      [['in', 'ok'], ['ok', 'late', 'rejected']],
    );
    const waiting = await engine.start(f, { input: topic });
    expect(waiting.waiting[0]?.deadline).toBeDefined();
    expect(await engine.expireWaits(waiting.runId, new Date())).toBeUndefined(); // not yet due
    const done = await engine.expireWaits(waiting.runId, new Date(Date.now() + 120_000));
    expect(done?.status).toBe('succeeded');
    expect(done?.output).toBe('timed out');
  });

  it("pauses an agent's tool call that needs approval, and runs the tool only once approved", async () => {
    const { engine, of } = harness();
    const f = flow(
      [
        input(),
        { id: 'refund', type: 'tool', config: { tool: 'transform', name: 'issue_refund', requiresApproval: true, parameters: { type: 'object', properties: { amount: { type: 'number' } } }, expression: "{ 'refunded': args.amount }" } },
        { id: 'agent', type: 'agent', config: { model: 'test:m', instructions: 'Help the customer', maxSteps: 4 } },
        output('out', '{{ nodes.agent.output }}'),
      ],
      [['in', 'agent'], ['refund', 'agent', 'tool', 'tools'], ['agent', 'out']],
    );
    const mocks = { agent: [{ toolCalls: [{ tool: 'issue_refund', args: { amount: 30 } }] }, { text: 'Refunded 30.' }] };
    const waiting = await engine.start(f, { input: topic, mocks });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting[0]).toMatchObject({ nodeId: 'agent', kind: 'tool_approval', payload: { tool: 'issue_refund', args: { amount: 30 } } });
    expect(of('node.tool_result')).toHaveLength(0); // not executed yet
    const done = await engine.resume(waiting.runId, { answer: { waitId: waiting.waiting[0]!.waitId, approved: true, by: 'ann' } });
    expect(done.status).toBe('succeeded');
    expect(done.output).toBe('Refunded 30.');
    expect(of('node.tool_result')[0]).toMatchObject({ data: { tool: 'issue_refund', toolNodeId: 'refund', result: { refunded: 30 } } });
  });
});

/** A store that can be made to die mid-run: once killed, nothing more is written. */
class CrashableStore implements CheckpointStore {
  dead = false;
  constructor(readonly inner: MemoryCheckpointStore) {}
  createRun = (run: Parameters<CheckpointStore['createRun']>[0]) => this.inner.createRun(run);
  load = (runId: string) => this.inner.load(runId);
  commit(runId: string, commit: Commit): Promise<void> {
    if (this.dead) return new Promise(() => {}); // the process is gone: this write never happens
    return this.inner.commit(runId, commit);
  }
}

describe('engine: durability', () => {
  it('resumes after a crash from the last checkpoint, running no completed step twice', async () => {
    const memory = new MemoryCheckpointStore();
    const crashable = new CrashableStore(memory);
    const counts = new Map<string, number>();
    const first = harness({ store: crashable, executors: countingExecutors(counts) });
    const f = flow([input(), prompt('a'), prompt('b'), prompt('c'), output('out', ['{{ nodes.a.output }}', '{{ nodes.b.output }}', '{{ nodes.c.output }}'])], [['in', 'a'], ['a', 'b'], ['b', 'c'], ['c', 'out']]);
    const mocks = { a: { text: 'A' }, b: { text: 'B', delayMs: 300 }, c: { text: 'C' } };
    const abandoned = new AbortController();
    void first.engine.start(f, { input: topic, mocks, runId: 'run-crash', signal: abandoned.signal });
    await eventually(first.events, (e) => e.type === 'node.started' && e.nodeId === 'b');
    await new Promise((r) => setTimeout(r, 20)); // let the checkpoint after "a" land
    crashable.dead = true; // the process dies while "b" runs

    const second = harness({ store: memory, executors: countingExecutors(counts) });
    const result = await second.engine.resume('run-crash');
    abandoned.abort(); // stop the dead process's leftover timers
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual(['A', 'B', 'C']);
    expect(counts.get('in')).toBe(1);
    expect(counts.get('a')).toBe(1); // completed before the crash: never again
    expect(counts.get('b')).toBe(2); // it was mid-way: it runs again from its start
    expect(counts.get('c')).toBe(1);

    const trace = memory.events('run-crash');
    expect(trace.map((e) => e.seq)).toEqual(trace.map((_, i) => i + 1)); // no gap, no duplicate
    const completed = trace.filter((e) => e.type === 'node.completed').map((e) => (e as { nodeId: string }).nodeId);
    expect(completed).toEqual(['in', 'a', 'b', 'c', 'out']);
    expect(trace.filter((e) => e.type === 'run.resumed')).toMatchObject([{ data: { reason: 'recovered' } }]);
    expect(trace.at(-1)?.type).toBe('run.completed');
    // The step cut off is in the trace (its start was stored before it ran), and so is its run
    // again: the same attempt, marked as recovered.
    const startsOfB = trace.filter((e) => e.type === 'node.started' && e.nodeId === 'b');
    expect(startsOfB.map((e) => e.data)).toEqual([
      { kind: 'prompt', attempt: 1 },
      { kind: 'prompt', attempt: 1, recovered: true },
    ]);
    expect(trace.findIndex((e) => e.type === 'node.completed' && e.nodeId === 'b')).toBeGreaterThan(trace.indexOf(startsOfB[1]!));
  });

  it('keeps a run waiting for approval across a restart, and finishes it when approved', async () => {
    const store = new MemoryCheckpointStore();
    const before = harness({ store });
    const f = flow([input(), prompt('draft'), { id: 'ok', type: 'approval', config: { message: 'send {{ nodes.draft.output }}?' } }, output('out', '{{ nodes.draft.output }}')], [['in', 'draft'], ['draft', 'ok'], ['ok', 'out', 'approved']]);
    const waiting = await before.engine.start(f, { input: topic, mocks: { draft: { text: 'Hello' } } });
    expect(waiting.status).toBe('waiting');

    const counts = new Map<string, number>();
    const after = harness({ store, executors: countingExecutors(counts) }); // a new process
    const idle = await after.engine.resume(waiting.runId);
    expect(idle.status).toBe('waiting'); // nothing to do until someone answers
    const done = await after.engine.resume(waiting.runId, { answer: { waitId: 'ok', approved: true, by: 'ann' } });
    expect(done.status).toBe('succeeded');
    expect(done.output).toBe('Hello');
    expect(counts.get('draft')).toBeUndefined(); // the draft was not made again
  });
});

describe('engine: bad requests', () => {
  it('refuses an invalid flow with every problem', async () => {
    const { engine } = harness();
    await expect(engine.start(flow([prompt('p')], [['p', 'ghost']]), { input: {} })).rejects.toThrow(/2 problems[\s\S]*(no input node[\s\S]*ghost|ghost[\s\S]*no input node)/);
  });

  it('refuses a mock script for nodes the flow does not have', async () => {
    const { engine } = harness();
    await expect(engine.start(flow([input(), prompt('p')], [['in', 'p']]), { input: {}, mocks: { nope: { text: 'x' } } })).rejects.toThrow(/"nope", which is not a node/);
  });

  it('fails the run when the input does not match the input schema', async () => {
    const { engine } = harness();
    const f = flow([{ id: 'in', type: 'input', config: { schema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] } } }, prompt('p')], [['in', 'p']]);
    const result = await engine.start(f, { input: { topic: 7 } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'invalid_input', nodeId: 'in' });
    expect(result.error?.message).toContain('topic');
  });
});

/** A store that remembers the events of each commit, in order: what a live viewer of the store saw, when. */
class RecordingStore implements CheckpointStore {
  readonly commits: RunEvent[][] = [];
  readonly inner = new MemoryCheckpointStore();
  createRun = (run: Parameters<CheckpointStore['createRun']>[0]) => this.inner.createRun(run);
  load = (runId: string) => this.inner.load(runId);
  commit(runId: string, commit: Commit): Promise<void> {
    this.commits.push([...commit.events]);
    return this.inner.commit(runId, commit);
  }
  /** The index of the first commit holding an event that matches. */
  indexOf(predicate: (e: RunEvent) => boolean): number {
    return this.commits.findIndex((events) => events.some(predicate));
  }
}

/** Models that stream like a real one: each piece of text a few milliseconds after the last. */
function slowStreaming(msPerPiece: number): ModelResolver {
  const resolve = createModelResolver({ fallbackToTest: true, env: {} });
  return (request) => {
    const resolved = resolve(request);
    const inner = resolved.model;
    const model: LanguageModelV3 = {
      specificationVersion: 'v3',
      provider: inner.provider,
      modelId: inner.modelId,
      supportedUrls: inner.supportedUrls,
      doGenerate: (options) => inner.doGenerate(options),
      async doStream(options) {
        const result = await inner.doStream(options);
        const paced = new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
          async transform(part, controller) {
            if (part.type === 'text-delta') await new Promise((r) => setTimeout(r, msPerPiece));
            controller.enqueue(part);
          },
        });
        return { ...result, stream: result.stream.pipeThrough(paced) };
      },
    };
    return { ...resolved, model };
  };
}

type Delta = Extract<RunEvent, { type: 'node.delta' }>;
const isDelta = (nodeId: string) => (e: RunEvent): e is Delta => e.type === 'node.delta' && e.nodeId === nodeId;
/** The test provider streams a reply word by word. */
const pieces = (text: string) => text.match(/\S+\s*|\s+/g)!.length;
const words = (n: number, word = 'tea') => Array.from({ length: n }, (_, i) => `${word}${i}`).join(' ');

describe('engine: streamed text', () => {
  it('merges the streamed pieces of a step into few events, losing no text', async () => {
    const { engine, events, store } = harness();
    const reply = `${words(80)}.\nAnd a second paragraph, with punctuation: done!`;
    const result = await engine.start(flow([input(), prompt('p'), output('out', '{{ nodes.p.output }}')], [['in', 'p'], ['p', 'out']]), { input: topic, mocks: { p: { text: reply } } });
    expect(result.output).toBe(reply);

    const deltas = events.filter(isDelta('p'));
    expect(deltas.length).toBeGreaterThan(0);
    expect(deltas.length).toBeLessThan(pieces(reply) / 4);
    expect(deltas.map((d) => d.data.text).join('')).toBe(reply);
    // Text comes between the step's start and its end; the trace has no gap.
    const types = events.filter((e) => 'nodeId' in e && e.nodeId === 'p').map((e) => e.type);
    expect(types[0]).toBe('node.started');
    expect(types.at(-1)).toBe('node.completed');
    events.forEach((e, i) => expect(e.seq).toBe(i + 1));
    expect((store as MemoryCheckpointStore).events(result.runId)).toEqual(events);
  });

  it('commits streamed text while the model is still streaming, so a viewer of the store sees it before the step ends', async () => {
    const store = new RecordingStore();
    const { engine, events } = harness({ store, models: slowStreaming(10) });
    const reply = words(40); // 40 pieces, 10 ms apart: about 400 ms of streaming
    const result = await engine.start(flow([input(), prompt('p')], [['in', 'p']]), { input: topic, mocks: { p: { text: reply } } });
    expect(result.status).toBe('succeeded');

    const deltas = events.filter(isDelta('p'));
    expect(deltas.map((d) => d.data.text).join('')).toBe(reply);
    expect(deltas.length).toBeGreaterThan(1); // flushed on the timer while streaming…
    expect(deltas.length).toBeLessThan(pieces(reply) / 2); // …but merged, not one per piece

    const firstText = store.indexOf(isDelta('p'));
    const completed = store.indexOf((e) => e.type === 'node.completed' && e.nodeId === 'p');
    expect(firstText).toBeGreaterThanOrEqual(0);
    expect(firstText).toBeLessThan(completed); // committed on its own, mid-step
    // The live trace and the store agree, event for event.
    expect(store.inner.events(result.runId)).toEqual(events);

    // Nothing is flushed or committed once the run has finished.
    const commitsAtEnd = store.commits.length;
    await new Promise((r) => setTimeout(r, 150));
    expect(store.commits.length).toBe(commitsAtEnd);
  });

  it('never merges text across steps: parallel streams each keep their own text', async () => {
    const { engine, events } = harness({ models: slowStreaming(5) });
    const f = flow([input(), prompt('a'), prompt('b')], [['in', 'a'], ['in', 'b']]);
    const mocks = { a: { text: words(30, 'apple') }, b: { text: words(30, 'berry') } };
    const result = await engine.start(f, { input: topic, mocks });
    expect(result.status).toBe('succeeded');
    expect(events.filter(isDelta('a')).map((d) => d.data.text).join('')).toBe(mocks.a.text);
    expect(events.filter(isDelta('b')).map((d) => d.data.text).join('')).toBe(mocks.b.text);
  });

  it("flushes an agent's text before its tool call, keeping the order of what happened", async () => {
    const { engine, events } = harness();
    const f = flow(
      [
        input(),
        { id: 'lookup', type: 'tool', config: { tool: 'transform', name: 'lookup', parameters: { type: 'object', properties: { id: { type: 'string' } } }, expression: "{ 'found': args.id }" } },
        { id: 'agent', type: 'agent', config: { model: 'test:m', instructions: 'Help', maxSteps: 3 } },
      ],
      [['in', 'agent'], ['lookup', 'agent', 'tool', 'tools']],
    );
    const mocks = { agent: [{ text: 'Let me look that up. ', toolCalls: [{ tool: 'lookup', args: { id: 'x1' } }] }, { text: 'Found x1 for you.' }] };
    const result = await engine.start(f, { input: topic, mocks });
    expect(result.status).toBe('succeeded');
    const trace = events.filter((e) => 'nodeId' in e && e.nodeId === 'agent');
    expect(trace.map((e) => e.type)).toEqual(['node.started', 'node.delta', 'node.tool_call', 'node.tool_result', 'node.delta', 'node.completed']);
    expect(trace.filter(isDelta('agent')).map((d) => d.data.text)).toEqual(['Let me look that up. ', 'Found x1 for you.']);
  });
});

describe('engine: commits', () => {
  /** A memory store that counts commits and, when a prompt step starts executing, copies the committed trace. */
  function watchedStore() {
    const store = new MemoryCheckpointStore();
    const commits: Commit[] = [];
    const commit = store.commit.bind(store);
    store.commit = (runId, change) => {
      commits.push(change);
      return commit(runId, change);
    };
    return { store, commits };
  }
  const transform = { id: 'shape', type: 'tool', config: { tool: 'transform', expression: '{ "topic": input.topic }' } };

  it('stores a chain of pure steps (input, condition, transform, output) in one commit', async () => {
    const { store, commits } = watchedStore();
    const h = harness({ store });
    const result = await h.engine.start(flow([input(), transform, output('out', '{{ nodes.shape.output.topic }}')], [['in', 'shape'], ['shape', 'out']]), { input: { topic: 'tea' } });
    expect(result.output).toBe('tea');
    expect(commits).toHaveLength(1);
    expect(store.events(result.runId).map((e) => e.type)).toEqual(h.events.map((e) => e.type));
  });

  it("stores every earlier step's result, and its own start, before a step that calls out does anything", async () => {
    const { store } = watchedStore();
    let committedAtCall: string[] = [];
    const executors = countingExecutors(new Map());
    const promptExecutor = executors.get('prompt')!;
    const h = harness({
      store,
      executors: new Map([...executors, ['prompt', { ...promptExecutor, execute: (ctx) => {
        committedAtCall = store.events(ctx.runId).map((e) => `${e.type}${'nodeId' in e ? ` ${e.nodeId}` : ''}`);
        return promptExecutor.execute(ctx);
      } }]]),
    });
    const result = await h.engine.start(flow([input(), transform, prompt('ask', 'About {{ nodes.shape.output.topic }}'), output('out', '{{ nodes.ask.output }}')], [['in', 'shape'], ['shape', 'ask'], ['ask', 'out']]), { input: { topic: 'tea' } });
    expect(result.status).toBe('succeeded');
    expect(committedAtCall).toEqual(['run.started', 'node.started in', 'node.completed in', 'node.started shape', 'node.completed shape', 'node.started ask']);
  });
});
