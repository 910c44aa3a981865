import { createHash, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import { LRUCache } from 'lru-cache';
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

/**
 * Token buckets: a burst up to the capacity, refilled evenly over the window. Kept in this
 * process for one runner (SQLite); in the database when runners share it (PostgreSQL), so a
 * limit holds across them however the requests are spread.
 */
interface Buckets {
  /** Takes a token: 0 when there was one, else the milliseconds until there is. */
  take(bucket: string, capacity: number, windowMs: number): number | Promise<number>;
  /** The tokens the bucket holds now. */
  left(bucket: string, capacity: number, windowMs: number): number | Promise<number>;
}

/** Buckets in this process, the least recently used forgotten past `max` (a full bucket is the same as none). */
class LocalBuckets implements Buckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly max: number) {}

  take(name: string, capacity: number, windowMs: number, now = Date.now()): number {
    const perMs = capacity / windowMs;
    const bucket = this.refilled(name, capacity, perMs, now) ?? { tokens: capacity, at: now };
    this.buckets.delete(name); // re-inserted last: the map's order is the order of use
    if (this.buckets.size >= this.max) this.buckets.delete(this.buckets.keys().next().value!);
    this.buckets.set(name, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / perMs);
  }

  left(name: string, capacity: number, windowMs: number, now = Date.now()): number {
    return this.refilled(name, capacity, capacity / windowMs, now)?.tokens ?? capacity;
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(name: string, capacity: number, perMs: number, now: number) {
    const bucket = this.buckets.get(name);
    if (!bucket) return undefined;
    bucket.tokens = Math.min(capacity, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens >= capacity) {
      this.buckets.delete(name);
      return undefined;
    }
    return bucket;
  }
}

/** Buckets in the shared database; refilled ones are forgotten every few minutes. */
class StoreBuckets implements Buckets {
  private prunedAt = Date.now();

  constructor(private readonly store: Store) {}

  take(bucket: string, capacity: number, windowMs: number): Promise<number> {
    if (Date.now() - this.prunedAt > PRUNE_EVERY_MS) {
      this.prunedAt = Date.now();
      this.store.pruneTokens().catch(() => undefined);
    }
    return this.store.takeToken(bucket, capacity, windowMs);
  }

  left(bucket: string, capacity: number, windowMs: number): Promise<number> {
    return this.store.tokensLeft(bucket, capacity, windowMs);
  }
}
const PRUNE_EVERY_MS = 5 * 60_000;

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

const FAILURE_WINDOW_MS = FAILURE_WINDOW_SECONDS * 1000;
/** How long a runner sharing the database trusts that an address has wrong keys to spare. */
const TRUST_MS = 1000;

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
  /** Known keys' hashes by secret (the sha256 is skipped on their next calls); wrong keys are not kept, so guessing cannot fill it. */
  private readonly hashes = new LRUCache<string, string>({ max: 1000 });
  /** Requests per key; failed key attempts per client address (a bucket each, in this process or the shared database). */
  private readonly limits: Buckets;
  private readonly failures: Buckets;
  private readonly localFailures = new LocalBuckets(MAX_TRACKED_ADDRESSES);
  /** Addresses found free to try a key, until when (see failureWait). */
  private readonly trusted = new Map<string, number>();
  private readonly touched = new Map<string, number>();

  constructor(private readonly store: Store) {
    const shared = store.dialect === 'postgres' ? new StoreBuckets(store) : undefined;
    this.limits = shared ?? new LocalBuckets(100_000);
    this.failures = shared ?? this.localFailures;
  }

  /** The key allowed to call `slug`, or a coded error: 401 (no, wrong or revoked key), 429, or 404 for a slug the key may not call. */
  async authenticate(header: string | undefined, slug: string, address: string): Promise<ApiKey> {
    const key = await this.identify(header, address);
    if (!mayCall(key, slug)) throw notFound('published flow', slug);
    await this.admit(key);
    return key;
  }

  /** Counts one request of `key` against its rate limit (429 past it) and records its use. */
  async admit(key: ApiKey): Promise<void> {
    if (key.rateLimit) {
      const waitMs = await this.limits.take(`key:${key.id}`, key.rateLimit.requests, key.rateLimit.windowSeconds * 1000);
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
    const wait = await this.failureWait(address);
    if (wait > 0) {
      throw new TrellisError('too_many_failures', `too many wrong API keys from this address; try again in ${wait} s`, { details: { retryAfterSeconds: wait }, retryAfterMs: wait * 1000 });
    }
    const hash = this.hashes.get(secret) ?? hashSecret(secret);
    const key = await this.cache.get(hash, async () => (await this.store.findKeyByHash(hash)) ?? null);
    if (key && !key.revokedAt) this.hashes.set(secret, hash);
    if (!key || key.revokedAt) {
      this.trusted.delete(address);
      await this.failures.take(`fail:${address}`, FAILED_ATTEMPTS, FAILURE_WINDOW_MS);
      if (!key) throw new TrellisError('invalid_key', 'this API key is not known');
      throw new TrellisError('revoked_key', `this API key ("${key.name}") was revoked at ${key.revokedAt}`);
    }
    return key;
  }

  /**
   * Seconds until `address` may try a key again; 0 when it may now. With shared buckets, an
   * address found free is trusted for a second without asking the database again (a published
   * call would otherwise pay a query for it); its first wrong key here asks again at once, so
   * across N runners an address gets at most N tries past its allowance.
   */
  private async failureWait(address: string): Promise<number> {
    if ((this.trusted.get(address) ?? 0) > Date.now()) return 0;
    const left = await this.failures.left(`fail:${address}`, FAILED_ATTEMPTS, FAILURE_WINDOW_MS);
    if (left >= 1) {
      if (this.failures !== this.localFailures) {
        this.trusted.delete(address);
        if (this.trusted.size >= MAX_TRACKED_ADDRESSES) this.trusted.delete(this.trusted.keys().next().value!);
        this.trusted.set(address, Date.now() + TRUST_MS);
      }
      return 0;
    }
    return Math.max(1, Math.ceil((1 - left) / (FAILED_ATTEMPTS / FAILURE_WINDOW_MS) / 1000));
  }

  /** How many addresses the failure throttle remembers in this process (bounded by MAX_TRACKED_ADDRESSES). */
  get trackedAddresses(): number {
    return this.localFailures.size;
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
