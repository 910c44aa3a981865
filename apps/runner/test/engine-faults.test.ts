import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import { executors as defaultExecutors } from '@trellis/nodes/server';
import type { CheckpointStore, Commit } from '../src/engine/checkpoint.js';
import type { StoreFault } from '../src/engine/engine.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { eventually, harness } from './support/harness.js';
import { flow, input, output, prompt } from '@trellis/test-support/flows';

const topic = { topic: 'tea' };

/** A store whose writes can be made to fail, as a database that dropped its connection would. */
class FaultyStore implements CheckpointStore {
  /** Decides, per commit, whether it fails; it sees the commit. */
  failWhen: (commit: Commit) => boolean = () => false;
  /** Once killed, writes never land (the process is gone). */
  dead = false;
  failures = 0;
  constructor(readonly inner: MemoryCheckpointStore) {}
  createRun = (run: Parameters<CheckpointStore['createRun']>[0]) => this.inner.createRun(run);
  load = (runId: string) => this.inner.load(runId);
  async commit(runId: string, commit: Commit): Promise<void> {
    if (this.dead) return new Promise(() => {});
    if (this.failWhen(commit)) {
      this.failures++;
      throw new Error('Connection terminated unexpectedly');
    }
    return this.inner.commit(runId, commit);
  }
}

const startsStep = (nodeId: string) => (commit: Commit) => commit.events.some((e) => e.type === 'node.started' && e.nodeId === nodeId);
const seqs = (trace: RunEvent[]) => trace.map((e) => e.seq);

describe('engine: a store that refuses writes', () => {
  it('tries a refused write again: the run goes on, and the fault is reported with its run id', async () => {
    const memory = new MemoryCheckpointStore();
    const store = new FaultyStore(memory);
    let once = true;
    store.failWhen = (commit) => once && startsStep('b')(commit) && !(once = false);
    const faults: StoreFault[] = [];
    const { engine } = harness({ store, onFault: (f) => faults.push(f), storeRetry: { retries: 3, backoffMs: 10 } });
    const f = flow([input(), prompt('a'), prompt('b'), output('out', ['{{ nodes.a.output }}', '{{ nodes.b.output }}'])], [['in', 'a'], ['a', 'b'], ['b', 'out']]);
    const result = await engine.start(f, { input: topic, mocks: { a: { text: 'A' }, b: { text: 'B' } } });

    expect(result).toMatchObject({ status: 'succeeded', output: ['A', 'B'] });
    expect(store.failures).toBe(1);
    expect(faults).toMatchObject([{ runId: result.runId, attempt: 1, willRetry: true, retryInMs: 10 }]);
    expect(String(faults[0]!.error)).toMatch(/Connection terminated/);
    const trace = memory.events(result.runId);
    expect(seqs(trace)).toEqual(trace.map((_, i) => i + 1));
    expect(trace.filter((e) => e.type === 'node.completed').map((e) => (e as { nodeId: string }).nodeId)).toEqual(['in', 'a', 'b', 'out']);
  });

  it('stops a run whose writes keep failing, saying so and leaving it resumable; it finishes once the store is back', async () => {
    const memory = new MemoryCheckpointStore();
    const store = new FaultyStore(memory);
    store.failWhen = startsStep('b');
    const faults: StoreFault[] = [];
    const first = harness({ store, onFault: (f) => faults.push(f), storeRetry: { retries: 2, backoffMs: 5 } });
    const f = flow([input(), prompt('a'), prompt('b'), output('out', ['{{ nodes.a.output }}', '{{ nodes.b.output }}'])], [['in', 'a'], ['a', 'b'], ['b', 'out']]);
    const stopped = await first.engine.start(f, { input: topic, mocks: { a: { text: 'A' }, b: { text: 'B' } } });

    expect(stopped.status).toBe('failed');
    expect(stopped.error).toMatchObject({ code: 'store_unavailable', retryable: true });
    expect(stopped.error!.message).toMatch(/^could not save the run: Connection terminated unexpectedly\. .*resumes once the database is reachable again/);
    expect(faults.map((x) => [x.attempt, x.willRetry])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    // Step b never ran: its start could not be stored, and a step does nothing before that.
    expect(first.of('node.completed', 'b')).toHaveLength(0);
    expect((await memory.load(stopped.runId))?.run.status).toBe('running');
    expect(first.engine.activeCount).toBe(0);

    store.failWhen = () => false; // the database is back
    const done = await first.engine.resume(stopped.runId);
    expect(done).toMatchObject({ status: 'succeeded', output: ['A', 'B'] });
    const trace = memory.events(stopped.runId);
    expect(seqs(trace)).toEqual(trace.map((_, i) => i + 1));
    expect(trace.at(-1)?.type).toBe('run.completed');
  });
});

describe('engine: answers from two processes', () => {
  it('takes one of two answers given at once to one wait by two engines over one store; the other is refused naming who decided', async () => {
    const memory = new MemoryCheckpointStore();
    const f = flow(
      [input(), { id: 'ok', type: 'approval', config: { message: 'go?' } }, output('yes', 'yes'), output('no', 'no')],
      [['in', 'ok'], ['ok', 'yes', 'approved'], ['ok', 'no', 'rejected']],
    );
    const waiting = await harness({ store: memory }).engine.start(f, { input: topic });
    expect(waiting.status).toBe('waiting');

    const [one, two] = [harness({ store: memory }), harness({ store: memory })];
    const outcomes = await Promise.allSettled([
      one.engine.answer(waiting.runId, { waitId: 'ok', approved: true, by: 'ann' }),
      two.engine.answer(waiting.runId, { waitId: 'ok', approved: false, by: 'bo' }),
    ]);
    const taken = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(taken).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toMatchObject({ code: 'already_decided', message: expect.stringMatching(/^the wait "ok" of run \S+ was already (approved by ann|rejected by bo) at \d{4}-/) });

    const result = await (taken[0] as PromiseFulfilledResult<{ finished: Promise<{ status: string; output?: unknown }> }>).value.finished;
    expect(result.status).toBe('succeeded');
    const trace = memory.events(waiting.runId);
    expect(trace.filter((e) => e.type === 'run.resumed')).toHaveLength(1);
    expect(seqs(trace)).toEqual(trace.map((_, i) => i + 1));

    // A later answer, through the store, hears who decided and when.
    const decided = trace.find((e) => e.type === 'run.resumed')!;
    const by = (decided.data as { decision: { by: string } }).decision.by;
    expect(memory.wait(waiting.runId, 'ok')).toMatchObject({ status: by === 'ann' ? 'approved' : 'rejected', by });
  });
});

describe('engine: idempotency keys', () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  async function serve(handle: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
    server = createServer(handle);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server!.address() as AddressInfo).port}/orders`;
  }

  const callFlow = (url: string) =>
    flow(
      [input(), { id: 'call', type: 'tool', config: { tool: 'http', http: { method: 'POST', url, body: { q: '{{ input.topic }}' } } }, policy: { retries: 1, backoffMs: 10 } }, output('out', '{{ nodes.call.output.body }}')],
      [['in', 'call'], ['call', 'out']],
    );

  it('sends each attempt of an HTTP step with its own Idempotency-Key', async () => {
    const keys: string[] = [];
    const url = await serve((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      res.writeHead(keys.length === 1 ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: keys.length }));
    });
    const { engine } = harness({ network: { allowPrivateNetwork: true } });
    const result = await engine.start(callFlow(url), { input: topic });
    expect(result).toMatchObject({ status: 'succeeded', output: { ok: 2 } });
    expect(keys).toEqual([`${result.runId}:call:1`, `${result.runId}:call:2`]);
  });

  it('sends the same key when a step cut off by a crash runs again', async () => {
    const keys: string[] = [];
    const url = await serve((req, res) => {
      keys.push(String(req.headers['idempotency-key']));
      if (keys.length === 1) return; // the first process dies before the answer comes
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
    });
    const memory = new MemoryCheckpointStore();
    const crashable = new FaultyStore(memory);
    const first = harness({ store: crashable, network: { allowPrivateNetwork: true } });
    const abandoned = new AbortController();
    void first.engine.start(callFlow(url), { input: topic, runId: 'run-keys', signal: abandoned.signal });
    await eventually(first.events, (e) => e.type === 'node.started' && e.nodeId === 'call');
    await new Promise((r) => setTimeout(r, 50)); // the request is out
    crashable.dead = true;

    const second = harness({ store: memory, network: { allowPrivateNetwork: true } });
    const result = await second.engine.resume('run-keys');
    abandoned.abort();
    expect(result).toMatchObject({ status: 'succeeded', output: { ok: true } });
    expect(keys).toEqual(['run-keys:call:1', 'run-keys:call:1']);
    expect(second.of('node.started', 'call').map((e) => e.data)).toEqual([{ kind: 'tool', attempt: 1, recovered: true }]);
  });
});

describe('engine: a step answering JSON nested past the limit', () => {
  it('fails the step naming where, and the run ends failed rather than overflowing the stack on its checkpoint', async () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    // An executor standing for a model or server that answers anything at all.
    const executors = new Map([...defaultExecutors, ['prompt', { ...defaultExecutors.get('prompt')!, execute: async () => ({ status: 'done' as const, output: deep }) }]]);
    const { engine, store } = harness({ executors });
    const f = flow([input(), prompt('a'), output('out', '{{ nodes.a.output }}')], [['in', 'a'], ['a', 'out']]);
    const result = await engine.start(f, { input: topic });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'output_too_deep', nodeId: 'a' });
    expect(result.error?.message).toMatch(/^the step's output is nested too deep: output\.a\.a\.a.* 64 levels/);
    const trace = (store as MemoryCheckpointStore).events(result.runId);
    expect(trace.find((e) => e.type === 'node.failed')).toMatchObject({ nodeId: 'a', data: { error: { code: 'output_too_deep' } } });
  });
});

/**
 * A store that writes in the order it is asked, as the runner's commit writer does: a commit of a
 * run waits for the run's record, and fails when the record could not be stored.
 */
class OrderedStore implements CheckpointStore {
  readonly writes: string[] = [];
  private created = new Map<string, Promise<void>>();
  constructor(
    readonly inner: MemoryCheckpointStore,
    private readonly createFails: boolean,
  ) {}
  createRun = (run: Parameters<CheckpointStore['createRun']>[0]) => {
    const created = new Promise<void>((resolve, reject) =>
      setTimeout(() => {
        if (this.createFails) return reject(new Error('Connection terminated unexpectedly'));
        this.writes.push('create');
        resolve(this.inner.createRun(run));
      }, 20),
    );
    this.created.set(run.id, created);
    return created;
  };
  load = (runId: string) => this.inner.load(runId);
  async commit(runId: string, commit: Commit): Promise<void> {
    await this.created.get(runId)?.catch(() => {
      throw new Error(`run ${runId}: not written because an earlier write of the run failed`);
    });
    this.writes.push(`commit ${commit.events.map((e) => e.type).join(',')}`);
    return this.inner.commit(runId, commit);
  }
}

describe('engine: a run whose record goes with its first commit (a synchronous caller waits)', () => {
  const f = flow([input(), prompt('a'), output('out', '{{ nodes.a.output }}')], [['in', 'a'], ['a', 'out']]);

  it('starts its steps while its record is being stored, and stores the record first', async () => {
    const memory = new MemoryCheckpointStore();
    const store = new OrderedStore(memory, false);
    const { engine, of } = harness({ store });
    const { runId, finished } = await engine.begin(f, { input: topic, mocks: { a: { text: 'A' } }, storeWithFirstCommit: true });
    // Begun before the record is stored: nothing is written yet.
    expect(store.writes).toEqual([]);
    expect(await finished).toMatchObject({ runId, status: 'succeeded', output: 'A' });
    expect(store.writes[0]).toBe('create');
    expect(store.writes[1]).toMatch(/^commit run\.started,.*node\.started/);
    expect(of('node.completed').map((e) => e.nodeId)).toEqual(['in', 'a', 'out']);
  });

  it('stops before any step acts outside the run when its record cannot be stored, and its end says why', async () => {
    const memory = new MemoryCheckpointStore();
    const store = new OrderedStore(memory, true);
    const { engine, of } = harness({ store, storeRetry: { retries: 1, backoffMs: 5 } });
    const { runId, finished } = await engine.begin(f, { input: topic, mocks: { a: { text: 'A' } }, storeWithFirstCommit: true });
    await expect(finished).rejects.toThrow(/Connection terminated/);
    expect(engine.isActive(runId)).toBe(false);
    // The model step's start was never stored, so the step never ran; nothing of the run was written.
    expect(of('node.completed').map((e) => e.nodeId)).not.toContain('a');
    expect(store.writes).toEqual([]);
    expect(await memory.load(runId)).toBeUndefined();
  });
});
