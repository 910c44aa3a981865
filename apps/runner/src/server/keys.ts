import { createHash, randomBytes } from 'node:crypto';
import type { ApiKey, RateLimit, Store } from '../store/types.js';
import { TtlCache } from './cache.js';
import { TrellisError } from './errors.js';

const SECRET_PREFIX = 'trl_';
export const DEFAULT_RATE_LIMIT: RateLimit = { requests: 600, windowSeconds: 60 };

/** A new secret: 192 random bits, so a plain SHA-256 is enough to store it safely. */
export function newSecret(): { secret: string; hash: string; prefix: string } {
  const secret = SECRET_PREFIX + randomBytes(24).toString('base64url');
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, SECRET_PREFIX.length + 6) };
}

export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');

/** Token buckets per key, in this process: a burst up to the limit, refilled evenly over the window. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Milliseconds to wait before the next request is allowed; 0 when it may go now. */
  take(keyId: string, limit: RateLimit, now = Date.now()): number {
    const perMs = limit.requests / (limit.windowSeconds * 1000);
    const bucket = this.buckets.get(keyId) ?? { tokens: limit.requests, at: now };
    bucket.tokens = Math.min(limit.requests, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (this.buckets.size > 100_000) this.buckets.clear();
    this.buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perMs);
  }
}

/** Checks `Authorization: Bearer <key>` on published endpoints. */
export class KeyAuth {
  private readonly cache = new TtlCache<(ApiKey & { hash: string }) | null>(2000, 10_000);
  private readonly limiter = new RateLimiter();
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** The key allowed to call `slug`, or a coded error (missing_key, invalid_key, revoked_key, forbidden, rate_limited). */
  async authenticate(header: string | undefined, slug: string): Promise<ApiKey> {
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match) throw new TrellisError('missing_key', 'send an API key as "Authorization: Bearer <key>"; keys are created under /api/keys');
    const hash = hashSecret(match[1]!);
    const key = await this.cache.get(hash, async () => (await this.store.findKeyByHash(hash)) ?? null);
    if (!key) throw new TrellisError('invalid_key', 'this API key is not known');
    if (key.revokedAt) throw new TrellisError('revoked_key', `this API key ("${key.name}") was revoked at ${key.revokedAt}`);
    if (key.slugs && !key.slugs.includes(slug)) {
      throw new TrellisError('forbidden', `API key "${key.name}" may not call "${slug}" (it may call: ${key.slugs.join(', ') || 'nothing'})`);
    }
    if (key.rateLimit) {
      const waitMs = this.limiter.take(key.id, key.rateLimit);
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new TrellisError('rate_limited', `API key "${key.name}" is limited to ${key.rateLimit.requests} requests per ${key.rateLimit.windowSeconds} s; try again in ${seconds} s`, { details: { retryAfterSeconds: seconds }, retryAfterMs: seconds * 1000 });
      }
    }
    this.touch(key.id);
    return key;
  }

  /** Forgets cached keys, e.g. after one was revoked here. */
  invalidate(): void {
    this.cache.clear();
  }

  /** Records last use at most once a minute per key, off the request's path. */
  private touch(keyId: string): void {
    const now = Date.now();
    if ((this.touched.get(keyId) ?? 0) > now - 60_000) return;
    this.touched.set(keyId, now);
    this.store.touchKey(keyId, new Date(now)).catch(() => this.touched.delete(keyId));
  }
}
