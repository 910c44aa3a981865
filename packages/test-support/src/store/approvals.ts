import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Commit } from '@trellis/runner';
import type { Store } from '@trellis/runner/store';
import { event, resumed, runRecord, waitingNode, waitingRun } from './fixtures.js';

/** The approvals table kept in step with the commits: opened, decided once, cancelled, due. */
export function approvalStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('approvals', () => {
      it('opens an approval when a node waits and records the decision', async () => {
        const { run, approval } = await waitingRun(store, { payload: { draft: 'Hello' }, deadline: '2031-01-01T00:00:00.000Z' });
        expect(approval).toMatchObject({
          runId: run.id,
          flowId: run.flow.id,
          nodeId: 'ask',
          waitId: 'w1',
          kind: 'approval',
          message: 'Send it?',
          payload: { draft: 'Hello' },
          deadline: '2031-01-01T00:00:00.000Z',
          status: 'pending',
        });
        expect(approval.id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(await store.getApproval(approval.id)).toEqual(approval);

        // The node stays waiting across later commits: still one approval.
        await store.commit(run.id, { nodes: { ask: waitingNode('w1') }, events: [event(run.id, 3)] });
        expect(await store.listApprovals({ runId: run.id })).toHaveLength(1);

        const ts = '2030-06-01T12:00:00.000Z';
        await store.commit(run.id, {
          run: { status: 'running' },
          nodes: { ask: { status: 'pending', attempts: 1 } },
          events: [resumed(run.id, 4, ts, { reason: 'decision', waitId: 'w1', decision: { approved: true, by: 'ann', comment: 'fine', payload: { draft: 'Hello!' } } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: 'approved', at: ts, by: 'ann', comment: 'fine', payload: { draft: 'Hello!' } }],
        });
        expect(await store.getApproval(approval.id)).toEqual({
          ...approval,
          status: 'approved',
          decidedAt: ts,
          decidedBy: 'ann',
          comment: 'fine',
          editedPayload: { draft: 'Hello!' },
        });
        expect(await store.listApprovals({ runId: run.id, status: 'pending' })).toEqual([]);
        expect((await store.listApprovals({ flowId: run.flow.id, status: 'approved' })).map((a) => a.id)).toEqual([approval.id]);
      });

      it('keeps a question with its answer form, and its answer once answered', async () => {
        const schema = { type: 'object', properties: { quantity: { type: 'integer' } }, required: ['quantity'] };
        const run = runRecord({ status: 'running' });
        await store.createRun(run);
        const ts = new Date().toISOString();
        const wait = { id: 'q1', kind: 'question' as const, message: 'How many?', schema };
        await store.commit(run.id, {
          run: { status: 'waiting' },
          nodes: { ask: { status: 'waiting', attempts: 1, wait } },
          events: [
            { runId: run.id, seq: 1, ts, type: 'node.started', nodeId: 'ask', data: { kind: 'human-input', attempt: 1 } },
            { runId: run.id, seq: 2, ts, type: 'run.waiting', nodeId: 'ask', data: { waitId: 'q1', kind: 'question', message: 'How many?', schema } },
          ],
          approvals: [{ kind: 'open', nodeId: 'ask', waitId: 'q1', waitKind: 'question', message: 'How many?', schema, at: ts }],
        });
        const [question] = await store.listApprovals({ runId: run.id });
        expect(question).toMatchObject({ kind: 'question', message: 'How many?', schema, status: 'pending' });
        expect(question?.payload).toBeUndefined();
        expect((await store.load(run.id))?.nodes.ask?.wait).toEqual(wait); // a new process finds the form with the wait

        const at = new Date().toISOString();
        await store.commit(run.id, {
          events: [resumed(run.id, 3, at, { reason: 'decision', waitId: 'q1', decision: { approved: true, by: 'ann', answer: { quantity: 4 } } })],
          approvals: [{ kind: 'decide', waitId: 'q1', status: 'answered', at, by: 'ann', payload: { quantity: 4 } }],
        });
        const answered = await store.getApproval(question!.id);
        expect(answered).toMatchObject({ status: 'answered', decidedBy: 'ann', answer: { quantity: 4 }, schema });
        expect(answered?.editedPayload).toBeUndefined();
        expect((await store.listApprovals({ runId: run.id, status: 'answered' })).map((a) => a.id)).toEqual([question!.id]);
      });

      it('records a rejection and a timeout', async () => {
        const rejected = await waitingRun(store);
        const at = new Date().toISOString();
        await store.commit(rejected.run.id, {
          events: [resumed(rejected.run.id, 3, at, { reason: 'decision', waitId: 'w1', decision: { approved: false, by: 'bo' } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: 'rejected', at, by: 'bo' }],
        });
        expect(await store.getApproval(rejected.approval.id)).toMatchObject({ status: 'rejected', decidedBy: 'bo' });

        const timedOut = await waitingRun(store);
        await store.commit(timedOut.run.id, {
          events: [resumed(timedOut.run.id, 3, at, { reason: 'timeout', waitId: 'w1', decision: { approved: false } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: 'timed_out', at }],
        });
        const after = await store.getApproval(timedOut.approval.id);
        expect(after?.status).toBe('timed_out');
        expect(after?.decidedBy).toBeUndefined();
      });

      it('cancels the pending approvals of a run that ends', async () => {
        const { run, approval } = await waitingRun(store);
        const finishedAt = new Date().toISOString();
        await store.commit(run.id, {
          run: { status: 'cancelled', finishedAt },
          events: [{ runId: run.id, seq: 3, ts: finishedAt, type: 'run.cancelled', data: {} }],
          approvals: [{ kind: 'close', at: finishedAt }],
        });
        expect(await store.getApproval(approval.id)).toMatchObject({ status: 'cancelled', decidedAt: finishedAt });
      });

      it('decides a wait once: a second decision refuses its whole commit, naming who decided and when', async () => {
        const { run, approval } = await waitingRun(store);
        const first = '2030-06-01T12:00:00.000Z';
        const decide = (seq: number, by: string, at: string): Commit => ({
          run: { status: 'running' },
          nodes: { ask: { status: 'pending', attempts: 1 } },
          events: [resumed(run.id, seq, at, { reason: 'decision', waitId: 'w1', decision: { approved: by === 'ann', by } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: by === 'ann' ? 'approved' : 'rejected', at, by }],
        });
        // Two answers at once, as from two processes: each continues the same checkpoint.
        const outcomes = await Promise.allSettled([store.commit(run.id, decide(3, 'ann', first)), store.commit(run.id, decide(3, 'bo', first))]);
        expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
        // The second answer after the first is stored: refused by the approval, whatever its seq.
        const late = store.commit(run.id, decide(4, 'bo', new Date().toISOString()));
        await expect(late).rejects.toMatchObject({ code: 'already_decided' });
        await expect(late).rejects.toThrow(/already approved by ann at 2030-06-01T12:00:00.000Z/);
        expect(await store.getApproval(approval.id)).toMatchObject({ status: 'approved', decidedBy: 'ann', decidedAt: first });
        expect((await store.load(run.id))?.lastSeq).toBe(3); // nothing of the refused commits was stored
      });

      it('decides a wait once when two processes answer it at the same moment', async () => {
        const { run, approval } = await waitingRun(store);
        const other = await open();
        try {
          await other.load(run.id); // both processes know the run up to seq 2
          const at = new Date().toISOString();
          const decide = (by: string): Commit => ({
            run: { status: 'running' },
            nodes: { ask: { status: 'pending', attempts: 1 } },
            events: [resumed(run.id, 3, at, { reason: 'decision', waitId: 'w1', decision: { approved: true, by } })],
            approvals: [{ kind: 'decide', waitId: 'w1', status: 'approved', at, by }],
          });
          const outcomes = await Promise.allSettled([store.commit(run.id, decide('ann')), other.commit(run.id, decide('bo'))]);
          const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
          expect(refused).toHaveLength(1);
          const winner = outcomes[0]!.status === 'fulfilled' ? 'ann' : 'bo';
          expect(refused[0]!.reason).toMatchObject({ code: 'already_decided', message: `the wait "w1" of run ${run.id} was already approved by ${winner} at ${at}` });
          expect(await store.getApproval(approval.id)).toMatchObject({ status: 'approved', decidedBy: winner });
          expect((await store.listEvents(run.id)).map((e) => e.seq)).toEqual([1, 2, 3]);
        } finally {
          await other.close();
        }
      });

      it('lists the pending approvals whose deadline has passed', async () => {
        const past = await waitingRun(store, { deadline: '2020-01-01T00:00:00.000Z' });
        const future = await waitingRun(store, { deadline: '2999-01-01T00:00:00.000Z' });
        const none = await waitingRun(store);
        const decided = await waitingRun(store, { deadline: '2020-01-01T00:00:00.000Z' });
        const at = new Date().toISOString();
        await store.commit(decided.run.id, {
          events: [resumed(decided.run.id, 3, at, { reason: 'decision', waitId: 'w1', decision: { approved: true } })],
          approvals: [{ kind: 'decide', waitId: 'w1', status: 'approved', at }],
        });
        const mine = new Set([past, future, none, decided].map((w) => w.approval.id));
        const due = (await store.dueApprovals(new Date('2025-01-01T00:00:00.000Z'))).filter((a) => mine.has(a.id));
        expect(due.map((a) => a.id)).toEqual([past.approval.id]);
        expect((await store.dueApprovals(new Date('2020-01-01T00:00:00.000Z'))).some((a) => a.id === past.approval.id)).toBe(true);
      });
    });
  });
}
