import { randomUUID } from 'node:crypto';
import type { Flow, RunEvent, Usage } from '@trellis/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Commit, NodeState, RunRecord } from '../../src/engine/checkpoint.js';
import { StoreConflict, type Store } from '../../src/store/types.js';

/**
 * The Store contract, run against every backend. One database serves the whole suite (as in
 * production, where it is shared), so each test works on ids of its own and filters what it lists.
 */
export function storeSuite(name: string, open: () => Promise<Store>): void {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('flows', () => {
      it('saves numbered versions and reads them back', async () => {
        const id = uid('flow');
        const v1 = await store.saveFlow(flowDoc(id, { name: 'First', description: 'one' }), { message: 'initial' });
        const v2 = await store.saveFlow(flowDoc(id, { name: 'Second' }));
        expect([v1.version, v2.version]).toEqual([1, 2]);
        expect(v1).toMatchObject({ flowId: id, message: 'initial', document: flowDoc(id, { name: 'First', description: 'one' }) });
        expect(v2.message).toBeUndefined();

        const flow = await store.getFlow(id);
        expect(flow).toMatchObject({ id, name: 'Second', latestVersion: 2, document: flowDoc(id, { name: 'Second' }) });
        expect(flow?.description).toBeUndefined();
        expect(flow?.createdAt).toBe(v1.createdAt);
        expect(flow?.updatedAt).toBe(v2.createdAt);

        expect((await store.listVersions(id)).map((v) => [v.version, v.message])).toEqual([
          [2, undefined],
          [1, 'initial'],
        ]);
        expect((await store.getVersion(id, 1))?.document.name).toBe('First');
        expect(await store.getVersion(id, 3)).toBeUndefined();
        const listed = (await store.listFlows()).find((f) => f.id === id);
        expect(listed).toEqual({ id, name: 'Second', latestVersion: 2, createdAt: v1.createdAt, updatedAt: v2.createdAt });
        expect(await store.getFlow(uid('none'))).toBeUndefined();
      });

      it('deletes a flow, keeps its versions, and numbers on when it is saved again', async () => {
        const id = uid('flow');
        await store.saveFlow(flowDoc(id));
        await store.saveFlow(flowDoc(id));
        expect(await store.deleteFlow(id)).toBe(true);
        expect(await store.deleteFlow(id)).toBe(false);
        expect(await store.deleteFlow(uid('none'))).toBe(false);
        expect(await store.getFlow(id)).toBeUndefined();
        expect((await store.listFlows()).some((f) => f.id === id)).toBe(false);
        expect((await store.listVersions(id)).length).toBe(2);
        expect(await store.getVersion(id, 2)).toBeDefined();

        const again = await store.saveFlow(flowDoc(id, { name: 'Back' }), { expectVersion: 0 });
        expect(again.version).toBe(3);
        expect(await store.getFlow(id)).toMatchObject({ name: 'Back', latestVersion: 3 });
      });

      it('refuses a save that expects another version', async () => {
        const id = uid('flow');
        await store.saveFlow(flowDoc(id), { expectVersion: 0 });
        await store.saveFlow(flowDoc(id), { expectVersion: 1 });
        const stale = store.saveFlow(flowDoc(id, { name: 'Stale' }), { expectVersion: 1 });
        await expect(stale).rejects.toBeInstanceOf(StoreConflict);
        await expect(stale).rejects.toThrow(/version 2.*version 1/);
        await expect(store.saveFlow(flowDoc(id), { expectVersion: 0 })).rejects.toBeInstanceOf(StoreConflict);
        expect((await store.getFlow(id))?.latestVersion).toBe(2);
      });

      it('gives concurrent saves distinct versions', async () => {
        const id = uid('flow');
        const saved = await Promise.all(Array.from({ length: 8 }, (_, i) => store.saveFlow(flowDoc(id, { name: `Save ${i}` }))));
        expect(saved.map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
        expect((await store.getFlow(id))?.latestVersion).toBe(8);

        // Two editors who both saw version 8: one wins, the other hears about it.
        const results = await Promise.allSettled([store.saveFlow(flowDoc(id), { expectVersion: 8 }), store.saveFlow(flowDoc(id), { expectVersion: 8 })]);
        expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(StoreConflict) });
      });
    });

    describe('runs and checkpoints', () => {
      it('round-trips a run of an unsaved flow', async () => {
        const run = runRecord({ mocks: { a: { text: 'hi' } }, budget: { maxModelCalls: 3 }, labels: { source: 'test' } });
        await store.createRun(run);
        expect(await store.load(run.id)).toEqual({ run, nodes: {}, lastSeq: 0 });
        expect(await store.getRun(run.id)).toEqual({
          id: run.id,
          flowId: run.flow.id,
          status: 'queued',
          input: run.input,
          usage: run.usage,
          labels: { source: 'test' },
          createdAt: run.createdAt,
        });
        expect(await store.getRun(uid('none'))).toBeUndefined();
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
        expect(await store.getRun(run.id)).toMatchObject({ status: 'succeeded', output: { answer: 42 }, usage: usage(25, null), startedAt, finishedAt: startedAt });
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

      it('serves every run of a version the same flow object', async () => {
        const id = uid('flow');
        const saved = await store.saveFlow(flowDoc(id, { name: 'Versioned' }));
        await store.saveFlow(flowDoc(id, { name: 'Later' }));
        const first = runRecord({ flow: saved.document, flowVersion: 1 });
        const second = runRecord({ flow: saved.document, flowVersion: 1 });
        await Promise.all([store.createRun(first), store.createRun(second)]);
        const [a, b] = await Promise.all([store.load(first.id), store.load(second.id)]);
        expect(a?.run.flow).toEqual(saved.document);
        expect(a?.run.flowVersion).toBe(1);
        expect(b?.run.flow).toBe(a?.run.flow);
        expect((await store.load(first.id))?.run.flow).toBe(a?.run.flow);
        expect(await store.versionDocument(id, 1)).toBe(a?.run.flow);
        expect(await store.versionDocument(id, 9)).toBeUndefined();
        expect(await store.getRun(first.id)).toMatchObject({ flowId: id, flowVersion: 1 });
      });

      it('refuses a run of a version that was never saved', async () => {
        await expect(store.createRun(runRecord({ flowVersion: 7 }))).rejects.toThrow();
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
        expect((await store.listEvents(run.id)).map((e) => e.seq)).toEqual([1, 2]);

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

      it('trusts the database over its memory of the last seq when another process writes the run', async () => {
        const other = await open();
        try {
          const run = runRecord();
          await store.createRun(run);
          await store.commit(run.id, { events: [event(run.id, 1)] });
          await other.load(run.id);
          await other.commit(run.id, { events: [event(run.id, 2)] });
          // This store last wrote seq 1, but the database has 2: seq 3 continues it.
          await store.commit(run.id, { run: { status: 'running' }, events: [event(run.id, 3)] });
          // The other one believes 2 is the last: seq 3 looks right to it, the database knows better.
          await expect(other.commit(run.id, { run: { status: 'failed' }, events: [event(run.id, 3)] })).rejects.toThrow(/already stored/);
          await expect(store.commit(run.id, { events: [event(run.id, 3)] })).rejects.toThrow(/seq 3 breaks the sequence after 3/);
          expect(await store.load(run.id)).toMatchObject({ lastSeq: 3, run: { status: 'running' } });
        } finally {
          await other.close();
        }
      });

      it('lists events after a seq, in order, up to a limit', async () => {
        const run = runRecord();
        await store.createRun(run);
        const events = Array.from({ length: 10 }, (_, i) => event(run.id, i + 1));
        await store.commit(run.id, { events: events.slice(0, 4) });
        await store.commit(run.id, { events: events.slice(4) });
        expect(await store.listEvents(run.id)).toEqual(events);
        expect(await store.listEvents(run.id, { afterSeq: 3, limit: 4 })).toEqual(events.slice(3, 7));
        expect(await store.listEvents(run.id, { afterSeq: 10 })).toEqual([]);
        expect(await store.listEvents(uid('none'))).toEqual([]);
      });

      it('lists runs newest first, filtered, across pages without duplicates', async () => {
        const flowId = uid('flow');
        const base = Date.parse('2030-01-01T00:00:00.000Z');
        const runs: RunRecord[] = [];
        for (let i = 0; i < 23; i++) {
          // Pairs share a timestamp, so the id must break ties for the pages to be stable.
          const createdAt = new Date(base + Math.floor(i / 2) * 1000).toISOString();
          const status = i % 3 === 0 ? 'succeeded' : 'failed';
          runs.push(runRecord({ flow: flowDoc(flowId), createdAt, status, ...(i % 4 === 0 ? { labels: { source: 'endpoint', slug: `${flowId}-slug` } } : {}) }));
        }
        await Promise.all(runs.map((r) => store.createRun(r)));
        const newestFirst = [...runs].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1));

        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.listRuns({ flowId, limit: 5, ...(cursor ? { cursor } : {}) });
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor);
        expect(pages).toBe(5);
        expect(seen).toEqual(newestFirst.map((r) => r.id));

        const failed = await store.listRuns({ flowId, status: 'failed', limit: 200 });
        expect(failed.items.map((r) => r.id)).toEqual(newestFirst.filter((r) => r.status === 'failed').map((r) => r.id));
        expect(failed.nextCursor).toBeUndefined();
        const bySlug = await store.listRuns({ slug: `${flowId}-slug` });
        expect(bySlug.items.map((r) => r.id)).toEqual(newestFirst.filter((r) => r.labels?.slug).map((r) => r.id));
        expect(bySlug.items[0]?.labels).toEqual({ source: 'endpoint', slug: `${flowId}-slug` });

        expect((await store.listRuns({ flowId, limit: 0 })).items).toHaveLength(1);
        expect((await store.listRuns({ flowId })).items).toHaveLength(23);
        await expect(store.listRuns({ flowId, cursor: 'not-a-cursor' })).rejects.toThrow(/cursor/);
      });

      it('names the runs left queued or running', async () => {
        const statuses = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
        const runs = statuses.map((status) => runRecord({ status }));
        for (const run of runs) await store.createRun(run);
        const mine = new Set(runs.map((r) => r.id));
        const unfinished = (await store.unfinishedRuns()).filter((id) => mine.has(id));
        expect(unfinished.sort()).toEqual([runs[0]!.id, runs[1]!.id].sort());
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
          expect((await store.listEvents(r.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
        }
      });

      it('fails only the bad commit of a batch, and the later commits of its run', async () => {
        const [good, bad, other] = [runRecord(), runRecord(), runRecord()];
        await Promise.all([good, bad, other].map((r) => store.createRun(r)));
        const results = await Promise.allSettled([
          store.commit(good.id, { events: [event(good.id, 1)] }),
          store.commit(bad.id, { events: [event(bad.id, 2)] }),
          store.commit(other.id, { events: [event(other.id, 1)] }),
          store.commit(bad.id, { events: [event(bad.id, 1)] }),
          store.commit(good.id, { events: [event(good.id, 2)] }),
        ]);
        expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
        expect((await store.load(good.id))?.lastSeq).toBe(2);
        expect((await store.load(bad.id))?.lastSeq).toBe(0);
        expect((await store.load(other.id))?.lastSeq).toBe(1);
      });
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

    describe('published endpoints', () => {
      it('publishes, moves, lists and unpublishes a slug', async () => {
        const flowId = uid('flow');
        await store.saveFlow(flowDoc(flowId));
        await store.saveFlow(flowDoc(flowId));
        const slug = uid('slug');
        const published = await store.publish({ slug, flowId, version: 1, cors: { origins: ['https://example.com'] } });
        expect(published).toMatchObject({ slug, flowId, version: 1, cors: { origins: ['https://example.com'] } });
        expect(await store.getPublished(slug)).toEqual(published);

        const moved = await store.publish({ slug, flowId, version: 2 });
        expect(moved).toMatchObject({ version: 2, cors: null });
        expect(await store.getPublished(slug)).toEqual(moved);
        const second = uid('slug');
        await store.publish({ slug: second, flowId, version: 2 });
        expect((await store.listPublished()).filter((p) => p.flowId === flowId).map((p) => p.slug)).toEqual([slug, second].sort());

        expect(await store.unpublish(slug)).toBe(true);
        expect(await store.unpublish(slug)).toBe(false);
        expect(await store.getPublished(slug)).toBeUndefined();
      });

      it('refuses a missing version and a slug of another flow', async () => {
        const [a, b] = [uid('flow'), uid('flow')];
        await store.saveFlow(flowDoc(a));
        await store.saveFlow(flowDoc(b));
        await expect(store.publish({ slug: uid('slug'), flowId: a, version: 2 })).rejects.toThrow(/no version 2/);
        const slug = uid('slug');
        await store.publish({ slug, flowId: a, version: 1 });
        await expect(store.publish({ slug, flowId: b, version: 1 })).rejects.toBeInstanceOf(StoreConflict);
        expect((await store.getPublished(slug))?.flowId).toBe(a);
      });

      it('unpublishes the slugs of a deleted flow', async () => {
        const flowId = uid('flow');
        await store.saveFlow(flowDoc(flowId));
        const slug = uid('slug');
        await store.publish({ slug, flowId, version: 1 });
        await store.deleteFlow(flowId);
        expect(await store.getPublished(slug)).toBeUndefined();
        await expect(store.publish({ slug, flowId, version: 1 })).rejects.toThrow();
      });
    });

    describe('api keys and settings', () => {
      it('creates, finds, touches and revokes keys', async () => {
        const hash = uid('hash');
        const key = await store.createKey({ name: 'CI', hash, prefix: 'trl_ab', slugs: ['triage'], rateLimit: { requests: 10, windowSeconds: 60 } });
        expect(key).toMatchObject({ name: 'CI', prefix: 'trl_ab', slugs: ['triage'], rateLimit: { requests: 10, windowSeconds: 60 } });
        expect(key).not.toHaveProperty('hash');
        const open = await store.createKey({ name: 'Any', hash: uid('hash'), prefix: 'trl_cd', slugs: null, rateLimit: null });
        expect(open).toMatchObject({ slugs: null, rateLimit: null });
        await expect(store.createKey({ name: 'Dup', hash, prefix: 'x', slugs: null, rateLimit: null })).rejects.toThrow();

        const listed = (await store.listKeys()).filter((k) => k.id === key.id || k.id === open.id);
        expect(listed).toHaveLength(2);
        expect(listed).toEqual(expect.arrayContaining([key, open]));
        expect(await store.findKeyByHash(hash)).toEqual({ ...key, hash });
        expect(await store.findKeyByHash(uid('none'))).toBeUndefined();

        const at = new Date('2030-02-03T04:05:06.000Z');
        await store.touchKey(key.id, at);
        expect((await store.findKeyByHash(hash))?.lastUsedAt).toBe(at.toISOString());

        expect(await store.revokeKey(key.id)).toBe(true);
        expect(await store.revokeKey(key.id)).toBe(false);
        expect(await store.revokeKey(uid('none'))).toBe(false);
        expect((await store.findKeyByHash(hash))?.revokedAt).toEqual(expect.any(String));
      });

      it('keeps small settings', async () => {
        const key = uid('meta');
        expect(await store.getMeta(key)).toBeUndefined();
        await store.setMeta(key, 'a');
        await store.setMeta(key, 'b');
        expect(await store.getMeta(key)).toBe('b');
      });
    });

    it('keeps everything across closing and opening again, writing what was queued at close', async () => {
      const first = await open();
      const flowId = uid('flow');
      await first.saveFlow(flowDoc(flowId));
      const run = runRecord({ flow: flowDoc(flowId), flowVersion: 1 });
      await first.createRun(run);
      const queued = first.commit(run.id, { run: { status: 'running' }, nodes: { a: { status: 'running', attempts: 1 } }, events: [event(run.id, 1)] });
      const key = uid('meta');
      await first.setMeta(key, 'kept');
      await first.close();
      await queued;
      await expect(first.commit(run.id, { events: [event(run.id, 2)] })).rejects.toThrow(/closed/);

      const second = await open();
      try {
        expect(await second.getMeta(key)).toBe('kept');
        expect((await second.getFlow(flowId))?.latestVersion).toBe(1);
        const snapshot = await second.load(run.id);
        expect(snapshot).toMatchObject({ lastSeq: 1, run: { status: 'running', flowVersion: 1, flow: flowDoc(flowId) }, nodes: { a: { status: 'running' } } });
        await second.commit(run.id, { events: [event(run.id, 2)] });
      } finally {
        await second.close();
      }
    });
  });
}

function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

function flowDoc(id: string, extra: { name?: string; description?: string } = {}): Flow {
  return {
    schema: 'trellis.flow/v1',
    id,
    name: extra.name ?? 'Test flow',
    ...(extra.description ? { description: extra.description } : {}),
    nodes: [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } }],
    edges: [],
  };
}

function usage(totalTokens = 0, costUsd: number | null = 0): Usage {
  return { inputTokens: totalTokens, outputTokens: 0, totalTokens, modelCalls: totalTokens ? 1 : 0, costUsd };
}

function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: uid('run'),
    flow: flowDoc(uid('inline')),
    input: { message: 'hello', n: 1 },
    status: 'queued',
    usage: usage(),
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

function event(runId: string, seq: number): RunEvent {
  return { runId, seq, ts: new Date(Date.UTC(2030, 0, 1, 0, 0, seq)).toISOString(), type: 'node.delta', nodeId: 'a', data: { text: `part ${seq}` } };
}

/** Commits like the engine's: a node starts, then completes, one commit per step. */
function stepCommits(runId: string, from: number, to: number): Commit[] {
  return Array.from({ length: to - from }, (_, k) => {
    const step = from + k;
    const nodeId = `n${step === 0 ? 0 : 5}`;
    const seq = step * 2 + 1;
    return {
      run: { status: 'running', usage: usage(step) },
      nodes: { [nodeId]: { status: 'succeeded', attempts: 1, output: step === 0 ? 0 : 5 } },
      events: [
        { runId, seq, ts: new Date().toISOString(), type: 'node.started', nodeId, data: { kind: 'prompt', attempt: 1 } },
        { runId, seq: seq + 1, ts: new Date().toISOString(), type: 'node.delta', nodeId, data: { text: `step ${step}` } },
      ],
    };
  });
}

function waitingNode(waitId: string, extra: { payload?: unknown; deadline?: string } = {}): NodeState {
  return { status: 'waiting', attempts: 1, wait: { id: waitId, kind: 'approval', message: 'Send it?', ...extra }, saved: { draft: 1 } };
}

function resumed(runId: string, seq: number, ts: string, data: Extract<RunEvent, { type: 'run.resumed' }>['data']): RunEvent {
  return { runId, seq, ts, type: 'run.resumed', nodeId: 'ask', data };
}

/** A run whose node `ask` waits on `w1`, committed as the engine does; with its approval. */
async function waitingRun(store: Store, extra: { payload?: unknown; deadline?: string } = {}) {
  const run = runRecord({ status: 'running' });
  await store.createRun(run);
  const ts = new Date().toISOString();
  await store.commit(run.id, {
    run: { status: 'waiting' },
    nodes: { ask: waitingNode('w1', extra) },
    events: [
      { runId: run.id, seq: 1, ts, type: 'node.started', nodeId: 'ask', data: { kind: 'approval', attempt: 1 } },
      { runId: run.id, seq: 2, ts, type: 'run.waiting', nodeId: 'ask', data: { waitId: 'w1', kind: 'approval', message: 'Send it?', ...extra } },
    ],
    approvals: [{ kind: 'open', nodeId: 'ask', waitId: 'w1', waitKind: 'approval', message: 'Send it?', ...extra, at: ts }],
  });
  const approvals = await store.listApprovals({ runId: run.id });
  expect(approvals).toHaveLength(1);
  expect(approvals[0]?.createdAt).toBe(ts);
  return { run, approval: approvals[0]! };
}
