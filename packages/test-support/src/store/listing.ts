import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus, WaitKind } from '@trellis/schema';
import type { RunRecord } from '@trellis/runner';
import type { Store } from '@trellis/runner/store';
import { flowDoc, runRecord, uid } from './fixtures.js';

type Listed = { id: string };

/** Every page of a list, following its cursors. */
async function allPages(list: (cursor?: string) => Promise<{ items: Listed[]; nextCursor?: string }>): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    seen.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  return seen;
}

const newestFirst = (runs: RunRecord[]) => [...runs].sort((a, b) => (a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1)).map((r) => r.id);

/** The Runs page and the inbox (store/listing.ts): filters, combined filters, pages stable under inserts, the badge. */
export function listingStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(`store: ${name}: runs and inbox listings`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    it('filters runs by flow, statuses, slug, dates and parent, alone and combined', async () => {
      const tag = uid('t');
      const [flowA, flowB] = [`${tag}-a`, `${tag}-b`];
      const parent = runRecord({ flow: flowDoc(flowA), status: 'waiting', createdAt: '2031-01-01T00:00:00.000Z' });
      await store.createRun(parent);
      const statuses: RunStatus[] = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'];
      const runs: RunRecord[] = [];
      for (let i = 0; i < 36; i++) {
        const day = String(1 + (i % 6)).padStart(2, '0');
        runs.push(
          runRecord({
            flow: flowDoc(i % 2 ? flowB : flowA),
            status: statuses[i % 6]!,
            createdAt: `2031-02-${day}T10:00:${String(i).padStart(2, '0')}.000Z`,
            ...(i % 3 === 0 ? { labels: { source: 'endpoint', slug: `${tag}-slug` } } : {}),
            ...(i % 4 === 0 ? { parent: { runId: parent.id, nodeId: 'sub', depth: 2 } } : {}),
          }),
        );
      }
      await Promise.all(runs.map((r) => store.createRun(r)));
      const all = [parent, ...runs];
      const list = async (query: Parameters<Store['listRuns']>[0]) => allPages((cursor) => store.listRuns({ ...query, limit: 4, ...(cursor ? { cursor } : {}) }));
      const expectList = async (query: Parameters<Store['listRuns']>[0], keep: (r: RunRecord) => boolean) => {
        expect(await list(query)).toEqual(newestFirst(all.filter(keep)));
      };
      const mine = (r: RunRecord) => r.flow.id.startsWith(tag);
      await expectList({ flowId: flowA }, (r) => r.flow.id === flowA);
      await expectList({ flowId: flowB, status: 'failed' }, (r) => r.flow.id === flowB && r.status === 'failed');
      await expectList({ flowId: flowA, status: 'waiting,failed , queued' }, (r) => r.flow.id === flowA && ['waiting', 'failed', 'queued'].includes(r.status));
      await expectList({ slug: `${tag}-slug` }, (r) => r.labels?.slug === `${tag}-slug`);
      await expectList({ slug: `${tag}-slug`, status: 'succeeded,cancelled' }, (r) => r.labels?.slug === `${tag}-slug` && ['succeeded', 'cancelled'].includes(r.status));
      await expectList({ parentRunId: parent.id }, (r) => r.parent?.runId === parent.id);
      await expectList({ parentRunId: parent.id, status: 'queued' }, (r) => r.parent?.runId === parent.id && r.status === 'queued');
      // `from` is inclusive, `to` exclusive; a date alone is midnight UTC.
      await expectList({ flowId: flowB, from: '2031-02-03', to: '2031-02-05T00:00:00Z' }, (r) => r.flow.id === flowB && r.createdAt >= '2031-02-03' && r.createdAt < '2031-02-05');
      await expectList({ flowId: flowA, from: '2031-02-06T10:00:00.000Z' }, (r) => r.flow.id === flowA && r.createdAt >= '2031-02-06T10:00:00.000Z');
      await expectList({ status: 'running', from: '2031-02-01', to: '2031-03-01' }, (r) => mine(r) && r.status === 'running');
      await expectList({ flowId: flowA, slug: `${tag}-slug`, status: 'queued,waiting', from: '2031-02-01' }, (r) => r.flow.id === flowA && r.labels?.slug === `${tag}-slug` && ['queued', 'waiting'].includes(r.status));
    });

    it('pages stay whole while runs are inserted: none twice, none skipped', async () => {
      const flowId = uid('paging');
      const base = Date.parse('2031-05-01T00:00:00.000Z');
      // Pairs share a timestamp: the id breaks ties.
      const before = Array.from({ length: 30 }, (_, i) => runRecord({ flow: flowDoc(flowId), status: i % 2 ? 'failed' : 'waiting', createdAt: new Date(base + Math.floor(i / 2) * 1000).toISOString() }));
      await Promise.all(before.map((r) => store.createRun(r)));
      const seen: string[] = [];
      let cursor: string | undefined;
      let inserted = 0;
      do {
        const page = await store.listRuns({ flowId, status: 'waiting,failed', limit: 7, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
        // Newer runs arrive between pages: they belong before the first page, and shift no later one.
        await store.createRun(runRecord({ flow: flowDoc(flowId), status: 'waiting', createdAt: new Date(base + 3_600_000 + inserted++).toISOString() }));
      } while (cursor);
      expect(seen).toEqual(newestFirst(before));
      expect(new Set(seen).size).toBe(seen.length);
    });

    it('refuses a bad status, date or cursor, naming it', async () => {
      await expect(store.listRuns({ status: 'waiting,bogus' })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('status') });
      await expect(store.listRuns({ from: 'yesterday' })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('from') });
      await expect(store.listRuns({ to: '2031-13-45' })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringContaining('to') });
      await expect(store.listRuns({ cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({ code: 'invalid_cursor', message: expect.stringContaining('cursor') });
      await expect(store.listInbox({ cursor: Buffer.from('["not a date","x"]').toString('base64url') })).rejects.toMatchObject({ code: 'invalid_cursor' });
    });

    it('lists the inbox across flows: pending oldest first, the history newest first with who decided, by kind and flow; counts the badge', async () => {
      const tag = uid('inbox');
      const flows = [`${tag}-a`, `${tag}-b`];
      await store.saveFlow(flowDoc(flows[0]!, { name: 'Refunds' }));
      const countBefore = await store.countInbox();
      const opened: Array<{ runId: string; waitId: string; kind: WaitKind; flowId: string }> = [];
      let minute = 0;
      const at = () => new Date(Date.UTC(2031, 6, 1, 0, minute++)).toISOString();
      for (let i = 0; i < 6; i++) {
        const flowId = flows[i % 2]!;
        const run = runRecord({ flow: flowDoc(flowId), status: 'running', ...(flowId === flows[0] ? { flowVersion: 1 } : {}) });
        await store.createRun(run);
        // Runs 0 and 1 wait on two things each.
        const waits = i < 2 ? 2 : 1;
        for (let w = 0; w < waits; w++) {
          const kind: WaitKind = (i + w) % 3 === 0 ? 'question' : (i + w) % 3 === 1 ? 'approval' : 'tool_approval';
          const ts = at();
          await store.commit(run.id, {
            run: { status: 'waiting' },
            events: [{ runId: run.id, seq: w + 1, ts, type: 'run.waiting', nodeId: `n${w}`, data: { waitId: `w${w}`, kind, message: `Ask ${i}.${w}` } }],
            approvals: [{ kind: 'open', nodeId: `n${w}`, waitId: `w${w}`, waitKind: kind, message: `Ask ${i}.${w}`, at: ts, ...(kind === 'question' ? { schema: { type: 'object' } } : {}) }],
          });
          opened.push({ runId: run.id, waitId: `w${w}`, kind, flowId });
        }
      }
      // Three are decided, in order, by name.
      for (const [k, who] of [[0, 'Ada'], [3, 'Grace'], [5, 'Ada']] as const) {
        const { runId, waitId, kind } = opened[k]!;
        await store.commit(runId, {
          events: [],
          approvals: [{ kind: 'decide', waitId, status: kind === 'question' ? 'answered' : 'approved', at: at(), by: who, ...(kind === 'question' ? { payload: { ok: true } } : { comment: 'fine' }) }],
        });
      }
      const ids = (query: Parameters<Store['listInbox']>[0]) => allPages((cursor) => store.listInbox({ ...query, limit: 2, ...(cursor ? { cursor } : {}) }));
      const inboxOf = async (query: Parameters<Store['listInbox']>[0]) => {
        const items = [];
        for (const flowId of flows) {
          let cursor: string | undefined;
          do {
            const page = await store.listInbox({ ...query, flowId, limit: 2, ...(cursor ? { cursor } : {}) });
            items.push(...page.items);
            cursor = page.nextCursor;
          } while (cursor);
        }
        return items;
      };
      const pending = await inboxOf({});
      expect(pending).toHaveLength(5);
      expect(pending.every((a) => a.status === 'pending')).toBe(true);
      for (const flowId of flows) {
        const mine = pending.filter((a) => a.flowId === flowId).map((a) => a.createdAt);
        expect(mine).toEqual([...mine].sort()); // oldest first
      }
      expect(pending.find((a) => a.flowId === flows[0])).toMatchObject({ flowName: 'Refunds', nodeId: expect.any(String), message: expect.stringMatching(/^Ask /) });

      const history = await store.listInbox({ status: 'decided', flowId: flows[0] });
      const historyB = await store.listInbox({ status: 'decided', flowId: flows[1] });
      const decided = [...history.items, ...historyB.items];
      expect(decided.map((a) => a.decidedBy).sort()).toEqual(['Ada', 'Ada', 'Grace']);
      expect(history.items.map((a) => a.createdAt)).toEqual(history.items.map((a) => a.createdAt).sort().reverse()); // newest first
      expect(decided.every((a) => a.decidedAt && ['approved', 'answered'].includes(a.status))).toBe(true);
      expect(decided.find((a) => a.status === 'answered')).toMatchObject({ kind: 'question', answer: { ok: true } });

      const questions = await inboxOf({ status: 'any', kind: 'question' });
      expect(questions.map((a) => a.kind)).toEqual(opened.filter((o) => o.kind === 'question').map(() => 'question'));
      expect(await ids({ status: 'any', runId: opened[0]!.runId })).toHaveLength(2);
      expect((await store.listInbox({ status: 'approved', flowId: flows[0] })).items.every((a) => a.status === 'approved')).toBe(true);

      const countAfter = await store.countInbox();
      // Pending: 5 of 8; runs waiting on a person: runs 0 and 1 (one of their two waits left), 2, 4 and 5 (run 3's one wait was answered).
      expect(countAfter.pending - countBefore.pending).toBe(5);
      expect(countAfter.runsWaiting - countBefore.runsWaiting).toBe(5);
    });
  });
}
