import { sql, type Kysely } from 'kysely';
import type { Dialect } from './statements.js';
import type { Database } from './tables.js';

/*
 * Token buckets in the database (table token_buckets), for the limits that must hold across the
 * runners sharing it: a key's rate limit and the failed-key throttle (server/keys.ts).
 */

/**
 * Takes a token from `bucket` (full, `capacity` tokens, when new; refilled evenly over
 * `windowMs`): 0 when it got one, else the milliseconds until one is there.
 */
export async function takeToken(db: Kysely<Database>, dialect: Dialect, bucket: string, capacity: number, windowMs: number): Promise<number> {
  const now = Date.now();
  // One statement, so runners taking from one bucket at once each see the other's take. A
  // clock behind the stored one refills nothing (the time never goes back).
  const [least, greatest] = dialect === 'postgres' ? ['LEAST', 'GREATEST'] : ['MIN', 'MAX'];
  const refilled = sql`${sql.raw(least)}(CAST(${capacity} AS double precision), token_buckets.tokens + ${sql.raw(greatest)}(0, CAST(${now} AS double precision) - token_buckets.at) * CAST(${capacity / windowMs} AS double precision))`;
  const { rows } = await sql<{ tokens: number; spent: number }>`
    INSERT INTO token_buckets (bucket, tokens, at, window_ms, spent)
    VALUES (${bucket}, CAST(${capacity - 1} AS double precision), CAST(${now} AS double precision), CAST(${windowMs} AS double precision), 1)
    ON CONFLICT (bucket) DO UPDATE SET
      spent = CASE WHEN ${refilled} >= 1 THEN 1 ELSE 0 END,
      tokens = ${refilled} - CASE WHEN ${refilled} >= 1 THEN 1 ELSE 0 END,
      at = ${sql.raw(greatest)}(token_buckets.at, CAST(${now} AS double precision)),
      window_ms = CAST(${windowMs} AS double precision)
    RETURNING tokens, spent`.execute(db);
  const row = rows[0];
  if (!row || Number(row.spent) === 1) return 0;
  return Math.ceil((1 - Number(row.tokens)) / (capacity / windowMs));
}

/** The tokens `bucket` holds now (`capacity` when it has none stored). */
export async function tokensLeft(db: Kysely<Database>, bucket: string, capacity: number, windowMs: number): Promise<number> {
  const row = await db.selectFrom('token_buckets').select(['tokens', 'at']).where('bucket', '=', bucket).executeTakeFirst();
  if (!row) return capacity;
  return Math.min(capacity, Number(row.tokens) + Math.max(0, Date.now() - Number(row.at)) * (capacity / windowMs));
}

/** Forgets buckets that have refilled (as good as none); how many. */
export async function pruneTokens(db: Kysely<Database>): Promise<number> {
  const result = await db.deleteFrom('token_buckets').where(sql<boolean>`at + window_ms < ${Date.now()}`).executeTakeFirst();
  return Number(result.numDeletedRows);
}
