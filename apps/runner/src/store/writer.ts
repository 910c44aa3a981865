import { randomUUID } from 'node:crypto';
import { TrellisError, hasEnded, type DecidedStatus, type RunStatus } from '@trellis/schema';
import { CompiledQuery, type Kysely } from 'kysely';
import type { ApprovalChange, Commit, RunRecord } from '../engine/checkpoint.js';
import { BoundedMap, isUniqueViolation, toJson } from './rows.js';
import { PATCH, ROWS_PER_STATEMENT, RUN_PATCH_COLUMNS, run, runChecked, runChunked, Statements, writeTransaction, type Dialect, type Exec } from './statements.js';
import { NOT_PENDING, type SqliteWriteThread, type Statement } from './sqlite-thread.js';
import type { Database } from './tables.js';
import { COMMITS_CHANNEL, commitNotices } from './commit-notices.js';

/** A write of the checkpoint path: a new run, or one commit of a run. */
export type Write = { kind: 'create'; run: RunRecord; held?: boolean } | { kind: 'commit'; runId: string; commit: Commit };

/**
 * A write as it will be stored, serialized when it is submitted: what lands is the value at the
 * call, whatever the caller does with its objects while the write waits for its batch.
 */
type Prepared =
  | { kind: 'create'; runId: string; row: unknown[] }
  | { kind: 'commit'; runId: string; changes: RunChanges | undefined; finished: boolean; nodes: NodeRow[]; events: EventRow[]; approvals: ApprovalAction[] };

/** A run's changed columns; a key is present when the commit sets it (undefined clears it). */
interface RunChanges {
  status?: RunStatus;
  output?: string | null;
  error?: string | null;
  usage?: { json: string; totalTokens: number; costUsd: number | null };
  startedAt?: string | null;
  finishedAt?: string | null;
}

interface NodeRow {
  nodeId: string;
  status: string;
  state: string;
}

interface EventRow {
  seq: number;
  ts: string;
  type: string;
  nodeId: string | null;
  /** JSON, for a step inside a container's body. */
  path: string | null;
  data: string;
}

type ApprovalAction =
  | { kind: 'open'; runId: string; nodeId: string; waitId: string; waitKind: string; message: string; payload: string | null; schema: string | null; deadline: string | null; at: string }
  | { kind: 'decide'; runId: string; waitId: string; status: DecidedStatus; at: string; by: string | null; comment: string | null; payload: string | null }
  | { kind: 'close'; runId: string; at: string };

/** What one transaction writes, gathered from its writes in their order. */
interface Plan {
  creates: unknown[][];
  /** Each run's changes, merged: one row per run for the multi-row UPDATE. */
  changes: Map<string, RunChanges>;
  /** The last state of each node: one row per node for the multi-row upsert. */
  nodes: Map<string, { runId: string } & NodeRow>;
  events: ({ runId: string } & EventRow)[];
  approvals: ApprovalAction[];
  /** The last seq of each run written, to remember once committed; undefined for runs that finished. */
  seqs: Map<string, number | undefined>;
  /** Runs committed to (not created) in the batch: their leases must be this runner's, and are renewed. */
  held: string[];
  /** Runs that now wait for a person or have ended: their leases are let go. */
  released: string[];
}

interface Queued {
  write: Prepared;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Keeps one transaction (and the time SQLite's single connection is held) short under a flood. */
const MAX_WRITES_PER_TRANSACTION = 2000;

/**
 * Group commit: the writes that arrive in one tick of the event loop go to the database in one
 * transaction, with multi-row statements, and each caller hears back once it has committed.
 * A transaction per commit would cap a SQLite runner at a few thousand commits a second, and
 * cost a PostgreSQL runner round trips per step. One batch is in flight at a time, which keeps
 * each run's writes in order.
 */
export class CommitWriter {
  private queue: Queued[] = [];
  private scheduled = false;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly statements: Statements;
  /**
   * The last committed seq per run, to check a commit's continuity without a read. Only a hint:
   * a mismatch is checked against the database before a commit is refused, and the primary key
   * of run_events refuses a seq another process wrote first.
   */
  private readonly lastSeqs = new BoundedMap<string, number>(20_000);

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    /** The runner this store writes for, and how long a lease lasts past each commit. */
    private readonly lease: Lease,
    /** SQLite on a file: the thread that writes the batches. */
    private readonly thread?: SqliteWriteThread,
    /** PostgreSQL: the schema named in the notices of each commit to the other runners (see commit-notices.ts). */
    private readonly notices?: { schema: string },
  ) {
    this.statements = new Statements(dialect);
  }

  write(write: Write): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    let prepared: Prepared;
    try {
      prepared = prepare(write, this.lease);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ write: prepared, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Stores a new run in a statement of its own, not in the next batch: a run created for the
   * queue (held by nobody) is executed elsewhere, so its creation waits for no commit of the runs
   * executing here (under load, a batch or two: tens of milliseconds before the queue sees it).
   */
  async createAlone(write: Write & { kind: 'create' }): Promise<void> {
    if (this.closed) throw new Error('the store is closed');
    const prepared = prepare(write, this.lease);
    if (prepared.kind !== 'create') return;
    await this.db.executeQuery(CompiledQuery.raw(this.statements.insertRuns(1), prepared.row));
  }

  /**
   * Takes (or renews) one run's lease by the same rule every commit checks (holdLeases): false
   * when another runner holds it. Outside the batches: claiming waits for no commit.
   */
  async hold(runId: string): Promise<boolean> {
    const now = Date.now();
    const result = await this.db.executeQuery(CompiledQuery.raw(this.statements.holdLeases(1), [this.lease.owner, now + this.lease.ms, runId, this.lease.owner, now]));
    return Number(result.numAffectedRows ?? 0n) === 1;
  }

  /** Tells the writer a run's last seq as read from the database (e.g. by load()). */
  noteLastSeq(runId: string, seq: number): void {
    this.lastSeqs.set(runId, seq);
  }

  /** Refuses new writes and resolves once the queued ones are written. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing || this.scheduled) await (this.flushing ?? new Promise((resolve) => setImmediate(resolve)));
    await this.thread?.close();
  }

  private schedule(): void {
    if (this.scheduled || this.flushing || this.queue.length === 0) return;
    this.scheduled = true;
    // One turn of the event loop gathers every write of this tick (and of the callers the last batch woke).
    setImmediate(() => {
      this.scheduled = false;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        this.schedule();
      });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, MAX_WRITES_PER_TRANSACTION);
    try {
      await this.transact(batch.map((q) => q.write));
      for (const q of batch) q.resolve();
    } catch (error) {
      if (batch.length === 1) {
        this.lastSeqs.delete(batch[0]!.write.runId);
        batch[0]!.reject(await this.explain(batch[0]!.write, error));
      } else {
        await this.oneByOne(batch);
      }
    }
  }

  /** After a batch failed: each write alone, so only the bad one fails; a run's later writes wait on its earlier ones. */
  private async oneByOne(batch: Queued[]): Promise<void> {
    const failed = new Set<string>();
    for (const { write, resolve, reject } of batch) {
      if (failed.has(write.runId)) {
        reject(new Error(`run ${write.runId}: not written because an earlier write of the run failed`));
        continue;
      }
      try {
        await this.transact([write]);
        resolve();
      } catch (error) {
        failed.add(write.runId);
        this.lastSeqs.delete(write.runId);
        reject(await this.explain(write, error));
      }
    }
  }

  private async transact(writes: readonly Prepared[]): Promise<void> {
    let plan: Plan;
    if (this.thread) {
      // The checks read through this connection (one batch is in flight at a time, so they see
      // every earlier commit); the writes go to the thread as one transaction.
      plan = await this.plan(this.db, writes);
      const statements: Statement[] = [];
      await this.apply(async (text, parameters, check) => void statements.push(check ? [text, parameters, check.expectChanges] : [text, parameters]), plan);
      await this.thread.execute(statements);
    } else {
      plan = await writeTransaction(this.db, this.dialect, async (trx) => {
        const planned = await this.plan(trx, writes);
        await this.apply((text, parameters, check) => runChecked(trx, text, parameters, check), planned);
        return planned;
      });
    }
    for (const [runId, seq] of plan.seqs) {
      if (seq === undefined) this.lastSeqs.delete(runId);
      else this.lastSeqs.set(runId, seq);
    }
  }

  /**
   * A refusal in the caller's terms: the only keys a write can hit are the run's id and its
   * events' seqs; a decision refused names who decided the wait first, and when.
   */
  private async explain(write: Prepared, error: unknown): Promise<unknown> {
    if (write.kind === 'commit' && (error as { code?: unknown } | undefined)?.code === NOT_PENDING) {
      // An answer that came second is told who answered first, even when that answer's runner now holds the run.
      const waitIds = write.approvals.flatMap((a) => (a.kind === 'decide' ? [a.waitId] : []));
      const rows = waitIds.length
        ? await this.db.selectFrom('approvals').select(['wait_id', 'status', 'decided_by', 'decided_at']).where('run_id', '=', write.runId).where('wait_id', 'in', waitIds).execute().catch(() => [])
        : [];
      const taken = rows.find((r) => r.status !== 'pending');
      if (!taken) {
        const held = await heldElsewhere(this.db, write.runId, this.lease.owner).catch(() => undefined);
        if (held) return held;
      }
      const what = taken
        ? `${taken.status.replace('_', ' ')}${taken.decided_by ? ` by ${taken.decided_by}` : ''}${taken.decided_at ? ` at ${taken.decided_at}` : ''}`
        : 'decided';
      return new TrellisError('already_decided', `the wait "${taken?.wait_id ?? waitIds[0]}" of run ${write.runId} was already ${what}`, { cause: error });
    }
    if (!isUniqueViolation(error)) return error;
    if (write.kind === 'create') return new TrellisError('run_conflict', `run ${write.runId} already exists`, { cause: error });
    const seqs = write.events.map((e) => e.seq);
    return new TrellisError('run_conflict', `run ${write.runId}: events ${seqs[0]}..${seqs.at(-1)} are already stored (is another process running this run?)`, { cause: error });
  }

  private async plan(trx: Kysely<Database>, writes: readonly Prepared[]): Promise<Plan> {
    const plan: Plan = { creates: [], changes: new Map(), nodes: new Map(), events: [], approvals: [], seqs: new Map(), held: [], released: [] };
    const stored = await this.storedSeqs(trx, unknownRuns(writes, this.lastSeqs));
    // Per run: the last seq so far, and whether it came from the database (or this batch) rather than the cache.
    const seqs = new Map<string, { last: number; verified: boolean }>();
    const finished = new Set<string>();
    for (const write of writes) {
      const { runId } = write;
      if (write.kind === 'create') {
        if (seqs.has(runId) || this.lastSeqs.peek(runId) !== undefined) throw conflict(`run ${runId} already exists`);
        seqs.set(runId, { last: 0, verified: true });
        plan.creates.push(write.row);
        continue;
      }
      let known = seqs.get(runId);
      if (!known) {
        const cached = this.lastSeqs.peek(runId);
        const last = cached ?? stored.get(runId);
        if (last === undefined) throw conflict(`run ${runId} does not exist`);
        known = { last, verified: cached === undefined };
        seqs.set(runId, known);
      }
      await this.checkSeqs(trx, runId, write.events, known);
      if (write.changes && Object.keys(write.changes).length > 0) plan.changes.set(runId, { ...plan.changes.get(runId), ...write.changes });
      for (const node of write.nodes) plan.nodes.set(`${runId}\u0000${node.nodeId}`, { runId, ...node });
      for (const event of write.events) plan.events.push({ runId, ...event });
      plan.approvals.push(...write.approvals);
      if (write.finished) finished.add(runId);
    }
    for (const [runId, { last }] of seqs) plan.seqs.set(runId, finished.has(runId) ? undefined : last);
    const created = new Set(writes.flatMap((w) => (w.kind === 'create' ? [w.runId] : [])));
    plan.held = [...seqs.keys()].filter((runId) => !created.has(runId));
    for (const [runId, changes] of plan.changes) if (changes.status === 'waiting' || (changes.status !== undefined && hasEnded(changes.status))) plan.released.push(runId);
    return plan;
  }

  private async checkSeqs(trx: Kysely<Database>, runId: string, events: readonly EventRow[], known: { last: number; verified: boolean }): Promise<void> {
    const first = events[0];
    if (!first) return;
    if (first.seq !== known.last + 1 && !known.verified) {
      // The cache may trail what another process (or a failed batch) left: the database decides.
      const stored = (await this.storedSeqs(trx, [runId])).get(runId);
      if (stored === undefined) throw conflict(`run ${runId} does not exist`);
      known.last = stored;
      known.verified = true;
    }
    events.forEach((event, i) => {
      if (event.seq !== known.last + i + 1) throw conflict(`run ${runId}: event seq ${event.seq} breaks the sequence after ${known.last + i}`);
    });
    known.last += events.length;
  }

  /** The last stored seq of each of these runs that exists (0 when it has no events). */
  private async storedSeqs(trx: Kysely<Database>, runIds: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    for (let start = 0; start < runIds.length; start += ROWS_PER_STATEMENT) {
      const ids = runIds.slice(start, start + ROWS_PER_STATEMENT);
      const rows = await run<{ id: string; last: number | null }>(trx, this.statements.lastSeqs(ids.length), ids);
      for (const row of rows) found.set(row.id, Number(row.last ?? 0));
    }
    return found;
  }

  private async apply(exec: Exec, plan: Plan): Promise<void> {
    const s = this.statements;
    // First, that this runner holds every run it writes to: a runner that lost a run's lease (it
    // stalled past it and another took the run over) must not write a step of it again.
    const { owner } = this.lease;
    const now = Date.now();
    for (let start = 0; start < plan.held.length; start += ROWS_PER_STATEMENT) {
      const ids = plan.held.slice(start, start + ROWS_PER_STATEMENT);
      await exec(s.holdLeases(ids.length), [owner, now + this.lease.ms, ...ids, owner, now], { expectChanges: ids.length });
    }
    await runChunked(exec, plan.creates, (n) => s.insertRuns(n), (row) => row);
    // Approvals before the run's rows: on PostgreSQL a second answer to a wait queues on the
    // approval's row lock and then finds it decided, rather than colliding on an event's key.
    // Waits open and close at a person's pace, one by one; every run that ends closes its waits, so those go in one statement, last.
    const closes: { runId: string; at: string }[] = [];
    for (const a of plan.approvals) {
      if (a.kind === 'open') {
        await exec(s.openApproval(), [randomUUID(), a.runId, a.runId, a.nodeId, a.waitId, a.waitKind, a.message, a.payload, a.schema, a.deadline, a.at]);
      } else if (a.kind === 'decide') {
        // Only a pending wait is decided: of two answers, the second changes nothing and refuses its whole commit.
        await exec(s.decideApproval(), [a.status, a.at, a.by, a.comment, a.payload, a.runId, a.waitId], { expectChanges: 1 });
      } else {
        closes.push(a);
      }
    }
    await runChunked(exec, closes, (n) => s.cancelApprovals(n), (c) => [c.runId, c.at]);
    const changes = [...plan.changes];
    if (this.dialect === 'sqlite') {
      for (const [runId, c] of changes) {
        const [, mask, ...values] = changesRow(runId, c) as [string, number, ...unknown[]];
        // changesRow lists a value per patch column; keep those the mask sets, in RUN_PATCH_COLUMNS order.
        const set = RUN_PATCH_COLUMNS.flatMap(([bit], i) => ((mask & bit) !== 0 ? [values[i]] : []));
        await exec(s.updateRun(mask), [...set, runId]);
      }
      changes.length = 0;
    }
    for (let start = 0; start < changes.length; start += ROWS_PER_STATEMENT) {
      const chunk = changes.slice(start, start + ROWS_PER_STATEMENT);
      await exec(s.updateRuns(chunk.length), [...chunk.flatMap(([runId, c]) => changesRow(runId, c)), ...chunk.map(([runId]) => runId)]);
    }
    await runChunked(exec, [...plan.nodes.values()], (n) => s.upsertNodes(n), (n) => [n.runId, n.nodeId, n.status, n.state]);
    await runChunked(exec, plan.events, (n) => s.insertEvents(n), (e) => [e.runId, e.seq, e.ts, e.type, e.nodeId, e.path, e.data]);
    for (let start = 0; start < plan.released.length; start += ROWS_PER_STATEMENT) {
      const ids = plan.released.slice(start, start + ROWS_PER_STATEMENT);
      await exec(s.releaseLeases(ids.length), [...ids, owner]);
    }
    if (this.notices && plan.events.length) {
      const runIds = [...new Set(plan.events.map((e) => e.runId))];
      for (const payload of commitNotices(this.notices.schema, owner, runIds)) await exec('SELECT pg_notify($1, $2)', [COMMITS_CHANNEL, payload]);
    }
  }
}

/** The runner a store writes for, and how long its hold on a run lasts past each commit and renewal. */
export interface Lease {
  owner: string;
  ms: number;
}

/** `run_held` when another runner holds the run's lease (and it has not run out), naming it and until when. */
async function heldElsewhere(db: Kysely<Database>, runId: string, owner: string): Promise<TrellisError | undefined> {
  const row = await db.selectFrom('runs').select(['lease_owner', 'lease_expires_at']).where('id', '=', runId).executeTakeFirst();
  if (!row?.lease_owner || row.lease_owner === owner || Number(row.lease_expires_at ?? 0) < Date.now()) return undefined;
  const until = new Date(Number(row.lease_expires_at)).toISOString();
  return new TrellisError('run_held', `run ${runId} is held by another runner (${row.lease_owner}) until ${until} unless it renews: this runner does not write to it`);
}

/** Runs the batch commits to that neither the cache knows nor the batch creates first. */
function unknownRuns(writes: readonly Prepared[], cache: BoundedMap<string, number>): string[] {
  const created = new Set<string>();
  const unknown = new Set<string>();
  for (const write of writes) {
    if (write.kind === 'create') created.add(write.runId);
    else if (!created.has(write.runId) && cache.peek(write.runId) === undefined) unknown.add(write.runId);
  }
  return [...unknown];
}

function prepare(write: Write, lease: Lease): Prepared {
  // A run is held by the runner that creates it, which goes on to execute it; a run created for
  // the queue is held by nobody, for whichever runner takes it from the queue.
  if (write.kind === 'create') {
    const held = write.held !== false;
    return { kind: 'create', runId: write.run.id, row: [...runRow(write.run), held ? lease.owner : null, held ? Date.now() + lease.ms : null] };
  }
  const { runId, commit } = write;
  const nodes = Object.entries(commit.nodes ?? {}).map(([nodeId, state]): NodeRow => ({ nodeId, status: state.status, state: JSON.stringify(state) }));
  const events = commit.events.map((event): EventRow => {
    const { nodeId = null, path } = event as { nodeId?: string; path?: unknown[] };
    return { seq: event.seq, ts: event.ts, type: event.type, nodeId, path: path ? JSON.stringify(path) : null, data: JSON.stringify(event.data) };
  });
  // The engine states its approval changes; the store applies them as given, in order.
  const approvals = (commit.approvals ?? []).map((change) => approvalAction(runId, change));
  const status = commit.run?.status;
  const finished = status !== undefined && hasEnded(status);
  return { kind: 'commit', runId, changes: commit.run && runChanges(commit.run), finished, nodes, events, approvals };
}

function approvalAction(runId: string, change: ApprovalChange): ApprovalAction {
  switch (change.kind) {
    case 'open':
      return {
        kind: 'open',
        runId,
        nodeId: change.nodeId,
        waitId: change.waitId,
        waitKind: change.waitKind,
        message: change.message,
        payload: toJson(change.payload),
        schema: toJson(change.schema),
        deadline: change.deadline ?? null,
        at: change.at,
      };
    case 'decide':
      return { kind: 'decide', runId, waitId: change.waitId, status: change.status, at: change.at, by: change.by ?? null, comment: change.comment ?? null, payload: toJson(change.payload) };
    case 'close':
      return { kind: 'close', runId, at: change.at };
  }
}

/** A refusal that a retry would not change: the data is not what the write expects. */
function conflict(message: string): TrellisError {
  return new TrellisError('run_conflict', message);
}

function runRow(run: RunRecord): unknown[] {
  return [
    run.id,
    run.flow.id,
    run.flowVersion ?? null,
    run.status,
    toJson(run.input),
    toJson(run.output),
    toJson(run.error),
    JSON.stringify(run.usage),
    run.usage.totalTokens,
    run.usage.costUsd,
    toJson(run.mocks),
    toJson(run.budget),
    toJson(run.labels),
    run.labels?.slug ?? null,
    // A versioned run's document is already in flow_versions: storing it per run would repeat it a million times.
    run.flowVersion === undefined ? JSON.stringify(run.flow) : null,
    toJson(run.prompts),
    toJson(run.parent),
    run.parent?.runId ?? null,
    toJson(run.flows),
    run.createdAt,
    run.startedAt ?? null,
    run.finishedAt ?? null,
  ];
}

function runChanges(patch: NonNullable<Commit['run']>): RunChanges {
  const changes: RunChanges = {};
  if (patch.status !== undefined) changes.status = patch.status;
  if ('output' in patch) changes.output = toJson(patch.output);
  if ('error' in patch) changes.error = toJson(patch.error);
  if (patch.usage !== undefined) changes.usage = { json: JSON.stringify(patch.usage), totalTokens: patch.usage.totalTokens, costUsd: patch.usage.costUsd };
  if ('startedAt' in patch) changes.startedAt = patch.startedAt ?? null;
  if ('finishedAt' in patch) changes.finishedAt = patch.finishedAt ?? null;
  return changes;
}

/** The row of `updateRuns`: a mask of the fields to set, then their values. */
function changesRow(runId: string, changes: RunChanges): unknown[] {
  let mask = 0;
  if (changes.status !== undefined) mask |= PATCH.status;
  if ('output' in changes) mask |= PATCH.output;
  if ('error' in changes) mask |= PATCH.error;
  if (changes.usage) mask |= PATCH.usage;
  if ('startedAt' in changes) mask |= PATCH.startedAt;
  if ('finishedAt' in changes) mask |= PATCH.finishedAt;
  const { usage } = changes;
  return [
    runId,
    mask,
    changes.status ?? null,
    changes.output ?? null,
    changes.error ?? null,
    usage?.json ?? null,
    usage?.totalTokens ?? null,
    usage?.costUsd ?? null,
    changes.startedAt ?? null,
    changes.finishedAt ?? null,
  ];
}
