export { openStore, openDatabase, isPostgresUrl, type StoreOptions, type OpenDatabase } from './db.js';
export { migrateToLatest, migrations } from './migrations.js';
export { SqlStore } from './sql-store.js';
export type { Database } from './tables.js';
export * from './types.js';
