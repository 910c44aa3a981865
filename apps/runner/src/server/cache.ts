import { LRUCache } from 'lru-cache';

/**
 * A bounded map whose entries expire: hot lookups (published slugs, API keys) skip the database,
 * and a change made by another runner process shows within `ttlMs`. Past `max` entries the least
 * recently used goes (lru-cache), so a flood of unknown keys cannot push out the ones in use.
 */
export class TtlCache<V> {
  // Boxed, because a cached "there is none" (null) is a value too, and lru-cache stores no nulls.
  private readonly entries: LRUCache<string, { value: V }>;

  constructor(ttlMs: number, max = 1000) {
    // The wall clock, as the rest of the runner's expiries (and a test's fake clock) use.
    this.entries = new LRUCache<string, { value: V }>({ max, ttl: ttlMs, perf: Date });
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const value = await load();
    this.entries.set(key, { value });
    return value;
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
