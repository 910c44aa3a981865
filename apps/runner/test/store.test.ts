import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { checkpointSuite, promptStoreSuite, storeSuite } from '@trellis/test-support/store';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { migrateToLatest, migrations, openDatabase, openStore, type Store, type StoreOptions } from '../src/store/index.js';

// PostgreSQL runs wherever this project is developed and in CI: its half of the suite is never skipped.
const pgUrl = process.env.TRELLIS_TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';
const sqlite: StoreOptions = { dataDir: mkdtempSync(join(tmpdir(), 'trellis-store-')) };
const postgres: StoreOptions = { databaseUrl: pgUrl, pgSchema: `trellis_test_${randomBytes(6).toString('hex')}` };

afterAll(async () => {
  rmSync(sqlite.dataDir!, { recursive: true, force: true });
  const { db } = await openDatabase({ databaseUrl: pgUrl });
  try {
    await sql`drop schema if exists ${sql.id(postgres.pgSchema!)} cascade`.execute(db);
  } finally {
    await db.destroy();
  }
});

storeSuite('sqlite', (extra) => openStore({ ...sqlite, ...extra }));
storeSuite('postgres', (extra) => openStore({ ...postgres, ...extra }));
promptStoreSuite('sqlite', () => openStore(sqlite));
promptStoreSuite('postgres', () => openStore(postgres));

// The engine's half of the contract, also on the in-memory store the CLI and the engine's tests use.
const sqlCheckpoints = (options: StoreOptions) => ({
  open: () => openStore(options),
  trace: (store: Store, runId: string) => store.listEvents(runId),
  close: (store: Store) => store.close(),
});
checkpointSuite('sqlite', sqlCheckpoints(sqlite));
checkpointSuite('postgres', sqlCheckpoints(postgres));
checkpointSuite('memory', { open: async () => new MemoryCheckpointStore(), trace: (store, runId) => store.events(runId) });

describe.each([
  ['sqlite', sqlite],
  ['postgres', postgres],
])('migrations on %s', (_, options) => {
  it('applies each migration once: opening again migrates nothing', async () => {
    await (await openStore(options)).close();
    const { db, schema } = await openDatabase(options);
    try {
      expect(await migrateToLatest(db, schema)).toEqual([]);
      const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
      expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    } finally {
      await db.destroy();
    }
  });
});

describe('opening a store', () => {
  it('on PostgreSQL with its schema set by the URL (search_path), migrates that schema though another one holds our tables', async () => {
    await (await openStore(postgres)).close(); // another schema, migrated: Kysely's tables exist there
    const own = `trellis_url_${randomBytes(6).toString('hex')}`;
    const admin = await openDatabase({ databaseUrl: pgUrl });
    await sql`create schema ${sql.id(own)}`.execute(admin.db);
    try {
      const url = `${pgUrl}${pgUrl.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${own}`)}`;
      const store = await openStore({ databaseUrl: url });
      await store.close();
      const tables = await sql<{ name: string }>`select table_name as name from information_schema.tables where table_schema = ${own}`.execute(admin.db);
      expect(tables.rows.map((r) => r.name)).toEqual(expect.arrayContaining(['kysely_migration', 'kysely_migration_lock', 'runs', 'flows']));
    } finally {
      await sql`drop schema if exists ${sql.id(own)} cascade`.execute(admin.db);
      await admin.db.destroy();
    }
  });

  it('migrates a fresh database fully', async () => {
    const { db } = await openDatabase({ sqliteFile: ':memory:' });
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
    } finally {
      await db.destroy();
    }
  });

  it('uses SQLite in memory when given no place', async () => {
    const store = await openStore();
    try {
      expect(store.dialect).toBe('sqlite');
      await store.setMeta('k', 'v');
      expect(await store.getMeta('k')).toBe('v');
    } finally {
      await store.close();
    }
  });

  it('picks PostgreSQL from the URL', async () => {
    const store = await openStore(postgres);
    try {
      expect(store.dialect).toBe('postgres');
    } finally {
      await store.close();
    }
  });

  it('refuses a schema name it would have to quote', async () => {
    await expect(openStore({ databaseUrl: pgUrl, pgSchema: 'x; drop table runs' })).rejects.toThrow(/schema name/);
  });
});
