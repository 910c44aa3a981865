import { describe, expect, it } from 'vitest';
import type { Store } from '@trellis/runner/store';
import { event, runRecord, uid } from './fixtures.js';
import { twoRunners, type OpenStore } from './runs.js';

/**
 * Leases: runners sharing one database, each executing only the runs it holds. Two stores on
 * the suite's database stand for two runner processes.
 */
export function leaseStoreSuite(name: string, open: OpenStore): void {
  describe(`store: ${name}: run leases`, () => {
    let a: Store;
    let b: Store;
    twoRunners(open, (stores) => ({ a, b } = stores));

    /** A run `holder` created and started (so it holds it). */
    async function started(holder: Store) {
      const run = runRecord();
      await holder.createRun(run);
      await holder.commit(run.id, { run: { status: 'running' }, nodes: { a: { status: 'running', attempts: 1 } }, events: [event(run.id, 1)] });
      return run;
    }

    it('gives each store a runner of its own', () => {
      expect(a.runnerId).not.toBe(b.runnerId);
      expect(a.leaseMs).toBeGreaterThan(0);
    });

    it('keeps a run with the runner that created it: another can neither claim it, take it over, nor write to it', async () => {
      const run = await started(a);
      expect(await b.claimRun(run.id)).toBe(false);
      expect(await b.claimRuns(1000)).not.toContain(run.id);
      const refused = b.commit(run.id, { events: [event(run.id, 2)] });
      await expect(refused).rejects.toMatchObject({ code: 'run_held' });
      await expect(refused).rejects.toThrow(new RegExp(`run ${run.id} is held by another runner \\(${a.runnerId}\\) until \\d{4}-`));
      // The holder goes on as before, and nothing of the refused write is stored.
      await a.commit(run.id, { events: [event(run.id, 2)] });
      expect((await a.listEvents(run.id)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await a.renewLeases([run.id])).toEqual([]);
    });

    it('queues a run held by nobody; one runner claims it with its checkpoint, and of runs listed claims only those free and unfinished', async () => {
      const queued = runRecord();
      await a.createRun(queued, { held: false });
      expect(await a.freeRuns(100_000)).toContain(queued.id);
      // Still queued when created after the given moment: the sweep leaves it to its own job a while.
      expect(await a.freeRuns(100_000, new Date(Date.parse(queued.createdAt) - 1000).toISOString())).not.toContain(queued.id);
      const mine = await started(a);
      const ended = await started(a);
      await a.commit(ended.id, { run: { status: 'succeeded', finishedAt: new Date().toISOString() }, events: [event(ended.id, 2)] });

      const taken = await b.claimListed([queued.id, mine.id, ended.id, 'no-such-run']);
      expect(taken.map((t) => t.runId)).toEqual([queued.id]);
      // Never started: its checkpoint is its row (no node, no event), read in the same statement.
      expect(taken[0]!.snapshot).toMatchObject({ run: { id: queued.id, status: 'queued', input: queued.input }, nodes: {}, lastSeq: 0 });
      // Claimed once: the other runner finds it held, and B writes to it as its holder.
      expect(await a.claimListed([queued.id])).toEqual([]);
      await b.commit(queued.id, { run: { status: 'running' }, events: [event(queued.id, 1)] });
      // A started run comes without a checkpoint: it is read as a resume reads it.
      await b.releaseLeases();
      const again = await a.claimListed([queued.id]);
      expect(again).toEqual([{ runId: queued.id }]);
    });

    it('lets another runner take over a run whose lease ran out, and refuses the old holder from then on', async () => {
      const short = await open({ runner: { leaseMs: 150 } });
      try {
        const run = await started(short);
        expect(await b.claimRun(run.id)).toBe(false);
        await new Promise((resolve) => setTimeout(resolve, 250));
        expect(await b.claimRuns(1000)).toContain(run.id);
        await b.commit(run.id, { events: [event(run.id, 2)] });
        // The old holder stalled past its lease: it learns so when it renews, and its writes are refused.
        expect(await short.renewLeases([run.id])).toEqual([run.id]);
        await expect(short.commit(run.id, { events: [event(run.id, 3)] })).rejects.toMatchObject({ code: 'run_held' });
        expect((await b.listEvents(run.id)).map((e) => e.seq)).toEqual([1, 2]);
      } finally {
        await short.close();
      }
    });

    it('lets go of a run that waits for a person or ends, so any runner may go on with it', async () => {
      const waiting = await started(a);
      await a.commit(waiting.id, { run: { status: 'waiting' }, events: [event(waiting.id, 2)] });
      expect(await b.claimRun(waiting.id)).toBe(true);
      await b.commit(waiting.id, { run: { status: 'running' }, events: [event(waiting.id, 3)] });
      await expect(a.commit(waiting.id, { events: [event(waiting.id, 4)] })).rejects.toMatchObject({ code: 'run_held' });

      const ended = await started(a);
      await a.commit(ended.id, { run: { status: 'succeeded', finishedAt: new Date().toISOString() }, events: [event(ended.id, 2)] });
      // Free, but not for taking over: only unfinished runs are.
      expect(await b.claimRuns(1000)).not.toContain(ended.id);
      // A heartbeat that still counts the ended run as executing here hears it was let go, not taken:
      // nothing is abandoned, and no "another runner took this run over" is logged.
      expect(await a.renewLeases([ended.id])).toEqual([]);
      expect(await b.claimRun(ended.id)).toBe(true);
      expect(await a.renewLeases([ended.id])).toEqual([ended.id]);
    });

    it('lets go of named runs only when they need no executing: a waiting one claimed for an answer that was refused', async () => {
      const running = await started(a);
      expect(await a.releaseLeases([running.id])).toBe(0);
      expect(await b.claimRun(running.id)).toBe(false);

      const waiting = await started(a);
      await a.commit(waiting.id, { run: { status: 'waiting' }, events: [event(waiting.id, 2)] });
      expect(await a.claimRun(waiting.id)).toBe(true);
      expect(await b.claimRun(waiting.id)).toBe(false);
      expect(await a.releaseLeases([waiting.id])).toBe(1);
      expect(await b.claimRun(waiting.id)).toBe(true);
      expect(await a.releaseLeases([])).toBe(0);
    });

    it('keeps a cancel asked through another runner for the runner holding the run, and none for a run that ended', async () => {
      const run = await started(a);
      expect(await a.cancelRequests([run.id])).toEqual(new Map());
      expect(await b.requestCancel(run.id, 'stop, please')).toBe(true);
      expect(await a.cancelRequests([run.id, 'no-such-run'])).toEqual(new Map([[run.id, 'stop, please']]));
      const ended = await started(a);
      await a.commit(ended.id, { run: { status: 'succeeded', finishedAt: new Date().toISOString() }, events: [event(ended.id, 2)] });
      expect(await b.requestCancel(ended.id, 'too late')).toBe(false);
      expect(await b.requestCancel('no-such-run', 'nothing')).toBe(false);
      expect(await a.cancelRequests([ended.id])).toEqual(new Map());
    });

    it('hands every run back at once when its runner lets go (a graceful stop)', async () => {
      const leaving = await open();
      const runs = [await started(leaving), await started(leaving)];
      expect(await b.claimRuns(1000)).not.toContain(runs[0]!.id);
      expect(await leaving.releaseLeases()).toBe(2);
      await leaving.close();
      const taken = await b.claimRuns(1000);
      for (const run of runs) expect(taken).toContain(run.id);
    });

    it('gives each unheld run to exactly one of the runners claiming at once', async () => {
      const id = uid('claim');
      const leaving = await open();
      const runs = await Promise.all(Array.from({ length: 12 }, () => started(leaving)));
      await leaving.releaseLeases();
      await leaving.close();
      const c = await open();
      try {
        const claims = await Promise.all([a.claimRuns(1000), b.claimRuns(1000), c.claimRuns(1000), a.claimRuns(1000), b.claimRuns(1000)]);
        const mine = new Set(runs.map((r) => r.id));
        const claimed = claims.flat().filter((runId) => mine.has(runId));
        expect(claimed.sort(), id).toEqual([...mine].sort());
      } finally {
        await c.close();
      }
    });
  });
}
