import { LRUCache } from 'lru-cache';

/**
 * A memo of `make(key)` holding at most `limit` entries, for parsed templates, expressions and
 * schemas: the least recently used goes first (lru-cache), so the templates of a busy flow stay
 * parsed while one-off texts come and go. The cache is made on first use, so a memo that a
 * bundle never calls costs nothing (bundlers drop it, and whatever its `make` needs).
 */
export function boundedMemo<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(limit: number, make: (key: K) => V): (key: K) => V {
  let entries: LRUCache<K, V> | undefined;
  return (key) => {
    entries ??= new LRUCache<K, V>({ max: limit });
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = make(key); // a throw caches nothing
    entries.set(key, value);
    return value;
  };
}
