import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreConflict, type Store } from '@trellis/runner/store';
import { flowDoc, uid } from './fixtures.js';

/** Flows and their numbered versions. */
export function flowStoreSuite(name: string, open: () => Promise<Store>): void {
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
  });
}
