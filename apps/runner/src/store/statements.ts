import { CompiledQuery, type Kysely } from 'kysely';
import { NOT_PENDING } from './sqlite-thread.js';
import type { Database } from './tables.js';

export type Dialect = 'sqlite' | 'postgres';

/** Rows per multi-row statement: far below either dialect's limit on bound parameters. */
export const ROWS_PER_STATEMENT = 200;

/** The order of `insertRuns` parameters. */
const RUN_COLUMNS =
  'id, flow_id, flow_version, status, input, output, error, usage, total_tokens, cost_usd, mocks, budget, labels, slug, flow_document, prompts, parent, parent_run_id, flow_pins, created_at, started_at, finished_at, lease_owner, lease_expires_at';

/** Which fields of a run a patch row sets (the `mask` column of `updateRuns`). */
export const PATCH = { status: 1, output: 2, error: 4, usage: 8, startedAt: 16, finishedAt: 32 } as const;
/** The columns each patch bit sets, in the order `patchValues` gives their values. */
export const RUN_PATCH_COLUMNS: ReadonlyArray<readonly [number, string]> = [
  [PATCH.status, 'status'],
  [PATCH.output, 'output'],
  [PATCH.error, 'error'],
  [PATCH.usage, 'usage'],
  [PATCH.usage, 'total_tokens'],
  [PATCH.usage, 'cost_usd'],
  [PATCH.startedAt, 'started_at'],
  [PATCH.finishedAt, 'finished_at'],
];

/**
 * The statements of the commit path, as SQL text written once for both dialects and cached per
 * row count, so that the hot path builds and compiles no query (and SQLite re-prepares none).
 * PostgreSQL infers parameter types from the target columns of an INSERT, but not inside a
 * free-standing VALUES list, hence the casts in `updateRuns`.
 */
export class Statements {
  private readonly texts = new Map<string, string>();

  constructor(private readonly dialect: Dialect) {}

  insertRuns(rows: number): string {
    return this.text(`insertRuns:${rows}`, () => `INSERT INTO runs (${RUN_COLUMNS}) VALUES ${tuples(rows, RUN_COLUMNS.split(', ').map(() => '?'))}`);
  }

  /**
   * Rows: id, mask, status, output, error, usage, total_tokens, cost_usd, started_at, finished_at;
   * then the ids again. The repeated ids steer PostgreSQL to the primary key: with statistics
   * on a mid-sized table (20,000 runs in a trial) it hash-joins the VALUES list against a scan
   * of the whole table instead.
   */
  updateRuns(rows: number): string {
    return this.text(`updateRuns:${rows}`, () => {
      const set = (column: string, bit: number, value: string) => `${column} = CASE WHEN (v.column2 & ${bit}) <> 0 THEN v.${value} ELSE runs.${column} END`;
      const row = ['?', 'CAST(? AS integer)', '?', '?', '?', '?', 'CAST(? AS integer)', 'CAST(? AS double precision)', '?', '?'];
      return (
        `UPDATE runs SET ${[
          set('status', PATCH.status, 'column3'),
          set('output', PATCH.output, 'column4'),
          set('error', PATCH.error, 'column5'),
          set('usage', PATCH.usage, 'column6'),
          set('total_tokens', PATCH.usage, 'column7'),
          set('cost_usd', PATCH.usage, 'column8'),
          set('started_at', PATCH.startedAt, 'column9'),
          set('finished_at', PATCH.finishedAt, 'column10'),
        ].join(', ')} ` + `FROM (VALUES ${tuples(rows, row)}) AS v WHERE runs.id = v.column1 AND runs.id IN (${list(rows)})`
      );
    });
  }

  /**
   * One run's update, setting only the columns its patch changes (SQLite). A column named in a
   * SET is an index entry rewritten even when its value stays the same, so the multi-row
   * form, which names every column, costs SQLite more than a statement per run; SQLite has no
   * round trips to save.
   */
  updateRun(mask: number): string {
    return this.text(`updateRun:${mask}`, () => {
      const columns = RUN_PATCH_COLUMNS.filter(([bit]) => (mask & bit) !== 0).map(([, column]) => `${column} = ?`);
      return `UPDATE runs SET ${columns.join(', ')} WHERE id = ?`;
    });
  }

  upsertNodes(rows: number): string {
    return this.text(
      `upsertNodes:${rows}`,
      () =>
        `INSERT INTO run_nodes (run_id, node_id, status, state) VALUES ${tuples(rows, ['?', '?', '?', '?'])} ` +
        `ON CONFLICT (run_id, node_id) DO UPDATE SET status = excluded.status, state = excluded.state`,
    );
  }

  insertEvents(rows: number): string {
    return this.text(`insertEvents:${rows}`, () => `INSERT INTO run_events (run_id, seq, ts, type, node_id, path, data) VALUES ${tuples(rows, ['?', '?', '?', '?', '?', '?', '?'])}`);
  }

  /** The last stored seq of each run that exists (null when it has no events yet). */
  lastSeqs(rows: number): string {
    return this.text(
      `lastSeqs:${rows}`,
      () => `SELECT r.id AS id, (SELECT MAX(e.seq) FROM run_events e WHERE e.run_id = r.id) AS last FROM runs r WHERE r.id IN (${list(rows)})`,
    );
  }

  /**
   * Parameters: owner, new expiry, the run ids, owner, now. Holds (renews, or takes when nobody
   * holds it or its lease ran out) the lease of each run, and changes fewer rows than there are
   * runs when another runner holds one: the commit that carries it is refused (see CommitWriter).
   */
  holdLeases(rows: number): string {
    return this.text(
      `holdLeases:${rows}`,
      () =>
        `UPDATE runs SET lease_owner = ?, lease_expires_at = ? WHERE id IN (${list(rows)}) ` +
        'AND (lease_owner = ? OR lease_owner IS NULL OR lease_expires_at < ?)',
    );
  }

  /** Parameters: the run ids, owner. A run that waits for a person or has ended is nobody's to execute. */
  releaseLeases(rows: number): string {
    return this.text(`releaseLeases:${rows}`, () => `UPDATE runs SET lease_owner = NULL, lease_expires_at = NULL WHERE id IN (${list(rows)}) AND lease_owner = ?`);
  }

  openApproval(): string {
    return this.text(
      'openApproval',
      () =>
        'INSERT INTO approvals (id, run_id, flow_id, node_id, wait_id, kind, message, payload, answer_schema, deadline, status, created_at) ' +
        `VALUES (?, ?, (SELECT flow_id FROM runs WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, 'pending', ?) ON CONFLICT (run_id, wait_id) DO NOTHING`,
    );
  }

  decideApproval(): string {
    return this.text(
      'decideApproval',
      () => "UPDATE approvals SET status = ?, decided_at = ?, decided_by = ?, comment = ?, edited_payload = ? WHERE run_id = ? AND wait_id = ? AND status = 'pending'",
    );
  }

  /** Rows: run id, when it ended. */
  cancelApprovals(rows: number): string {
    return this.text(
      `cancelApprovals:${rows}`,
      () =>
        `UPDATE approvals SET status = 'cancelled', decided_at = v.column2 FROM (VALUES ${tuples(rows, ['?', '?'])}) AS v ` +
        `WHERE approvals.run_id = v.column1 AND approvals.status = 'pending'`,
    );
  }

  private text(key: string, build: () => string): string {
    let text = this.texts.get(key);
    if (text === undefined) {
      text = build();
      if (this.dialect === 'postgres') {
        let n = 0;
        text = text.replace(/\?/g, () => `$${++n}`);
      }
      this.texts.set(key, text);
    }
    return text;
  }
}

function list(rows: number): string {
  return Array(rows).fill('?').join(', ');
}

function tuples(rows: number, row: readonly string[]): string {
  const one = `(${row.join(', ')})`;
  return Array(rows).fill(one).join(', ');
}

/**
 * A read-then-write transaction. SQLite's plain BEGIN takes the write lock only at the first
 * write, and fails at once (busy_timeout or not) if another process wrote since this one read;
 * BEGIN IMMEDIATE waits for the lock up front. PostgreSQL's row locks and keys do that work there.
 */
export async function writeTransaction<T>(db: Kysely<Database>, dialect: Dialect, work: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
  if (dialect === 'postgres') return db.transaction().execute(work);
  return db.connection().execute(async (connection) => {
    await run(connection, 'BEGIN IMMEDIATE', []);
    try {
      const result = await work(connection);
      await run(connection, 'COMMIT', []);
      return result;
    } catch (error) {
      // Fails only when SQLite has already rolled back by itself (as after some failed COMMITs).
      await run(connection, 'ROLLBACK', []).catch(() => undefined);
      throw error;
    }
  });
}

export async function run<R = unknown>(db: Kysely<Database>, text: string, parameters: readonly unknown[]): Promise<R[]> {
  const result = await db.executeQuery<R>(CompiledQuery.raw(text, [...parameters]) as CompiledQuery<R>);
  return result.rows;
}

/**
 * Runs one statement; the writer hands its statements to a transaction or to the SQLite thread.
 * With `expectChanges`, the transaction fails (code NOT_PENDING of sqlite-thread.ts) unless the statement changes that many rows.
 */
export type Exec = (text: string, parameters: readonly unknown[], check?: { expectChanges: number }) => Promise<unknown>;

/** Runs a statement of a transaction, failing it with code NOT_PENDING when a conditional statement changes another number of rows. */
export async function runChecked(db: Kysely<Database>, text: string, parameters: readonly unknown[], check?: { expectChanges: number }): Promise<void> {
  const result = await db.executeQuery(CompiledQuery.raw(text, [...parameters]));
  if (check && Number(result.numAffectedRows ?? 0n) !== check.expectChanges) {
    throw Object.assign(new Error(`expected ${check.expectChanges} changed row(s), got ${result.numAffectedRows ?? 0}`), { code: NOT_PENDING });
  }
}

/** Runs a multi-row statement over `rows`, ROWS_PER_STATEMENT at a time. */
export async function runChunked<T>(exec: Exec, rows: readonly T[], text: (count: number) => string, parameters: (row: T) => readonly unknown[]): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    await exec(text(chunk.length), chunk.flatMap(parameters));
  }
}
