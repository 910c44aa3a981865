import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreConflict, type Store } from '@trellis/runner/store';
import { flowDoc, uid } from './fixtures.js';

/** Published endpoints, API keys and settings. */
export function publishingStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
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
  });
}
