import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { ApiKey, RateLimit, Store } from '../store/types.js';
import { TtlCache } from './cache.js';
import { TrellisError, notFound } from './errors.js';

const SECRET_PREFIX = 'trl_';

/** The credential of an `Authorization: Bearer <token>` header (API key or admin token), if it carries one. */
export function bearerToken(header: string | undefined): string | undefined {
  return header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}
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

/** Failed key attempts allowed per client address: a burst of this many, refilled over FAILURE_WINDOW_SECONDS. */
export const FAILED_ATTEMPTS = 10;
const FAILURE_WINDOW_SECONDS = 60;
/** Addresses whose failures are remembered; past this the oldest are forgotten, so memory stays bounded. */
const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * The caller's address as the throttle counts it: the socket's remote address on the Node
 * server ("unknown" elsewhere, e.g. in app.request). IPv4-mapped IPv6 counts as its IPv4, and an
 * IPv6 address by its /64, the block one subscriber usually holds, so it cannot hop through it.
 */
export function clientAddress(c: Context): string {
  let address: string | undefined;
  try {
    address = getConnInfo(c).remote.address;
  } catch {
    // not behind the Node server: no socket to ask
  }
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  return isIP(address) === 6 ? `${expandIpv6(address).slice(0, 4).join(':')}::/64` : address;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('%')[0]!.split('::') as [string, string?];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...middle, ...right].map((part) => part.toLowerCase().replace(/^0+(?=.)/, ''));
}

/** Failed key attempts per client address: token buckets, the oldest address forgotten first. */
class FailureThrottle {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs = FAILED_ATTEMPTS / (FAILURE_WINDOW_SECONDS * 1000);

  /** Seconds until `address` may try a key again; 0 when it may now. */
  waitSeconds(address: string, now = Date.now()): number {
    const bucket = this.refilled(address, now);
    return bucket && bucket.tokens < 1 ? Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000)) : 0;
  }

  fail(address: string, now = Date.now()): void {
    const bucket = this.refilled(address, now) ?? { tokens: FAILED_ATTEMPTS, at: now };
    bucket.tokens = Math.max(0, bucket.tokens - 1);
    this.buckets.delete(address); // re-inserted last: the map's order is the order of use
    if (this.buckets.size >= MAX_TRACKED_ADDRESSES) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(address, bucket);
  }

  private refilled(address: string, now: number) {
    const bucket = this.buckets.get(address);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(FAILED_ATTEMPTS, bucket.tokens + (now - bucket.at) * this.perMs);
    bucket.at = now;
    if (bucket.tokens >= FAILED_ATTEMPTS) {
      this.buckets.delete(address); // a full bucket is the same as none
      return undefined;
    }
    return bucket;
  }

  get size(): number {
    return this.buckets.size;
  }
}

/** Whether `key` may call the published flow `slug`: a key without a list of slugs may call every one. */
export const mayCall = (key: Pick<ApiKey, 'slugs'>, slug: string): boolean => !key.slugs || key.slugs.includes(slug);

/**
 * Checks `Authorization: Bearer <key>` on published endpoints. No key, a wrong key and a revoked
 * key are refused alike whatever the slug, and a key that may not call a slug is told the slug
 * does not exist, so nobody learns which slugs are published without a key for them. Wrong keys
 * are counted per client address, and an address past FAILED_ATTEMPTS waits (429).
 */
export class KeyAuth {
  private readonly cache = new TtlCache<(ApiKey & { hash: string }) | null>(2000, 10_000);
  private readonly limiter = new RateLimiter();
  private readonly failures = new FailureThrottle();
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** The key allowed to call `slug`, or a coded error: 401 (no, wrong or revoked key), 429, or 404 for a slug the key may not call. */
  async authenticate(header: string | undefined, slug: string, address: string): Promise<ApiKey> {
    const key = await this.identify(header, address);
    if (!mayCall(key, slug)) throw notFound('published flow', slug);
    this.admit(key);
    return key;
  }

  /** Counts one request of `key` against its rate limit (429 past it) and records its use. */
  admit(key: ApiKey): void {
    if (key.rateLimit) {
      const waitMs = this.limiter.take(key.id, key.rateLimit);
      if (waitMs > 0) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new TrellisError('rate_limited', `API key "${key.name}" is limited to ${key.rateLimit.requests} requests per ${key.rateLimit.windowSeconds} s; try again in ${seconds} s`, { details: { retryAfterSeconds: seconds }, retryAfterMs: seconds * 1000 });
      }
    }
    this.touch(key.id);
  }

  /** The valid key the header carries, or a coded error: 401 for none, a wrong or a revoked one; 429 while the address waits. */
  async identify(header: string | undefined, address: string): Promise<ApiKey> {
    const secret = bearerToken(header);
    if (secret === undefined) throw new TrellisError('missing_key', 'send an API key as "Authorization: Bearer <key>"; keys are created under /api/keys');
    // Checked before the key: an address that guessed too often learns nothing, right or wrong.
    const wait = this.failures.waitSeconds(address);
    if (wait > 0) {
      throw new TrellisError('too_many_failures', `too many wrong API keys from this address; try again in ${wait} s`, { details: { retryAfterSeconds: wait }, retryAfterMs: wait * 1000 });
    }
    const hash = hashSecret(secret);
    const key = await this.cache.get(hash, async () => (await this.store.findKeyByHash(hash)) ?? null);
    if (!key || key.revokedAt) {
      this.failures.fail(address);
      if (!key) throw new TrellisError('invalid_key', 'this API key is not known');
      throw new TrellisError('revoked_key', `this API key ("${key.name}") was revoked at ${key.revokedAt}`);
    }
    return key;
  }

  /** How many addresses the failure throttle remembers (bounded by MAX_TRACKED_ADDRESSES). */
  get trackedAddresses(): number {
    return this.failures.size;
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
