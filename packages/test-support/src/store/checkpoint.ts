import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import type { CheckpointStore, Commit, NodeState } from '@trellis/runner';
import { event, resumed, runRecord, startWaiting, stepCommits, uid, usage } from './fixtures.js';

export interface CheckpointSuiteOptions<S extends CheckpointStore> {
  open(): Promise<S>;
  /** The committed events of a run, in order: how the suite sees what a commit stored. */
  trace(store: S, runId: string): Promise<readonly RunEvent[]> | readonly RunEvent[];
  close?(store: S): Promise<void>;
}

/**
 * What the engine needs of storage (CheckpointStore: createRun, commit, load), run against every
 * implementation: the SQL stores and the in-memory one the CLI and the engine's tests use, so a
 * behaviour the engine relies on cannot hold in one and not the other.
 */
export function checkpointSuite<S extends CheckpointStore>(name: string, { open, trace, close }: CheckpointSuiteOptions<S>): void {
  describe(`checkpoints: ${name}`, () => {
    let store: S;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      if (store) await close?.(store);
    });

    describe('runs and checkpoints', () => {
      it('round-trips a run, and knows no other', async () => {
        const run = runRecord({ mocks: { a: { text: 'hi' } }, budget: { maxModelCalls: 3 }, labels: { source: 'test' } });
        await store.createRun(run);
        expect(await store.load(run.id)).toEqual({ run, nodes: {}, lastSeq: 0 });
        expect(await store.load(uid('none'))).toBeUndefined();
      });

      it('merges run fields and replaces node states whole', async () => {
        const run = runRecord();
        await store.createRun(run);
        const startedAt = new Date().toISOString();
        await store.commit(run.id, {
          run: { status: 'running', startedAt, usage: usage(10, 0.5) },
          nodes: { a: { status: 'running', attempts: 1, output: 'partial', saved: { step: 1 } } },
          events: [event(run.id, 1), event(run.id, 2)],
        });
        await store.commit(run.id, {
          run: { status: 'succeeded', output: { answer: 42 }, usage: usage(25, null), finishedAt: startedAt },
          nodes: { a: { status: 'succeeded', attempts: 1, ports: ['out'] }, b: { status: 'skipped', attempts: 0 } },
          events: [event(run.id, 3)],
        });
        const snapshot = await store.load(run.id);
        expect(snapshot?.lastSeq).toBe(3);
        expect(snapshot?.run).toEqual({ ...run, status: 'succeeded', startedAt, finishedAt: startedAt, output: { answer: 42 }, usage: usage(25, null) });
        expect(snapshot?.nodes).toEqual({ a: { status: 'succeeded', attempts: 1, ports: ['out'] }, b: { status: 'skipped', attempts: 0 } });
      });

      it('keeps what was committed, not what the caller changed afterwards', async () => {
        const run = runRecord();
        await store.createRun(run);
        const node: NodeState = { status: 'running', attempts: 1, output: { n: 1 } };
        const pending = store.commit(run.id, { nodes: { a: node }, events: [event(run.id, 1)] });
        (node.output as { n: number }).n = 2;
        await pending;
        expect((await store.load(run.id))?.nodes.a?.output).toEqual({ n: 1 });
      });

      it('refuses a seq that does not continue the last one, storing nothing of that commit', async () => {
        const run = runRecord();
        await store.createRun(run);
        await store.commit(run.id, { run: { status: 'running' }, nodes: { a: { status: 'running', attempts: 1 } }, events: [event(run.id, 1), event(run.id, 2)] });
        const before = await store.load(run.id);

        const gap: Commit = { run: { status: 'failed' }, nodes: { a: { status: 'failed', attempts: 1 } }, events: [event(run.id, 4)] };
        await expect(store.commit(run.id, gap)).rejects.toThrow(/seq 4 breaks the sequence after 2/);
        await expect(store.commit(run.id, { events: [event(run.id, 3), event(run.id, 5)] })).rejects.toThrow(/seq 5 breaks the sequence after 3/);
        await expect(store.commit(run.id, { events: [event(run.id, 2)] })).rejects.toThrow(/seq 2/);
        expect(await store.load(run.id)).toEqual(before);
        expect((await trace(store, run.id)).map((e) => e.seq)).toEqual([1, 2]);

        await store.commit(run.id, { events: [event(run.id, 3)] });
        expect((await store.load(run.id))?.lastSeq).toBe(3);
      });

      it('refuses commits to a run that does not exist, and a run created twice', async () => {
        const missing = uid('run');
        await expect(store.commit(missing, { events: [event(missing, 1)] })).rejects.toThrow(/does not exist/);
        const run = runRecord();
        await store.createRun(run);
        await expect(store.createRun(run)).rejects.toThrow(/already exists/);
        expect((await store.load(run.id))?.run.status).toBe('queued');
      });
    });

    describe('group commit', () => {
      it('lands the commits of 50 concurrent runs, each run in order', async () => {
        const runs = Array.from({ length: 50 }, () => runRecord());
        await Promise.all(runs.map((r) => store.createRun(r)));
        // Every commit of every run in the same tick: one batch, in which each run's order must hold.
        await Promise.all(runs.flatMap((r) => stepCommits(r.id, 0, 3).map((c) => store.commit(r.id, c))));
        // Then each run awaiting its own commits, as the engine does, interleaved with the others.
        await Promise.all(
          runs.map(async (r) => {
            for (const commit of stepCommits(r.id, 3, 6)) await store.commit(r.id, commit);
          }),
        );
        for (const r of runs) {
          const snapshot = await store.load(r.id);
          expect(snapshot?.lastSeq).toBe(12);
          expect(snapshot?.run.status).toBe('running');
          expect(snapshot?.nodes).toEqual({ n0: { status: 'succeeded', attempts: 1, output: 0 }, n5: { status: 'succeeded', attempts: 1, output: 5 } });
          expect((await trace(store, r.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        }
      });
    });

    describe('approvals', () => {
      it('decides a wait once: a second decision refuses its whole commit, naming who decided and when', async () => {
        const run = await startWaiting(store);
        const first = '2030-06-01T12:00:00.000Z';
        const decide = (seq: number, by: string, at: string): Commit => ({
          run: { status: 'running' },
          nodes: { ask: { status: 'pending', attempts: 1 } },
          events: [resumed(run.id, seq, at, { reason: 'decision', waitId: 'w1', decision: { approved: by === 'ann', by } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: by === 'ann' ? 'approved' : 'rejected', at, by }],
        });
        const outcomes = await Promise.allSettled([store.commit(run.id, decide(3, 'ann', first)), store.commit(run.id, decide(3, 'bo', first))]);
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
        const late = store.commit(run.id, decide(4, 'bo', new Date().toISOString()));
        await expect(late).rejects.toMatchObject({ code: 'already_decided' });
        await expect(late).rejects.toThrow(/already approved by ann at 2030-06-01T12:00:00.000Z/);
        expect((await store.load(run.id))?.lastSeq).toBe(3);
        expect((await trace(store, run.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
      });

      it('cancels the pending waits of a run that ends: a later answer is refused', async () => {
        const run = await startWaiting(store);
        const finishedAt = '2030-06-01T12:00:00.000Z';
        await store.commit(run.id, {
          run: { status: 'cancelled', finishedAt },
          events: [{ runId: run.id, seq: 3, ts: finishedAt, type: 'run.cancelled', data: {} }],
          approvals: [{ kind: 'close', at: finishedAt }],
        });
        const answer = store.commit(run.id, {
          events: [resumed(run.id, 4, finishedAt, { reason: 'decision', waitId: 'w1', decision: { approved: true, by: 'ann' } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: 'approved', at: finishedAt, by: 'ann' }],
        });
        await expect(answer).rejects.toMatchObject({ code: 'already_decided' });
        await expect(answer).rejects.toThrow(/already cancelled/);
        expect((await store.load(run.id))?.lastSeq).toBe(3);
      });
    });
  });
}
