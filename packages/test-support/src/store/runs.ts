import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '@trellis/runner';
import type { Store } from '@trellis/runner/store';
import { event, flowDoc, runRecord, uid, usage } from './fixtures.js';

/** Opens a store on the suite's database; `runner` as StoreOptions.runner (another process of the same runner, a short lease). */
export type OpenStore = (options?: { runner?: { id?: string; leaseMs?: number } }) => Promise<Store>;

/**
 * Two stores on the suite's database for the tests of a describe block, standing for two runner
 * processes (each its own runner id); opened one after the other, since the first migrates a
 * fresh database, and closed after the block.
 */
export function twoRunners(open: OpenStore, take: (stores: { a: Store; b: Store }) => void): void {
  const opened: Store[] = [];
  beforeAll(async () => {
    opened.push(await open());
    opened.push(await open());
    take({ a: opened[0]!, b: opened[1]! });
  });
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
  });
}

/** Runs as the API reads them (summaries, traces, pages), across processes and restarts. */
export function runStoreSuite(name: string, open: OpenStore): void {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
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

      it('summarises a run as its commits change it', async () => {
        const run = runRecord();
        await store.createRun(run);
        const startedAt = new Date().toISOString();
        await store.commit(run.id, { run: { status: 'running', startedAt, usage: usage(10, 0.5) }, events: [event(run.id, 1)] });
        await store.commit(run.id, { run: { status: 'succeeded', output: { answer: 42 }, usage: usage(25, null), finishedAt: startedAt }, events: [event(run.id, 2)] });
        expect(await store.getRun(run.id)).toMatchObject({ status: 'succeeded', output: { answer: 42 }, usage: usage(25, null), startedAt, finishedAt: startedAt });
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

      it('trusts the database over its memory of the last seq when another process writes the run', async () => {
        // Another process of the same runner (as one restarted with the same TRELLIS_RUNNER_ID): it holds the run too.
        const other = await open({ runner: { id: store.runnerId } });
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

      // The same runner started again (the run is still its own: its lease has not run out).
      const second = await open({ runner: { id: first.runnerId } });
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
