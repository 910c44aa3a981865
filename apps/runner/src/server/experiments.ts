import { v7 as uuidv7 } from 'uuid';
import { TrellisError, type CaseAnswer, type DatasetRow, type Experiment, type RunEvent, type StartExperiment } from '@trellis/schema';
import { knownPrices } from '../engine/meter.js';
import type { PromptResolver } from '../engine/prompts.js';
import { runExperiment, type RowResult } from '../evals/experiment.js';
import { withIds } from '../evals/scorers.js';
import { storePromptResolver } from '../store/prompt-resolver.js';
import type { ExperimentRowResult } from '../store/eval-store.js';
import type { Store } from '../store/types.js';
import { notFound } from './errors.js';
import type { Logger } from './logger.js';
import type { RunService } from './service.js';

/** Finished rows are stored in batches: every this many rows, or this often. */
const FLUSH_ROWS = 50;
const FLUSH_MS = 250;
/** One row's bound (its run and its scoring). */
const ROW_TIMEOUT_MS = 120_000;
/** A running experiment's heartbeat; one silent for a minute was left by a runner that stopped. */
const HEARTBEAT_MS = 5000;
const DEAD_AFTER_MS = 60_000;

/**
 * Experiments the runner executes in the background: a flow version over a dataset version, rows
 * run in memory (nothing in the runs list), results stored as they finish so progress shows, and
 * a summary at the end. An experiment running when the process stops ends as failed, saying so.
 */
export class Experiments {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly deps: { store: Store; service: RunService; log: Logger }) {}

  /** Keeps the running experiments' heartbeats, and ends as failed those a stopped runner left. */
  async start(): Promise<void> {
    await this.failAbandoned();
    let beats = 0;
    this.heartbeat = setInterval(() => {
      void this.deps.store.evals.touchExperiments([...this.running.keys()]).catch(() => undefined);
      if (++beats % Math.round(DEAD_AFTER_MS / HEARTBEAT_MS / 2) === 0) void this.failAbandoned();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private async failAbandoned(): Promise<void> {
    try {
      const failed = await this.deps.store.evals.failInterrupted('the runner executing it stopped: start it again', new Date(Date.now() - DEAD_AFTER_MS).toISOString());
      if (failed) this.deps.log.warn({ experiments: failed }, 'experiments left running by a stopped runner marked failed');
    } catch (error) {
      this.deps.log.warn({ err: error }, 'could not look for experiments a stopped runner left');
    }
  }

  async begin(request: StartExperiment): Promise<Experiment> {
    const { store, service } = this.deps;
    const { version, document } = await service.flowVersion(request.flowId, request.version);
    const flow = service.checkRunnable(request.flowId, version, document);
    const dataset = await store.evals.datasetVersion(request.datasetId, request.datasetVersion ?? 'latest');
    if (!dataset) throw request.datasetVersion === undefined ? notFound('dataset', request.datasetId) : new TrellisError('not_found', `dataset "${request.datasetId}" has no version ${request.datasetVersion}`);
    if (!dataset.rows.length) throw new TrellisError('invalid_request', `dataset "${request.datasetId}" version ${dataset.version} has no rows: add some first`);
    const ids = withIds(request.scorers).map((s) => s.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new TrellisError('invalid_request', `two scorers have the id "${twice}": give each its own id`);
    const prompts = this.prompts(request.prompts);
    for (const scorer of request.scorers) {
      if (scorer.type === 'judge' && !(await prompts.resolve(scorer.rubric.name, scorer.rubric.version))) {
        throw new TrellisError('unresolved_prompt', `the judge's rubric "${scorer.rubric.name}@${scorer.rubric.version}" is not in the prompt library`);
      }
    }
    for (const [name, v] of Object.entries(request.prompts ?? {})) {
      if (!(await prompts.resolve(name, v))) throw new TrellisError('unresolved_prompt', `the prompt "${name}" has no version ${v} to run the experiment with`);
    }
    await service.checkPrompts(flow);
    const experiment = await store.evals.createExperiment({
      id: uuidv7(),
      ...(request.name ? { name: request.name } : {}),
      flowId: request.flowId,
      flowVersion: version,
      datasetId: request.datasetId,
      datasetVersion: dataset.version,
      // Each with the id its scores are kept under, so a reader needs no numbering rule of its own.
      scorers: withIds(request.scorers),
      ...(request.prompts ? { prompts: request.prompts } : {}),
      concurrency: request.concurrency ?? 4,
      live: request.live ?? false,
      rowsTotal: dataset.rows.length,
      createdAt: new Date().toISOString(),
    });
    const controller = new AbortController();
    const done = this.execute(experiment, flow, dataset.rows, prompts, controller.signal).finally(() => this.running.delete(experiment.id));
    this.running.set(experiment.id, { controller, done });
    return experiment;
  }

  /** Runs an experiment to its end (the publish gate waits for it); the experiment as it ended. */
  async runToEnd(request: StartExperiment): Promise<Experiment> {
    const started = await this.begin(request);
    await this.running.get(started.id)?.done;
    return (await this.deps.store.evals.getExperiment(started.id)) ?? started;
  }

  /** Stops a running experiment: the rows under way finish, no other starts; it ends as cancelled. */
  cancel(id: string): boolean {
    const entry = this.running.get(id);
    entry?.controller.abort(new TrellisError('cancelled', 'the experiment was cancelled'));
    return entry !== undefined;
  }

  /** Cancels every running experiment and waits (bounded) for their last rows to be stored. */
  async stop(timeoutMs: number): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const { controller } of this.running.values()) controller.abort(new TrellisError('cancelled', 'the runner is stopping'));
    await Promise.race([Promise.allSettled([...this.running.values()].map((r) => r.done)), new Promise((r) => setTimeout(r, timeoutMs))]);
  }

  /** The library as the experiment sees it: a prompt it sets a version for resolves to that version. */
  private prompts(overrides: Record<string, number> | undefined): PromptResolver {
    const library = storePromptResolver(this.deps.store);
    if (!overrides) return library;
    return { resolve: (name, version) => library.resolve(name, overrides[name] ?? version) };
  }

  private async execute(experiment: Experiment, flow: Parameters<typeof runExperiment>[0]['flow'], rows: readonly DatasetRow[], prompts: PromptResolver, signal: AbortSignal): Promise<void> {
    const { store, service, log } = this.deps;
    let buffer: ExperimentRowResult[] = [];
    let done = 0;
    let flushing = Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    // A write the database refused: the experiment stops there, failed, saying why.
    let lost: unknown;
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const batch = buffer;
      buffer = [];
      const upTo = done;
      flushing = flushing.then(async () => {
        if (lost !== undefined) return;
        await store.evals.saveExperimentRows(experiment.id, batch, upTo).catch((error: unknown) => {
          lost = error;
          stop.abort(error);
        });
      });
      return flushing;
    };
    // Stops the rows when a write is lost, as a cancel would.
    const stop = new AbortController();
    signal = AbortSignal.any([signal, stop.signal]);
    const began = Date.now();
    try {
      const summary = await runExperiment({
        flow,
        rows,
        scorers: experiment.scorers,
        concurrency: experiment.concurrency,
        live: experiment.live,
        prompts,
        flows: service.flowSource,
        network: service.network,
        models: service.models!,
        prices: knownPrices(),
        timeoutMs: ROW_TIMEOUT_MS,
        signal,
        keepEvents: true,
        onRow: async (result: RowResult, count: number) => {
          done = count;
          buffer.push(result);
          if (buffer.length >= FLUSH_ROWS) await flush();
          else timer ??= setTimeout(() => void flush(), FLUSH_MS);
        },
      });
      await flush();
      if (lost !== undefined) throw new Error(`could not store the experiment's rows: ${(lost as Error).message}`);
      const cancelled = signal.aborted;
      await store.evals.finishExperiment(experiment.id, { status: cancelled ? 'cancelled' : 'completed', summary, ...(cancelled ? { error: String((signal.reason as Error)?.message ?? 'cancelled') } : {}) });
      log.info({ experimentId: experiment.id, rows: done, ms: Date.now() - began, status: cancelled ? 'cancelled' : 'completed' }, 'experiment finished');
    } catch (error) {
      await flush().catch(() => undefined);
      log.error({ experimentId: experiment.id, err: error }, 'experiment failed');
      await store.evals.finishExperiment(experiment.id, { status: 'failed', error: (error as Error).message }).catch(() => undefined);
    }
  }
}

/** A past run as a dataset row: its input, mock script and people's answers, and its output as the expectation. */
export async function rowFromRun(store: Store, runId: string, expected: 'output' | 'none'): Promise<DatasetRow> {
  const snapshot = await store.load(runId);
  if (!snapshot) throw notFound('run', runId);
  const { run } = snapshot;
  if (expected === 'output' && run.status !== 'succeeded') throw new TrellisError('invalid_request', `run ${runId} ${run.status}, so it has no output to expect: add it with "expected": "none"`);
  const answers: Record<string, CaseAnswer> = {};
  for (const event of await store.listEvents(runId, { limit: 10_000 })) {
    const resumed = event as Extract<RunEvent, { type: 'run.resumed' }>;
    if (event.type !== 'run.resumed' || resumed.data.reason !== 'decision' || !resumed.nodeId || !resumed.data.decision || answers[resumed.nodeId]) continue;
    const d = resumed.data.decision;
    answers[resumed.nodeId] = d.answer !== undefined ? { answer: d.answer } : { approved: d.approved, ...(d.comment ? { comment: d.comment } : {}), ...(d.edited ? { payload: d.payload } : {}) };
  }
  return {
    input: run.input,
    ...(expected === 'output' && run.output !== undefined ? { expected: run.output } : {}),
    ...(run.mocks ? { mocks: run.mocks } : {}),
    ...(Object.keys(answers).length ? { answers } : {}),
    source: `run ${runId}`,
  };
}
