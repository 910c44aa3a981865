import { LRUCache } from 'lru-cache';

/**
 * A memo of `make(key)` holding at most `limit` entries, for parsed templates, expressions and
 * schemas: the least recently used goes first (lru-cache), so the templates of a busy flow stay
 * parsed while one-off texts come and go.
 */
export function boundedMemo<K extends NonNullable<unknown>, V extends NonNullable<unknown>>(limit: number, make: (key: K) => V): (key: K) => V {
  const entries = new LRUCache<K, V>({ max: limit });
  return (key) => {
    const hit = entries.get(key);
    if (hit !== undefined) return hit;
    const value = make(key); // a throw caches nothing
    entries.set(key, value);
    return value;
  };
}
