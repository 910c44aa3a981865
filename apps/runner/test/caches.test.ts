import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from '../src/server/cache.js';
import { BoundedMap } from '../src/store/rows.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('the cache of hot lookups (published slugs, API keys)', () => {
  it('answers from memory until the entry expires, then loads again', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const cache = new TtlCache<string | null>(2000);
    const load = vi.fn(async () => 'v1');
    expect(await cache.get('a', load)).toBe('v1');
    vi.advanceTimersByTime(1500);
    expect(await cache.get('a', load)).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(600);
    expect(await cache.get('a', async () => 'v2')).toBe('v2');
  });

  it('remembers that there is none (null), and forgets on delete and clear', async () => {
    const cache = new TtlCache<string | null>(60_000);
    const none = vi.fn(async () => null);
    expect(await cache.get('gone', none)).toBeNull();
    expect(await cache.get('gone', none)).toBeNull();
    expect(none).toHaveBeenCalledTimes(1);
    cache.delete('gone');
    expect(await cache.get('gone', async () => 'back')).toBe('back');
    cache.clear();
    expect(await cache.get('gone', async () => 'again')).toBe('again');
  });

  it('keeps the entries in use when many others pass through, and caches nothing when loading fails', async () => {
    const cache = new TtlCache<number>(60_000, 3);
    await cache.get('hot', async () => 1);
    for (let i = 0; i < 10; i++) {
      await cache.get(`cold-${i}`, async () => i);
      await cache.get('hot', async () => -1);
    }
    expect(await cache.get('hot', async () => -1)).toBe(1);
    await expect(cache.get('broken', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await cache.get('broken', async () => 7)).toBe(7);
  });
});

describe('the store\'s bounded map', () => {
  it('forgets the least recently used entry past its limit; peek is not a use', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1);
    map.set('b', 2);
    expect(map.get('a')).toBe(1); // a is now the most recent
    map.set('c', 3);
    expect([map.peek('a'), map.peek('b'), map.peek('c')]).toEqual([1, undefined, 3]);
    expect(map.peek('a')).toBe(1);
    map.set('d', 4); // peeking did not save a: it was used before c
    expect([map.peek('a'), map.peek('c'), map.peek('d')]).toEqual([undefined, 3, 4]);
    map.delete('c');
    expect(map.get('c')).toBeUndefined();
  });
});
