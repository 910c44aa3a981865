import { describe, expect, it } from 'vitest';
import type { Store } from '@trellis/runner/store';
import { uid } from './fixtures.js';
import { twoRunners, type OpenStore } from './runs.js';

/** Token buckets shared by the runners on one database (rate limits, the failed-key throttle); two stores stand for two runners. */
export function tokenBucketStoreSuite(name: string, open: OpenStore): void {
  describe(`store: ${name}: token buckets`, () => {
    let a: Store;
    let b: Store;
    twoRunners(open, (stores) => ({ a, b } = stores));

    it('gives a burst up to the capacity, then says how long until the next token', async () => {
      const bucket = uid('bucket');
      const waits = [];
      for (let i = 0; i < 4; i++) waits.push(await a.takeToken(bucket, 3, 60_000));
      expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
      // One token in 60 s / 3: about 20 s away.
      expect(waits[3]).toBeGreaterThan(19_000);
      expect(waits[3]).toBeLessThanOrEqual(20_000);
      expect(await a.tokensLeft(bucket, 3, 60_000)).toBeLessThan(1);
      expect(await b.tokensLeft(uid('none'), 3, 60_000)).toBe(3);
    });

    it('shares a bucket between runners taking at the same moment: never more tokens than it holds', async () => {
      const bucket = uid('shared');
      const takes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).takeToken(bucket, 7, 3_600_000)));
      expect(takes.filter((wait) => wait === 0)).toHaveLength(7);
    });

    it('refills over the window, and forgets buckets that are full again', async () => {
      const bucket = uid('refill');
      expect(await a.takeToken(bucket, 2, 200)).toBe(0);
      expect(await a.takeToken(bucket, 2, 200)).toBe(0);
      expect(await b.takeToken(bucket, 2, 200)).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await b.tokensLeft(bucket, 2, 200)).toBe(2);
      expect(await b.pruneTokens()).toBeGreaterThanOrEqual(1);
      expect(await b.takeToken(bucket, 2, 200)).toBe(0);
    });
  });
}
