import { Migrator, PostgresAdapter, sql, type Kysely, type Migration } from 'kysely';
import { errorMessage } from '@trellis/schema';

/**
 * The schema's history, in code: the runner ships as one bundle, so migrations must not be
 * looked up on disk. Never edit a migration that has shipped; add the next one.
 * The DDL is written once for both dialects where it can be: only text, integer and double precision
 * columns; full-text search is each dialect's own (FTS5 on SQLite, tsvector on PostgreSQL).
 */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('flows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('latest_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('deleted_at', 'text')
        .execute();

      await db.schema
        .createTable('flow_versions')
        .addColumn('flow_id', 'text', (c) => c.notNull().references('flows.id'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('document', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('flow_versions_pk', ['flow_id', 'version'])
        .execute();

      await db.schema
        .createTable('runs')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('flow_version', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('input', 'text')
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('usage', 'text', (c) => c.notNull())
        .addColumn('total_tokens', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('cost_usd', 'double precision')
        .addColumn('mocks', 'text')
        .addColumn('budget', 'text')
        .addColumn('labels', 'text')
        .addColumn('slug', 'text')
        .addColumn('flow_document', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('started_at', 'text')
        .addColumn('finished_at', 'text')
        // A run must be able to rebuild its flow: from a stored version, or inline.
        .addForeignKeyConstraint('runs_flow_version_fk', ['flow_id', 'flow_version'], 'flow_versions', ['flow_id', 'version'])
        .addCheckConstraint('runs_flow_known', sql`flow_version is not null or flow_document is not null`)
        .execute();
      // Every list of runs is newest first, so each filter's index ends with the sort key.
      await db.schema.createIndex('runs_created_idx').on('runs').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('runs_flow_idx').on('runs').columns(['flow_id', 'created_at', 'id']).execute();
      await db.schema.createIndex('runs_status_idx').on('runs').columns(['status', 'created_at', 'id']).execute();
      await db.schema.createIndex('runs_slug_idx').on('runs').columns(['slug', 'created_at', 'id']).execute();

      await db.schema
        .createTable('run_nodes')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_nodes_pk', ['run_id', 'node_id'])
        .execute();

      await db.schema
        .createTable('run_events')
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('ts', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('run_events_pk', ['run_id', 'seq'])
        .execute();

      await db.schema
        .createTable('approvals')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('node_id', 'text', (c) => c.notNull())
        .addColumn('wait_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addColumn('payload', 'text')
        .addColumn('deadline', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('decided_at', 'text')
        .addColumn('decided_by', 'text')
        .addColumn('comment', 'text')
        .addColumn('edited_payload', 'text')
        .addUniqueConstraint('approvals_wait_unique', ['run_id', 'wait_id'])
        .execute();
      await db.schema.createIndex('approvals_status_idx').on('approvals').columns(['status', 'deadline']).execute();

      await db.schema
        .createTable('published')
        .addColumn('slug', 'text', (c) => c.primaryKey())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('cors', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addForeignKeyConstraint('published_version_fk', ['flow_id', 'version'], 'flow_versions', ['flow_id', 'version'])
        .execute();

      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('slugs', 'text')
        .addColumn('rate_limit', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('last_used_at', 'text')
        .execute();

      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0002_prompt_library': {
    async up(db: Kysely<unknown>) {
      // Who saved a flow version, and the library prompt versions a run pinned (PromptPin[] as JSON).
      await db.schema.alterTable('flow_versions').addColumn('author', 'text').execute();
      await db.schema.alterTable('runs').addColumn('prompts', 'text').execute();

      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      if (!postgres) await requireFts5(db);
      // `id` is the search index's key (an FTS5 rowid on SQLite, where INTEGER PRIMARY KEY keeps it stable through VACUUM).
      await sql`create table prompts (
        id ${postgres ? sql`integer generated by default as identity primary key` : sql`integer primary key`},
        name text not null unique,
        latest_version integer not null,
        created_at text not null,
        updated_at text not null,
        deleted_at text
      )`.execute(db);
      await db.schema
        .createTable('prompt_versions')
        .addColumn('name', 'text', (c) => c.notNull().references('prompts.name'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('template', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('tags', 'text', (c) => c.notNull())
        .addColumn('variables', 'text', (c) => c.notNull())
        .addColumn('note', 'text')
        .addColumn('author', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('prompt_versions_pk', ['name', 'version'])
        .execute();
      await db.schema.createIndex('prompts_updated_idx').on('prompts').columns(['updated_at', 'name']).execute();

      // Full-text search over each prompt's latest version, kept in step by every write of the library.
      if (postgres) {
        await sql`create table prompts_fts (id integer primary key references prompts (id), document tsvector not null)`.execute(db);
        await sql`create index prompts_fts_idx on prompts_fts using gin (document)`.execute(db);
      } else {
        await sql`create virtual table prompts_fts using fts5 (name, tags, description, template, tokenize = 'porter unicode61')`.execute(db);
      }
    },
  },
  '0003_question_waits': {
    async up(db: Kysely<unknown>) {
      // A question's answer form (JSON Schema, as JSON) beside its wait; its answer goes where an approver's edited payload does.
      await db.schema.alterTable('approvals').addColumn('answer_schema', 'text').execute();
    },
  },
  '0004_body_paths': {
    async up(db: Kysely<unknown>) {
      // Where a step inside a container's body ran (JSON, e.g. ["summarise",3,"draft"]); null for the flow's own steps.
      await db.schema.alterTable('run_events').addColumn('path', 'text').execute();
      // Sub-flows: the run that started this one (JSON RunParent, and its id to find a run's children) and the flow versions it pinned.
      await db.schema.alterTable('runs').addColumn('parent', 'text').execute();
      await db.schema.alterTable('runs').addColumn('parent_run_id', 'text').execute();
      await db.schema.alterTable('runs').addColumn('flow_pins', 'text').execute();
    },
  },
  '0005_credentials': {
    async up(db: Kysely<unknown>) {
      // Model provider keys and named secrets, sealed with AES-256-GCM (base64 text): the value never sits here in clear.
      await db.schema
        .createTable('credentials')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('provider', 'text')
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('iv', 'text', (c) => c.notNull())
        .addColumn('tag', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .execute();
    },
  },
  '0006_runs_listing': {
    async up(db: Kysely<unknown>) {
      // The Runs page and the inbox (store/listing.ts): every list is a keyset page over (created_at, id),
      // so each filter's index ends with that key. A run's sub-flows, newest first (it also finds a run's children).
      await db.schema.createIndex('runs_parent_created_idx').on('runs').columns(['parent_run_id', 'created_at', 'id']).execute();
      // The inbox: pending ones oldest first, the history newest first, one flow's either way.
      await db.schema.createIndex('approvals_status_created_idx').on('approvals').columns(['status', 'created_at', 'id']).execute();
      await db.schema.createIndex('approvals_created_idx').on('approvals').columns(['created_at', 'id']).execute();
      await db.schema.createIndex('approvals_flow_created_idx').on('approvals').columns(['flow_id', 'created_at', 'id']).execute();
    },
  },
  '0007_flow_tags': {
    async up(db: Kysely<unknown>) {
      // The latest version's tags (a JSON list), so the flows list can show and filter them without reading documents.
      await db.schema.alterTable('flows').addColumn('tags', 'text').execute();
    },
  },
  '0008_run_leases': {
    async up(db: Kysely<unknown>) {
      // Runners sharing a database: the runner executing a run (its lease) and until when (epoch ms);
      // a run nobody holds, or whose lease ran out, is free for any runner to take.
      await db.schema.alterTable('runs').addColumn('lease_owner', 'text').execute();
      await db.schema.alterTable('runs').addColumn('lease_expires_at', 'double precision').execute();
      await db.schema.createIndex('runs_status_lease_idx').on('runs').columns(['status', 'lease_expires_at']).execute();
    },
  },
  '0009_token_buckets': {
    async up(db: Kysely<unknown>) {
      // Rate limits and the failed-key throttle, shared by the runners on one database: a token
      // bucket per API key or client address (tokens left at `at`, epoch ms; refilled over window_ms).
      await db.schema
        .createTable('token_buckets')
        .addColumn('bucket', 'text', (c) => c.primaryKey())
        .addColumn('tokens', 'double precision', (c) => c.notNull())
        .addColumn('at', 'double precision', (c) => c.notNull())
        .addColumn('window_ms', 'double precision', (c) => c.notNull())
        .addColumn('spent', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '0010_cancel_requests': {
    async up(db: Kysely<unknown>) {
      // A cancel asked of a runner that does not hold the run: the holder reads it (woken by a
      // NOTIFY on PostgreSQL, or at its next heartbeat) and cancels the run there.
      await db.schema.alterTable('runs').addColumn('cancel_requested', 'text').execute();
    },
  },
  '0011_answer_requests': {
    async up(db: Kysely<unknown>) {
      // An answer given through a runner that does not hold the run (it runs on elsewhere, one
      // branch waiting): the holder reads it, woken as for a cancel, and takes it into the run.
      await db.schema.alterTable('approvals').addColumn('answer_requested', 'text').execute();
    },
  },
  '0012_publish_log': {
    async up(db: Kysely<unknown>) {
      // Every publish, with how its gate went: an override and its reason stay on record after the slug moves on.
      await db.schema
        .createTable('publish_log')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('slug', 'text', (c) => c.notNull())
        .addColumn('at', 'text', (c) => c.notNull())
        .addColumn('gate', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('by', 'text')
        .addColumn('failed_cases', 'text')
        .execute();
      await db.schema.createIndex('publish_log_flow').on('publish_log').columns(['flow_id', 'at']).execute();
    },
  },
  '0013_datasets_experiments': {
    async up(db: Kysely<unknown>) {
      // A dataset version keeps all its rows as one JSON list: versions are whole, like a flow's.
      await db.schema
        .createTable('datasets')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('description', 'text')
        .addColumn('latest_version', 'integer', (c) => c.notNull())
        .addColumn('row_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('dataset_versions')
        .addColumn('dataset_id', 'text', (c) => c.notNull().references('datasets.id').onDelete('cascade'))
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('rows', 'text', (c) => c.notNull())
        .addColumn('row_count', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('message', 'text')
        .addColumn('author', 'text')
        .addPrimaryKeyConstraint('dataset_versions_pk', ['dataset_id', 'version'])
        .execute();
      await db.schema
        .createTable('experiments')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text')
        .addColumn('flow_id', 'text', (c) => c.notNull())
        .addColumn('flow_version', 'integer', (c) => c.notNull())
        .addColumn('dataset_id', 'text', (c) => c.notNull())
        .addColumn('dataset_version', 'integer', (c) => c.notNull())
        .addColumn('scorers', 'text', (c) => c.notNull())
        .addColumn('prompts', 'text')
        .addColumn('concurrency', 'integer', (c) => c.notNull())
        .addColumn('live', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('rows_total', 'integer', (c) => c.notNull())
        .addColumn('rows_done', 'integer', (c) => c.notNull())
        .addColumn('summary', 'text')
        .addColumn('error', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        // Renewed while a runner executes it: one whose heartbeat stopped was left by a runner that died.
        .addColumn('heartbeat_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('experiments_flow').on('experiments').columns(['flow_id', 'created_at']).execute();
      await db.schema.createIndex('experiments_dataset').on('experiments').columns(['dataset_id', 'created_at']).execute();
      await db.schema
        .createTable('experiment_rows')
        .addColumn('experiment_id', 'text', (c) => c.notNull().references('experiments.id').onDelete('cascade'))
        .addColumn('row_index', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('output', 'text')
        .addColumn('error', 'text')
        .addColumn('scores', 'text', (c) => c.notNull())
        .addColumn('duration_ms', 'real', (c) => c.notNull())
        .addColumn('usage', 'text', (c) => c.notNull())
        .addColumn('events', 'text')
        .addPrimaryKeyConstraint('experiment_rows_pk', ['experiment_id', 'row_index'])
        .execute();
    },
  },
};

/** The prompt library's search needs SQLite's FTS5; the SQLite bundled with better-sqlite3 has it. */
async function requireFts5(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{ fts5: number }>`select sqlite_compileoption_used('ENABLE_FTS5') as fts5`.execute(db);
  if (!rows[0]?.fts5) {
    throw new Error('this SQLite was built without FTS5, which the prompt library needs for search: use the SQLite bundled with better-sqlite3, or PostgreSQL');
  }
}

/**
 * Brings the database to the latest schema; returns the names of the migrations it applied.
 * `schema` (PostgreSQL) keeps Kysely's bookkeeping tables beside ours: without it the migrator
 * would find another schema's `kysely_migration` and believe this one already migrated.
 */
export async function migrateToLatest<DB>(db: Kysely<DB>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...migrations }) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((r) => r.status === 'Error')?.migrationName;
    const reason = errorMessage(error);
    throw new Error(`database migration${failed ? ` ${failed}` : ''} failed: ${reason}`, { cause: error });
  }
  return results.filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
