import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@trellis/runner/store';
import { uid } from './fixtures.js';

/** Credentials: sealed values in, listed without them. */
export function credentialStoreSuite(name: string, open: () => Promise<Store>): void {
  describe(`store: ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => {
      await store?.close();
    });

    describe('credentials', () => {
      const sealed = (text: string) => ({ ciphertext: `c-${text}`, iv: `i-${text}`, tag: `t-${text}` });

      it('puts, lists without values, replaces, touches and deletes', async () => {
        const secret = uid('cred');
        const key = uid('cred');
        const created = await store.putCredential({ name: secret, kind: 'secret', sealed: sealed('one') });
        expect(created).toEqual({ name: secret, kind: 'secret', createdAt: expect.any(String), updatedAt: created.createdAt });
        await store.putCredential({ name: key, kind: 'provider', provider: 'openai', sealed: sealed('key') });

        const listed = (await store.listCredentials()).filter((c) => c.name === secret || c.name === key);
        expect(listed.map((c) => c.name)).toEqual([secret, key].sort());
        expect(JSON.stringify(listed)).not.toMatch(/c-one|c-key|ciphertext/);
        expect(listed.find((c) => c.name === key)).toMatchObject({ kind: 'provider', provider: 'openai' });
        expect(await store.getCredential(secret)).toEqual({ ...created, sealed: sealed('one') });

        await new Promise((r) => setTimeout(r, 5));
        const replaced = await store.putCredential({ name: secret, kind: 'secret', sealed: sealed('two') });
        expect(replaced.createdAt).toBe(created.createdAt);
        expect(replaced.updatedAt > created.updatedAt).toBe(true);
        expect((await store.getCredential(secret))?.sealed).toEqual(sealed('two'));

        const at = new Date('2030-01-02T03:04:05.000Z');
        await store.touchCredential(secret, at);
        expect((await store.getCredential(secret))?.lastUsedAt).toBe(at.toISOString());

        expect(await store.deleteCredential(secret)).toBe(true);
        expect(await store.deleteCredential(secret)).toBe(false);
        expect(await store.getCredential(secret)).toBeUndefined();
        expect(await store.getCredential(uid('none'))).toBeUndefined();
      });
    });
  });
}
