import { randomUUID } from 'node:crypto';
import { TrellisError } from '@trellis/nodes';
import { MAX_SUBFLOW_DEPTH, type ApprovalCount, type ApprovalQuery, type Budget, type InboxItem, type ErrorInfo, type Flow, type MockScript, type FlowPin, type PromptPin, type PublishRecord, type RunEvent, type RunParent, type Usage } from '@trellis/schema';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Commit, NodeState, RunRecord, RunSnapshot } from '../engine/checkpoint.js';
import type { Answer } from '../engine/types.js';
import { countInbox, listInbox, listRuns } from './listing.js';
import { pruneTokens, takeToken, tokensLeft } from './token-buckets.js';
import { BoundedMap, fromJson, isUniqueViolation, present, summaryColumns, toApiKey, toApproval, toEvent, toPublished, toRunSummary } from './rows.js';
import { writeTransaction, type Dialect } from './statements.js';
import type { CredentialsTable, Database, FlowsTable, RunsTable } from './tables.js';
import {
  StoreConflict,
  type ApiKey,
  type Approval,
  type ApprovalStatus,
  type CorsSettings,
  type Credential,
  type CredentialKind,
  type SealedValue,
  type FlowSummary,
  type FlowVersion,
  type FlowVersionSummary,
  type Page,
  type Prompt,
  type PromptContentInput,
  type PromptImportResult,
  type PromptLibraryFile,
  type PromptQuery,
  type PromptSummary,
  type PromptVersion,
  type PromptVersionSummary,
  type PublishedEndpoint,
  type PublishGateOutcome,
  type RateLimit,
  type RunQuery,
  type RunSummary,
  type CommitHandlers,
  type Store,
  type StoredFlow,
} from './types.js';
import { CommitWriter, type Lease } from './writer.js';
import { COMMITS_CHANNEL, QUEUE_CHANNEL, commitNotices, listenForCommits, type CommitListener } from './commit-notices.js';
import type pg from 'pg';
import { DEFAULT_LEASE_MS } from './types.js';
import { PromptLibrary } from './prompt-store.js';
import { EvalStore } from './eval-store.js';
import type { SqliteWriteThread } from './sqlite-thread.js';

/** The Store over Kysely: the same queries on SQLite and PostgreSQL. Checkpoint writes go through the group-commit writer. */
export class SqlStore implements Store {
  private readonly writer: CommitWriter;
  /**
   * Parsed flow versions, one object per version for every run of it: the engine keeps its
   * checked graph keyed by the document object, so handing out the same object spares a reload.
   * Versions never change, so an entry never goes stale.
   */
  private readonly versionDocuments = new BoundedMap<string, Flow>(256);
  private readonly prompts: PromptLibrary;
  readonly evals: EvalStore;
  private readonly listeners = new Set<CommitListener>();

  constructor(
    private readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly lease: Lease = { owner: randomUUID(), ms: DEFAULT_LEASE_MS },
    thread?: SqliteWriteThread,
    /** PostgreSQL: how to open a connection of its own for LISTEN, and the schema the tables are in. */
    private readonly listening?: { client: () => pg.Client; schema: string },
  ) {
    this.writer = new CommitWriter(db, dialect, lease, thread, listening && { schema: listening.schema });
    this.prompts = new PromptLibrary(db, dialect);
    this.evals = new EvalStore(db, dialect);
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners].map((l) => l.close()));
    await this.writer.close();
    await this.db.destroy();
  }

  // Checkpoints.

  createRun(run: RunRecord, options?: { held?: boolean }): Promise<void> {
    // PostgreSQL takes concurrent statements from the pool: a queued run's creation goes on its own (createAlone).
    if (options?.held === false && this.dialect === 'postgres') return this.writer.createAlone({ kind: 'create', run, held: false });
    return this.writer.write({ kind: 'create', run, ...(options?.held === false ? { held: false } : {}) });
  }

  commit(runId: string, commit: Commit): Promise<void> {
    return this.writer.write({ kind: 'commit', runId, commit });
  }

  // Leases: which runner executes a run (see store/types.ts).

  get runnerId(): string {
    return this.lease.owner;
  }

  get leaseMs(): number {
    return this.lease.ms;
  }

  claimRun(runId: string): Promise<boolean> {
    return this.writer.hold(runId);
  }

  async claimListed(runIds: readonly string[]): Promise<{ runId: string; cancel?: string; snapshot?: RunSnapshot }[]> {
    if (!runIds.length) return [];
    const now = Date.now();
    const { owner } = this.lease;
    const rows = await this.db
      .updateTable('runs')
      .set({ lease_owner: owner, lease_expires_at: now + this.lease.ms })
      .where('id', 'in', runIds)
      .where('status', 'in', ['queued', 'running'])
      .where((eb) => eb.or([eb('lease_owner', '=', owner), leaseFree(now)(eb)]))
      .returningAll()
      .execute();
    return Promise.all(
      rows.map(async (row) => {
        const taken = { runId: row.id, ...(row.cancel_requested === null ? {} : { cancel: row.cancel_requested }) };
        // A run still queued has never committed (its first commit makes it running): no node
        // states, no events. Its checkpoint is its row, so it starts without another read.
        if (row.status !== 'queued') return taken;
        // A record that cannot be made (its flow version is gone) is read, and refused, on its own.
        const run = await this.recordOf(row).catch(() => undefined);
        if (!run) return taken;
        this.writer.noteLastSeq(row.id, 0);
        return { ...taken, snapshot: { run, nodes: {}, lastSeq: 0 } };
      }),
    );
  }

  async freeRuns(limit: number, queuedBefore?: string): Promise<string[]> {
    let pick = this.pickFree(Date.now(), limit);
    if (queuedBefore !== undefined) pick = pick.where((eb) => eb.or([eb('status', '=', 'running'), eb('created_at', '<', queuedBefore)]));
    const rows = await pick.execute();
    return rows.map((row) => row.id);
  }

  /** The unfinished runs nobody holds (or whose lease ran out at `now`), oldest first. */
  private pickFree(now: number, limit: number) {
    return this.db.selectFrom('runs').select('id').where('status', 'in', ['queued', 'running']).where(leaseFree(now)).orderBy('created_at').orderBy('id').limit(limit);
  }

  async claimRuns(limit: number): Promise<string[]> {
    const now = Date.now();
    let pick = this.pickFree(now, limit);
    // Every runner asks each second and there is seldom anything to take: a read first, since an
    // UPDATE that matches nothing still takes SQLite's write lock from the commit writer's thread.
    if ((await pick.execute()).length === 0) return [];
    // Runners claiming at once each skip the rows another is taking, rather than queue on them.
    if (this.dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('runs')
      .set({ lease_owner: this.lease.owner, lease_expires_at: now + this.lease.ms })
      .where('id', 'in', pick)
      .where(leaseFree(now))
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async renewLeases(runIds: readonly string[]): Promise<string[]> {
    const kept = new Set<string>();
    const now = Date.now();
    for (let start = 0; start < runIds.length; start += 500) {
      const ids = runIds.slice(start, start + 500);
      const rows = await this.db
        .updateTable('runs')
        .set({ lease_expires_at: now + this.lease.ms })
        .where('id', 'in', ids)
        .where('lease_owner', '=', this.lease.owner)
        .returning('id')
        .execute();
      for (const row of rows) kept.add(row.id);
    }
    const missed = runIds.filter((id) => !kept.has(id));
    if (!missed.length) return [];
    const taken: string[] = [];
    for (let start = 0; start < missed.length; start += 500) {
      const rows = await this.db
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', missed.slice(start, start + 500))
        .where('lease_owner', 'is not', null)
        .where('lease_owner', '!=', this.lease.owner)
        .execute();
      taken.push(...rows.map((r) => r.id));
    }
    return taken;
  }

  async requestCancel(runId: string, reason: string): Promise<boolean> {
    const rows = await this.db
      .updateTable('runs')
      .set({ cancel_requested: reason.slice(0, 500) })
      .where('id', '=', runId)
      .where('status', 'in', ['queued', 'running', 'waiting'])
      .returning('id')
      .execute();
    if (!rows.length) return false;
    await this.announceRuns([runId]);
    return true;
  }

  async cancelRequests(runIds: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    for (let start = 0; start < runIds.length; start += 500) {
      const rows = await this.db.selectFrom('runs').select(['id', 'cancel_requested']).where('id', 'in', runIds.slice(start, start + 500)).where('cancel_requested', 'is not', null).execute();
      for (const row of rows) found.set(row.id, row.cancel_requested!);
    }
    return found;
  }

  async requestAnswer(approvalId: string, answer: Answer): Promise<boolean> {
    const rows = await this.db
      .updateTable('approvals')
      .set({ answer_requested: JSON.stringify(answer) })
      .where('id', '=', approvalId)
      .where('status', '=', 'pending')
      .where('answer_requested', 'is', null)
      .returning('run_id')
      .execute();
    if (!rows.length) return false;
    await this.announceRuns([rows[0]!.run_id]);
    return true;
  }

  async answerRequests(runIds: readonly string[]): Promise<{ approvalId: string; runId: string; answer: Answer }[]> {
    const found: { approvalId: string; runId: string; answer: Answer }[] = [];
    for (let start = 0; start < runIds.length; start += 500) {
      const rows = await this.db
        .selectFrom('approvals')
        .select(['id', 'run_id', 'answer_requested'])
        .where('run_id', 'in', runIds.slice(start, start + 500))
        .where('status', '=', 'pending')
        .where('answer_requested', 'is not', null)
        .execute();
      for (const row of rows) found.push({ approvalId: row.id, runId: row.run_id, answer: JSON.parse(row.answer_requested!) as Answer });
    }
    return found;
  }

  async clearAnswerRequest(approvalId: string): Promise<void> {
    await this.db.updateTable('approvals').set({ answer_requested: null }).where('id', '=', approvalId).execute();
  }

  /** Wakes the runner holding these runs (its commit listener): something was asked of it that no commit of its own would name. */
  private async announceRuns(runIds: string[]): Promise<void> {
    if (this.listening) for (const payload of commitNotices(this.listening.schema, this.lease.owner, runIds)) await sql`select pg_notify(${COMMITS_CHANNEL}, ${payload})`.execute(this.db);
  }

  get pgSchema(): string | undefined {
    return this.listening?.schema;
  }

  async announceQueued(): Promise<void> {
    if (this.listening) await sql`select pg_notify(${QUEUE_CHANNEL}, ${this.listening.schema})`.execute(this.db);
  }

  listenForCommits(handlers: CommitHandlers): CommitListener | undefined {
    if (!this.listening) return undefined;
    const listener = listenForCommits({ ...this.listening, owner: this.lease.owner, ...handlers });
    this.listeners.add(listener);
    return {
      close: async () => {
        this.listeners.delete(listener);
        await listener.close();
      },
    };
  }

  takeToken(bucket: string, capacity: number, windowMs: number): Promise<number> {
    return takeToken(this.db, this.dialect, bucket, capacity, windowMs);
  }

  tokensLeft(bucket: string, capacity: number, windowMs: number): Promise<number> {
    return tokensLeft(this.db, bucket, capacity, windowMs);
  }

  pruneTokens(): Promise<number> {
    return pruneTokens(this.db);
  }

  async releaseLeases(runIds?: readonly string[]): Promise<number> {
    let update = this.db.updateTable('runs').set({ lease_owner: null, lease_expires_at: null }).where('lease_owner', '=', this.lease.owner);
    if (runIds) {
      if (runIds.length === 0) return 0;
      update = update.where('id', 'in', runIds).where('status', 'not in', ['queued', 'running']);
    }
    const result = await update.executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async load(runId: string): Promise<RunSnapshot | undefined> {
    const row = await this.db
      .selectFrom('runs')
      .selectAll()
      .select((eb) => eb.selectFrom('run_events').select((e) => e.fn.max('seq').as('m')).whereRef('run_events.run_id', '=', 'runs.id').as('last_seq'))
      .where('id', '=', runId)
      .executeTakeFirst();
    if (!row) return undefined;
    const nodeRows = await this.db.selectFrom('run_nodes').select(['node_id', 'state']).where('run_id', '=', runId).execute();
    const lastSeq = Number(row.last_seq ?? 0);
    this.writer.noteLastSeq(runId, lastSeq);
    const run = await this.recordOf(row);
    const nodes = Object.fromEntries(nodeRows.map((n) => [n.node_id, JSON.parse(n.state) as NodeState]));
    return { run, nodes, lastSeq };
  }

  /** A run's record from its row. */
  private async recordOf(row: Selectable<RunsTable>): Promise<RunRecord> {
    const flow = row.flow_version === null ? (JSON.parse(row.flow_document!) as Flow) : await this.versionDocument(row.flow_id, row.flow_version);
    if (!flow) throw new Error(`flow ${row.flow_id} has no version ${row.flow_version}`);
    return {
      id: row.id,
      flow,
      ...present({ flowVersion: row.flow_version }),
      input: fromJson(row.input),
      ...present({
        mocks: fromJson<MockScript>(row.mocks),
        budget: fromJson<Budget>(row.budget),
        labels: fromJson<Record<string, string>>(row.labels),
        prompts: fromJson<PromptPin[]>(row.prompts),
        flows: fromJson<FlowPin[]>(row.flow_pins),
        parent: fromJson<RunParent>(row.parent),
      }),
      status: row.status,
      ...present({ output: fromJson(row.output), error: fromJson<ErrorInfo>(row.error) }),
      usage: JSON.parse(row.usage) as Usage,
      createdAt: row.created_at,
      ...present({ startedAt: row.started_at, finishedAt: row.finished_at }),
    };
  }

  async versionDocument(flowId: string, version: number): Promise<Flow | undefined> {
    const key = `${flowId}@${version}`;
    const cached = this.versionDocuments.get(key);
    if (cached) return cached;
    const row = await this.db.selectFrom('flow_versions').select('document').where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
    if (!row) return undefined;
    // Another load may have parsed it while this one read: there must be one object per version.
    const raced = this.versionDocuments.get(key);
    if (raced) return raced;
    const document = JSON.parse(row.document) as Flow;
    this.versionDocuments.set(key, document);
    return document;
  }

  // Flows.

  async listFlows(): Promise<FlowSummary[]> {
    const rows = await this.db.selectFrom('flows').selectAll().where('deleted_at', 'is', null).orderBy('updated_at', 'desc').orderBy('id').execute();
    return rows.map(toFlowSummary);
  }

  async getFlow(id: string): Promise<StoredFlow | undefined> {
    const row = await this.db
      .selectFrom('flows')
      .innerJoin('flow_versions', (join) => join.onRef('flow_versions.flow_id', '=', 'flows.id').onRef('flow_versions.version', '=', 'flows.latest_version'))
      .selectAll('flows')
      .select('flow_versions.document')
      .where('flows.id', '=', id)
      .where('flows.deleted_at', 'is', null)
      .executeTakeFirst();
    return row && { ...toFlowSummary(row), document: JSON.parse(row.document) as Flow };
  }

  async saveFlow(document: Flow, options: SaveOptions = {}): Promise<FlowVersion> {
    // Two first saves of a flow both find no row to lock; the loser hits a key, and on its next try sees the winner's version.
    for (let attempt = 1; ; attempt++) {
      try {
        return await writeTransaction(this.db, this.dialect, (trx) => this.saveFlowIn(trx, document, options));
      } catch (error) {
        if (attempt >= 5 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  private async saveFlowIn(trx: Kysely<Database>, document: Flow, options: SaveOptions): Promise<FlowVersion> {
    const now = new Date().toISOString();
    const current = await trx
      .selectFrom('flows')
      .select(['latest_version', 'deleted_at'])
      .where('id', '=', document.id)
      // Saves of one flow queue on the row lock, each reading the version the one before it wrote (SQLite has one writer anyway).
      .$if(this.dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirst();
    const latest = current?.latest_version ?? 0;
    // A deleted flow looks absent to its users, so re-creating it expects no version; its numbering goes on regardless.
    const visible = current && current.deleted_at === null ? latest : 0;
    if (options.expectVersion !== undefined && options.expectVersion !== visible) {
      throw new StoreConflict(`flow "${document.id}" is at version ${visible}, but the save expected version ${options.expectVersion}`);
    }
    const version = latest + 1;
    const fields = { name: document.name, description: document.description ?? null, tags: document.tags?.length ? JSON.stringify(document.tags) : null, latest_version: version, updated_at: now, deleted_at: null };
    if (current) await trx.updateTable('flows').set(fields).where('id', '=', document.id).execute();
    else await trx.insertInto('flows').values({ id: document.id, created_at: now, ...fields }).execute();
    const text = JSON.stringify(document);
    await trx
      .insertInto('flow_versions')
      .values({ flow_id: document.id, version, document: text, message: options.message ?? null, author: options.author ?? null, created_at: now })
      .execute();
    return { flowId: document.id, version, createdAt: now, ...present({ message: options.message, author: options.author }), document: JSON.parse(text) as Flow };
  }

  async deleteFlow(id: string): Promise<boolean> {
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const now = new Date().toISOString();
      const result = await trx.updateTable('flows').set({ deleted_at: now }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
      if (result.numUpdatedRows === 0n) return false;
      await trx.deleteFrom('published').where('flow_id', '=', id).execute();
      return true;
    });
  }

  async listVersions(flowId: string): Promise<FlowVersionSummary[]> {
    const rows = await this.db
      .selectFrom('flow_versions')
      .select(['flow_id', 'version', 'message', 'author', 'created_at'])
      .where('flow_id', '=', flowId)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((row) => ({ flowId: row.flow_id, version: row.version, createdAt: row.created_at, ...present({ message: row.message, author: row.author }) }));
  }

  async getVersion(flowId: string, version: number): Promise<FlowVersion | undefined> {
    const row = await this.db.selectFrom('flow_versions').selectAll().where('flow_id', '=', flowId).where('version', '=', version).executeTakeFirst();
    return row && { flowId: row.flow_id, version: row.version, createdAt: row.created_at, ...present({ message: row.message, author: row.author }), document: JSON.parse(row.document) as Flow };
  }

  // Runs.

  listRuns(query: RunQuery): Promise<Page<RunSummary>> {
    return listRuns(this.db, query);
  }

  async getRun(id: string): Promise<RunSummary | undefined> {
    const row = await this.db.selectFrom('runs').select(summaryColumns).where('id', '=', id).executeTakeFirst();
    return row && toRunSummary(row);
  }

  async listEvents(runId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<RunEvent[]> {
    const rows = await this.db
      .selectFrom('run_events')
      .select(['seq', 'ts', 'type', 'node_id', 'path', 'data'])
      .where('run_id', '=', runId)
      .where('seq', '>', options.afterSeq ?? 0)
      .orderBy('seq')
      .limit(Math.max(0, Math.floor(options.limit ?? 1000)))
      .execute();
    return rows.map((row) => toEvent(runId, row));
  }

  async unfinishedRuns(): Promise<string[]> {
    const rows = await this.db.selectFrom('runs').select('id').where('status', 'in', ['queued', 'running']).orderBy('created_at').orderBy('id').execute();
    return rows.map((row) => row.id);
  }

  async endedChildrenOfWaitingRuns(): Promise<RunParent[]> {
    const rows = await this.db
      .selectFrom('runs as child')
      .innerJoin('runs as parent', 'parent.id', 'child.parent_run_id')
      .select('child.parent')
      .where('parent.status', '=', 'waiting')
      .where('child.status', 'in', ['succeeded', 'failed', 'cancelled'])
      .execute();
    return rows.flatMap((row) => fromJson<RunParent>(row.parent) ?? []);
  }

  async runFamily(runId: string): Promise<string[]> {
    const family = [runId];
    // Sub-flows nest at most MAX_SUBFLOW_DEPTH deep: one query a generation.
    for (let generation = [runId], depth = 1; generation.length && depth < MAX_SUBFLOW_DEPTH; depth++) {
      generation = (await this.db.selectFrom('runs').select('id').where('parent_run_id', 'in', generation).execute()).map((row) => row.id);
      family.push(...generation);
    }
    return family;
  }

  // Approvals.

  async listApprovals(query: { status?: ApprovalStatus; runId?: string; flowId?: string } = {}): Promise<Approval[]> {
    let q = this.db.selectFrom('approvals').selectAll().orderBy('created_at').orderBy('id');
    if (query.status !== undefined) q = q.where('status', '=', query.status);
    if (query.runId !== undefined) q = q.where('run_id', '=', query.runId);
    if (query.flowId !== undefined) q = q.where('flow_id', '=', query.flowId);
    return (await q.execute()).map(toApproval);
  }

  listInbox(query: ApprovalQuery): Promise<Page<InboxItem>> {
    return listInbox(this.db, query);
  }

  countInbox(): Promise<ApprovalCount> {
    return countInbox(this.db);
  }

  async getApproval(id: string): Promise<Approval | undefined> {
    const row = await this.db.selectFrom('approvals').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toApproval(row);
  }

  async dueApprovals(now: Date): Promise<Approval[]> {
    const rows = await this.db
      .selectFrom('approvals')
      .selectAll()
      .where('status', '=', 'pending')
      .where('deadline', 'is not', null)
      .where('deadline', '<=', now.toISOString())
      .orderBy('deadline')
      .orderBy('id')
      .execute();
    return rows.map(toApproval);
  }

  // Published endpoints.

  async publish(entry: { slug: string; flowId: string; version: number; cors?: CorsSettings | null; gate?: PublishGateOutcome }): Promise<PublishedEndpoint> {
    const now = new Date().toISOString();
    const cors = entry.cors ?? null;
    return writeTransaction(this.db, this.dialect, async (trx) => {
      const version = await trx
        .selectFrom('flow_versions')
        .innerJoin('flows', 'flows.id', 'flow_versions.flow_id')
        .select('flow_versions.version')
        .where('flow_versions.flow_id', '=', entry.flowId)
        .where('flow_versions.version', '=', entry.version)
        .where('flows.deleted_at', 'is', null)
        .executeTakeFirst();
      if (!version) throw new TrellisError('not_found', `flow "${entry.flowId}" has no version ${entry.version} to publish`);
      const row = { slug: entry.slug, flow_id: entry.flowId, version: entry.version, cors: cors && JSON.stringify(cors), created_at: now };
      // Re-publishing a slug moves it to another version of its flow, never to another flow.
      const result = await trx
        .insertInto('published')
        .values(row)
        .onConflict((oc) => oc.column('slug').doUpdateSet({ version: row.version, cors: row.cors, created_at: now }).where('published.flow_id', '=', entry.flowId))
        .executeTakeFirst();
      if (!result.numInsertedOrUpdatedRows) {
        const owner = await trx.selectFrom('published').select('flow_id').where('slug', '=', entry.slug).executeTakeFirst();
        throw new StoreConflict(`the slug "${entry.slug}" is already published for flow "${owner?.flow_id ?? '?'}"`);
      }
      const gate = entry.gate ?? { gate: 'none' };
      await trx
        .insertInto('publish_log')
        .values({
          id: randomUUID(),
          flow_id: entry.flowId,
          version: entry.version,
          slug: entry.slug,
          at: now,
          gate: gate.gate,
          reason: gate.reason ?? null,
          by: gate.by ?? null,
          failed_cases: gate.failedCases ? JSON.stringify(gate.failedCases) : null,
        })
        .execute();
      return { slug: entry.slug, flowId: entry.flowId, version: entry.version, cors, createdAt: now };
    });
  }

  async listPublishes(flowId: string, limit: number): Promise<PublishRecord[]> {
    const rows = await this.db.selectFrom('publish_log').selectAll().where('flow_id', '=', flowId).orderBy('at', 'desc').orderBy('id').limit(limit).execute();
    return rows.map((row) => ({
      flowId: row.flow_id,
      version: row.version,
      slug: row.slug,
      at: row.at,
      gate: row.gate,
      ...(row.reason === null ? {} : { reason: row.reason }),
      ...(row.by === null ? {} : { by: row.by }),
      ...(row.failed_cases === null ? {} : { failedCases: fromJson<string[]>(row.failed_cases) ?? [] }),
    }));
  }

  async unpublish(slug: string): Promise<boolean> {
    const result = await this.db.deleteFrom('published').where('slug', '=', slug).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async listPublished(): Promise<PublishedEndpoint[]> {
    return (await this.db.selectFrom('published').selectAll().orderBy('slug').execute()).map(toPublished);
  }

  async getPublished(slug: string): Promise<PublishedEndpoint | undefined> {
    const row = await this.db.selectFrom('published').selectAll().where('slug', '=', slug).executeTakeFirst();
    return row && toPublished(row);
  }

  // API keys.

  async createKey(key: { name: string; hash: string; prefix: string; slugs: string[] | null; rateLimit: RateLimit | null }): Promise<ApiKey> {
    const row = {
      id: randomUUID(),
      name: key.name,
      prefix: key.prefix,
      hash: key.hash,
      slugs: key.slugs && JSON.stringify(key.slugs),
      rate_limit: key.rateLimit && JSON.stringify(key.rateLimit),
      created_at: new Date().toISOString(),
      revoked_at: null,
      last_used_at: null,
    };
    await this.db.insertInto('api_keys').values(row).execute();
    return toApiKey(row);
  }

  async listKeys(): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toApiKey);
  }

  async revokeKey(id: string): Promise<boolean> {
    const result = await this.db.updateTable('api_keys').set({ revoked_at: new Date().toISOString() }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async findKeyByHash(hash: string): Promise<(ApiKey & { hash: string }) | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('hash', '=', hash).executeTakeFirst();
    return row && { ...toApiKey(row), hash: row.hash };
  }

  async touchKey(id: string, at: Date): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at.toISOString() }).where('id', '=', id).execute();
  }

  // The prompt library (prompt-store.ts).

  listPrompts(query?: PromptQuery): Promise<PromptSummary[]> {
    return this.prompts.list(query);
  }

  getPrompt(name: string): Promise<Prompt | undefined> {
    return this.prompts.get(name);
  }

  createPrompt(input: PromptContentInput & { name: string }): Promise<PromptVersion> {
    return this.prompts.create(input);
  }

  updatePrompt(name: string, input: PromptContentInput & { expectVersion?: number }): Promise<PromptVersion | undefined> {
    return this.prompts.update(name, input);
  }

  deletePrompt(name: string): Promise<boolean> {
    return this.prompts.delete(name);
  }

  listPromptVersions(name: string): Promise<PromptVersionSummary[]> {
    return this.prompts.versions(name);
  }

  getPromptVersion(name: string, version: number): Promise<PromptVersion | undefined> {
    return this.prompts.version(name, version);
  }

  exportPrompts(): Promise<PromptLibraryFile['prompts']> {
    return this.prompts.exportAll();
  }

  importPrompts(prompts: PromptLibraryFile['prompts']): Promise<PromptImportResult> {
    return this.prompts.importAll(prompts);
  }

  // Credentials.

  async listCredentials(): Promise<Credential[]> {
    const rows = await this.db.selectFrom('credentials').selectAll().orderBy('name').execute();
    return rows.map(toCredential);
  }

  async getCredential(name: string): Promise<(Credential & { sealed: SealedValue }) | undefined> {
    const row = await this.db.selectFrom('credentials').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { ...toCredential(row), sealed: { ciphertext: row.ciphertext, iv: row.iv, tag: row.tag } };
  }

  async putCredential(entry: { name: string; kind: CredentialKind; provider?: string; sealed: SealedValue }): Promise<Credential> {
    const now = new Date().toISOString();
    const fields = { kind: entry.kind, provider: entry.provider ?? null, ...entry.sealed, updated_at: now };
    const row = await this.db
      .insertInto('credentials')
      .values({ name: entry.name, created_at: now, last_used_at: null, ...fields })
      .onConflict((oc) => oc.column('name').doUpdateSet(fields))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toCredential(row);
  }

  async deleteCredential(name: string): Promise<boolean> {
    const result = await this.db.deleteFrom('credentials').where('name', '=', name).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async touchCredential(name: string, at: Date): Promise<void> {
    await this.db.updateTable('credentials').set({ last_used_at: at.toISOString() }).where('name', '=', name).execute();
  }

  // Settings.

  async getMeta(key: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

type SaveOptions = NonNullable<Parameters<Store['saveFlow']>[1]>;

function toFlowSummary(row: Selectable<FlowsTable>): FlowSummary {
  return {
    id: row.id,
    name: row.name,
    ...present({ description: row.description, tags: row.tags === null ? undefined : (JSON.parse(row.tags) as string[]) }),
    latestVersion: row.latest_version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toCredential(row: Selectable<CredentialsTable>): Credential {
  return {
    name: row.name,
    kind: row.kind,
    ...present({ provider: row.provider }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    ...present({ lastUsedAt: row.last_used_at }),
  };
}

/** A lease nobody holds, or one that ran out at `now`. */
function leaseFree(now: number) {
  return (eb: ExpressionBuilder<Database, 'runs'>) => eb.or([eb('lease_owner', 'is', null), eb('lease_expires_at', '<', now)]);
}
