import { TrellisError, type DatasetRow, type DatasetSummary, type DatasetVersion, type DatasetVersionSummary, type ErrorInfo, type Experiment, type ExperimentRow, type ExperimentStatus, type ExperimentSummary, type RunEvent, type RunStatus, type Scorer, type ScoreResult, type Usage } from '@trellis/schema';
import type { Kysely, Selectable } from 'kysely';
import { BoundedMap, fromJson, isUniqueViolation } from './rows.js';
import { writeTransaction, type Dialect } from './statements.js';
import type { Database, DatasetsTable, ExperimentsTable } from './tables.js';
import { StoreConflict } from './types.js';

/** A row's result as the experiment runner writes it (its trace kept for the drill-down). */
export interface ExperimentRowResult {
  index: number;
  status: RunStatus;
  output?: unknown;
  error?: ErrorInfo;
  scores: Record<string, ScoreResult>;
  durationMs: number;
  usage: Usage;
  events?: readonly RunEvent[];
}

export type NewExperiment = Omit<Experiment, 'status' | 'rowsDone' | 'summary' | 'error' | 'finishedAt'>;

/**
 * Datasets (versioned: every change of the rows is a new numbered version holding all of them)
 * and experiments with their row results, over Kysely, for SqlStore.
 */
export class EvalStore {
  /** Parsed dataset versions, the most recently read (a version is immutable). */
  private readonly versions = new BoundedMap<string, DatasetVersion>(16);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  async createDataset(input: { id: string; name: string; description?: string | undefined; rows: readonly DatasetRow[]; message?: string | undefined; author?: string | undefined }): Promise<DatasetSummary> {
    const now = new Date().toISOString();
    try {
      await writeTransaction(this.db, this.dialect, async (trx) => {
        await trx.insertInto('datasets').values({ id: input.id, name: input.name, description: input.description ?? null, latest_version: 1, row_count: input.rows.length, created_at: now, updated_at: now }).execute();
        await trx.insertInto('dataset_versions').values({ dataset_id: input.id, version: 1, rows: JSON.stringify(input.rows), row_count: input.rows.length, created_at: now, message: input.message ?? null, author: input.author ?? null }).execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new StoreConflict(`a dataset "${input.id}" already exists`);
      throw error;
    }
    return (await this.getDataset(input.id))!;
  }

  async listDatasets(): Promise<DatasetSummary[]> {
    return (await this.db.selectFrom('datasets').selectAll().orderBy('updated_at', 'desc').orderBy('id').limit(1000).execute()).map(toDataset);
  }

  async getDataset(id: string): Promise<DatasetSummary | undefined> {
    const row = await this.db.selectFrom('datasets').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDataset(row);
  }

  async deleteDataset(id: string): Promise<boolean> {
    return writeTransaction(this.db, this.dialect, async (trx) => {
      await trx.deleteFrom('dataset_versions').where('dataset_id', '=', id).execute();
      const result = await trx.deleteFrom('datasets').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    });
  }

  async datasetVersions(id: string): Promise<DatasetVersionSummary[]> {
    const rows = await this.db.selectFrom('dataset_versions').select(['dataset_id', 'version', 'row_count', 'created_at', 'message', 'author']).where('dataset_id', '=', id).orderBy('version', 'desc').execute();
    return rows.map((r) => ({ datasetId: r.dataset_id, version: r.version, rowCount: r.row_count, createdAt: r.created_at, ...(r.message ? { message: r.message } : {}), ...(r.author ? { author: r.author } : {}) }));
  }

  async datasetVersion(id: string, version: number | 'latest'): Promise<DatasetVersion | undefined> {
    const wanted = version === 'latest' ? (await this.getDataset(id))?.latestVersion : version;
    if (wanted === undefined) return undefined;
    // A version never changes: its parsed rows are kept (an experiment's page reads them at every
    // look), keyed by when it was written too, so a dataset deleted and made again is not mistaken for it.
    const head = await this.db.selectFrom('dataset_versions').select('created_at').where('dataset_id', '=', id).where('version', '=', wanted).executeTakeFirst();
    if (!head) return undefined;
    const key = `${id}\u0000${wanted}\u0000${head.created_at}`;
    const kept = this.versions.get(key);
    if (kept) return kept;
    const r = await this.db.selectFrom('dataset_versions').selectAll().where('dataset_id', '=', id).where('version', '=', wanted).executeTakeFirst();
    if (!r) return undefined;
    const found = { datasetId: r.dataset_id, version: r.version, rowCount: r.row_count, createdAt: r.created_at, ...(r.message ? { message: r.message } : {}), ...(r.author ? { author: r.author } : {}), rows: fromJson<DatasetRow[]>(r.rows) ?? [] };
    this.versions.set(key, found);
    return found;
  }

  /** A new version of the dataset: these rows after the latest version's, or in their place. */
  async addDatasetVersion(id: string, change: { rows: readonly DatasetRow[]; replace?: boolean | undefined; message?: string | undefined; author?: string | undefined }, maxRows: number): Promise<DatasetVersionSummary> {
    const now = new Date().toISOString();
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const current = await trx.selectFrom('datasets').select(['latest_version']).where('id', '=', id).$if(this.dialect === 'postgres', (q) => q.forUpdate()).executeTakeFirst();
      if (!current) throw new TrellisError('not_found', `there is no dataset "${id}"`);
      let rows = [...change.rows];
      if (!change.replace) {
        const latest = await trx.selectFrom('dataset_versions').select('rows').where('dataset_id', '=', id).where('version', '=', current.latest_version).executeTakeFirst();
        rows = [...(fromJson<DatasetRow[]>(latest?.rows ?? '[]') ?? []), ...rows];
      }
      if (rows.length > maxRows) throw new TrellisError('invalid_request', `a dataset holds at most ${maxRows} rows; this change would make ${rows.length}`);
      const version = current.latest_version + 1;
      await trx.insertInto('dataset_versions').values({ dataset_id: id, version, rows: JSON.stringify(rows), row_count: rows.length, created_at: now, message: change.message ?? null, author: change.author ?? null }).execute();
      await trx.updateTable('datasets').set({ latest_version: version, row_count: rows.length, updated_at: now }).where('id', '=', id).execute();
      return { datasetId: id, version, rowCount: rows.length, createdAt: now, ...(change.message ? { message: change.message } : {}), ...(change.author ? { author: change.author } : {}) };
    });
  }

  async createExperiment(e: NewExperiment): Promise<Experiment> {
    await this.db
      .insertInto('experiments')
      .values({
        id: e.id,
        name: e.name ?? null,
        flow_id: e.flowId,
        flow_version: e.flowVersion,
        dataset_id: e.datasetId,
        dataset_version: e.datasetVersion,
        scorers: JSON.stringify(e.scorers),
        prompts: e.prompts ? JSON.stringify(e.prompts) : null,
        concurrency: e.concurrency,
        live: e.live ? 1 : 0,
        status: 'running',
        rows_total: e.rowsTotal,
        rows_done: 0,
        summary: null,
        error: null,
        created_at: e.createdAt,
        finished_at: null,
        heartbeat_at: e.createdAt,
      })
      .execute();
    return { ...e, status: 'running', rowsDone: 0 };
  }

  /** Stores finished rows and moves the experiment's progress on, in one transaction. */
  async saveExperimentRows(id: string, rows: readonly ExperimentRowResult[], rowsDone: number): Promise<void> {
    if (!rows.length) return;
    await writeTransaction(this.db, this.dialect, async (trx) => {
      await trx
        .insertInto('experiment_rows')
        .values(
          rows.map((r) => ({
            experiment_id: id,
            row_index: r.index,
            status: r.status,
            output: r.output === undefined ? null : JSON.stringify(r.output),
            error: r.error ? JSON.stringify(r.error) : null,
            scores: JSON.stringify(r.scores),
            duration_ms: r.durationMs,
            usage: JSON.stringify(r.usage),
            events: r.events ? JSON.stringify(r.events) : null,
          })),
        )
        .execute();
      await trx.updateTable('experiments').set({ rows_done: rowsDone, heartbeat_at: new Date().toISOString() }).where('id', '=', id).execute();
    });
  }

  async finishExperiment(id: string, end: { status: ExperimentStatus; summary?: ExperimentSummary; error?: string }): Promise<void> {
    await this.db
      .updateTable('experiments')
      .set({ status: end.status, summary: end.summary ? JSON.stringify(end.summary) : null, error: end.error ?? null, finished_at: new Date().toISOString() })
      .where('id', '=', id)
      .execute();
  }

  /** Says the runner executing these experiments is alive. */
  async touchExperiments(ids: readonly string[]): Promise<void> {
    if (!ids.length) return;
    await this.db.updateTable('experiments').set({ heartbeat_at: new Date().toISOString() }).where('id', 'in', ids).where('status', '=', 'running').execute();
  }

  /** Experiments whose runner stopped (no heartbeat since `before`): they end as failed, saying so. */
  async failInterrupted(reason: string, before: string): Promise<number> {
    const result = await this.db.updateTable('experiments').set({ status: 'failed', error: reason, finished_at: new Date().toISOString() }).where('status', '=', 'running').where('heartbeat_at', '<', before).executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async getExperiment(id: string): Promise<Experiment | undefined> {
    const row = await this.db.selectFrom('experiments').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toExperiment(row);
  }

  async listExperiments(query: { flowId?: string | undefined; datasetId?: string | undefined; limit: number }): Promise<Experiment[]> {
    const rows = await this.db
      .selectFrom('experiments')
      .selectAll()
      .$if(query.flowId !== undefined, (q) => q.where('flow_id', '=', query.flowId!))
      .$if(query.datasetId !== undefined, (q) => q.where('dataset_id', '=', query.datasetId!))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit)
      .execute();
    return rows.map(toExperiment);
  }

  /** An experiment's rows in order, with the dataset's inputs and expectations beside them. */
  async experimentRows(id: string, dataset: readonly DatasetRow[], page: { offset: number; limit: number }): Promise<ExperimentRow[]> {
    const rows = await this.db
      .selectFrom('experiment_rows')
      .select(['row_index', 'status', 'output', 'error', 'scores', 'duration_ms', 'usage'])
      .where('experiment_id', '=', id)
      .orderBy('row_index')
      .offset(page.offset)
      .limit(page.limit)
      .execute();
    return rows.map((r) => {
      const source = dataset[r.row_index];
      const output = fromJson<unknown>(r.output);
      const error = fromJson<ErrorInfo>(r.error);
      return {
        index: r.row_index,
        status: r.status as RunStatus,
        input: source?.input ?? null,
        ...(source?.expected === undefined ? {} : { expected: source.expected }),
        ...(output === undefined || r.output === null ? {} : { output }),
        ...(error ? { error } : {}),
        scores: fromJson<Record<string, ScoreResult>>(r.scores) ?? {},
        durationMs: r.duration_ms,
        usage: fromJson<Usage>(r.usage)!,
      };
    });
  }

  /** A row's trace, as its run wrote it. */
  async experimentRowEvents(id: string, index: number): Promise<RunEvent[] | undefined> {
    const row = await this.db.selectFrom('experiment_rows').select('events').where('experiment_id', '=', id).where('row_index', '=', index).executeTakeFirst();
    return row ? (fromJson<RunEvent[]>(row.events) ?? []) : undefined;
  }
}

function toDataset(row: Selectable<DatasetsTable>): DatasetSummary {
  return { id: row.id, name: row.name, ...(row.description ? { description: row.description } : {}), latestVersion: row.latest_version, rowCount: row.row_count, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toExperiment(row: Selectable<ExperimentsTable>): Experiment {
  const summary = fromJson<ExperimentSummary>(row.summary);
  const prompts = fromJson<Record<string, number>>(row.prompts);
  return {
    id: row.id,
    ...(row.name ? { name: row.name } : {}),
    flowId: row.flow_id,
    flowVersion: row.flow_version,
    datasetId: row.dataset_id,
    datasetVersion: row.dataset_version,
    scorers: fromJson<Scorer[]>(row.scorers) ?? [],
    ...(prompts ? { prompts } : {}),
    concurrency: row.concurrency,
    live: row.live === 1,
    status: row.status as ExperimentStatus,
    rowsTotal: row.rows_total,
    rowsDone: row.rows_done,
    ...(summary ? { summary } : {}),
    ...(row.error ? { error: row.error } : {}),
    createdAt: row.created_at,
    ...(row.finished_at ? { finishedAt: row.finished_at } : {}),
  };
}
