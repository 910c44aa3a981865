import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { migrateToLatest } from './migrations.js';
import { SqlStore } from './sql-store.js';
import { SqliteWriteThread } from './sqlite-thread.js';
import { BoundedMap } from './rows.js';
import type { Dialect } from './statements.js';
import type { Database } from './tables.js';
import { DEFAULT_LEASE_MS, type Store } from './types.js';

export interface StoreOptions {
  /** A `postgres://` or `postgresql://` URL selects PostgreSQL; anything else means SQLite. */
  databaseUrl?: string;
  /** SQLite: the database is `${dataDir}/trellis.db` (the directory is created). */
  dataDir?: string;
  /** PostgreSQL: the schema to keep the tables in (created when missing); the server's search_path otherwise. */
  pgSchema?: string;
  /** SQLite: the file to use instead of `${dataDir}/trellis.db`; `:memory:` for a throwaway database. */
  sqliteFile?: string;
  /**
   * PostgreSQL: told when a pooled connection breaks while idle (the server restarted, an
   * administrator ended it): the pool drops it and opens another when needed. For the log.
   */
  onConnectionError?: (error: Error) => void;
  /** The runner this store acts for (its leases' owner; random by default) and how long a lease lasts. */
  runner?: { id?: string; leaseMs?: number };
}

export interface OpenDatabase {
  db: Kysely<Database>;
  dialect: Dialect;
  /** SQLite on a file: its path and settings, for the writer thread's own connection. */
  sqlite?: { file: string; pragmas: readonly string[] };
  /** The PostgreSQL schema in use, when one was asked for. */
  schema?: string;
  /** PostgreSQL: a connection of its own, outside the pool (LISTEN holds one). */
  client?: () => pg.Client;
}

/** Opens the database, brings its schema up to date, and returns the store over it. */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const opened = await openDatabase(options);
  let schema: string | undefined;
  try {
    schema = opened.schema ?? (opened.dialect === 'postgres' ? await currentSchema(opened.db) : undefined);
    await migrateToLatest(opened.db, schema);
  } catch (error) {
    await opened.db.destroy();
    throw error;
  }
  const lease = { owner: options.runner?.id ?? randomUUID(), ms: options.runner?.leaseMs ?? DEFAULT_LEASE_MS };
  const thread = opened.sqlite && new SqliteWriteThread(opened.sqlite.file, opened.sqlite.pragmas);
  return new SqlStore(opened.db, opened.dialect, lease, thread, opened.client && schema !== undefined ? { client: opened.client, schema } : undefined);
}

/**
 * The schema a PostgreSQL connection creates tables in (the first of its search_path that exists),
 * so the migrator keeps its bookkeeping there when the URL set the schema: left to itself it would
 * find another schema's `kysely_migration` and then miss its lock table here.
 */
async function currentSchema(db: Kysely<Database>): Promise<string | undefined> {
  const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
  return rows[0]?.schema ?? undefined;
}

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/** Opens a Kysely over the configured database, without migrating it. */
export async function openDatabase(options: StoreOptions = {}): Promise<OpenDatabase> {
  if (isPostgresUrl(options.databaseUrl)) return openPostgres(options.databaseUrl, options.pgSchema, options.onConnectionError);
  const file = options.sqliteFile ?? (options.dataDir ? join(options.dataDir, 'trellis.db') : ':memory:');
  return openSqlite(file);
}

async function openSqlite(file: string): Promise<OpenDatabase> {
  // Loaded on demand: a PostgreSQL runner need not load the native SQLite module, and vice versa.
  const { default: Sqlite } = await import('better-sqlite3');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const database = new Sqlite(file);
  for (const pragma of SQLITE_PRAGMAS) database.pragma(pragma);
  return {
    db: new Kysely<Database>({ dialect: new SqliteDialect({ database: reusingStatements(database) }) }),
    dialect: 'sqlite',
    // An in-memory database lives in one connection only: it keeps its writes there.
    ...(file === ':memory:' ? {} : { sqlite: { file, pragmas: SQLITE_PRAGMAS } }),
  };
}

const SQLITE_PRAGMAS = [
  // WAL lets readers run beside the writer. NORMAL syncs at checkpoints rather than every commit:
  // a crashed process loses nothing, a power cut may lose the last commits but never corrupts the file.
  'journal_mode = WAL',
  'synchronous = NORMAL',
  'busy_timeout = 5000',
  'foreign_keys = ON',
  // A larger page cache saves re-reading the index pages the runs' commits keep touching.
  // Checkpoints stay at SQLite's default (every 1000 pages): rarer ones stall one commit longer.
  'cache_size = -65536',
];

/**
 * Kysely prepares every statement it runs; for the small writes of a run that costs about as
 * much as running it. The commit path repeats the same texts, so keep them prepared.
 * Safe because Kysely never has two statements running at once on its single SQLite connection
 * (and the store never streams, the one use that would keep a statement busy).
 */
function reusingStatements(database: BetterSqlite3.Database): SqliteDatabase {
  const prepared = new BoundedMap<string, BetterSqlite3.Statement>(512);
  return {
    close: () => database.close(),
    prepare(sql) {
      let statement = prepared.get(sql);
      if (!statement) {
        statement = database.prepare(sql);
        prepared.set(sql, statement);
      }
      return statement;
    },
  };
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/i;

async function openPostgres(url: string, schema: string | undefined, onConnectionError?: (error: Error) => void): Promise<OpenDatabase> {
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new Error(`"${schema}" is not a usable schema name (letters, digits and _ only)`);
  const { default: pg } = await import('pg');
  const settings = {
    connectionString: withUser(url),
    // Every connection resolves our unqualified table names in the schema: one SQL text for any schema.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
    // Names the runner's connections in pg_stat_activity (per schema, when several share a database).
    application_name: schema ? `trellis:${schema}` : 'trellis',
  };
  const pool = new pg.Pool({ ...settings, max: 10 });
  // An idle connection that breaks makes the pool emit 'error'; with no listener that event would
  // end the process. The pool has already dropped the connection, and the next query opens another.
  pool.on('error', (error) => onConnectionError?.(error));
  // A connection checked out of the pool has no listener of the pool's, and one that breaks then
  // (between a transaction's statements, say) would end the process the same way. Its query fails,
  // which its caller handles, and the pool drops the connection when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', ...(schema ? { schema } : {}), client: () => new pg.Client(settings) };
}

/**
 * libpq (psql) falls back to the operating system's user name when the URL names none; node-postgres
 * only reads $PGUSER and $USER, which a service or container often lacks.
 */
export function withUser(url: string): string {
  if (process.env.PGUSER || process.env.USER) return url;
  try {
    const parsed = new URL(url);
    if (parsed.username || !parsed.hostname) return url;
    parsed.username = encodeURIComponent(userInfo().username);
    return parsed.toString();
  } catch {
    return url;
  }
}
