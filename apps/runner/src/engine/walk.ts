import { TOP_LEVEL } from '@trellis/schema';
import { TrellisError, type BodyLocals, type BodyResult } from '@trellis/nodes/server';
import { Answers } from './answers.js';
import type { NodeState, RunRecord } from './checkpoint.js';
import { Journal } from './journal.js';
import { Level, containersOf, eventPlace, outermostOf, runRound, type LevelRun } from './level.js';
import { collectOutput, runResult, unsavedResult } from './run-result.js';
import { StepRunner, type StepHost } from './step-runner.js';
import { STORE_UNAVAILABLE, type Answer, type ExecutionDeps, type RunResult } from './types.js';

/**
 * One run being executed in this process: the walk over the graph. It decides which steps are
 * ready (or skipped), starts them, takes answers, and ends the run; the step runner runs each
 * step, and the journal takes what happens to the store.
 */
export class RunExecution implements StepHost, LevelRun {
  readonly finished: Promise<RunResult>;
  /** Settles once the answer the run was resumed with is stored; rejects when it is refused (e.g. answered first elsewhere). */
  readonly answered: Promise<void>;
  readonly record: RunRecord;
  /** Every node state, by key: the flow's own steps by id, body steps under their rounds (see level.ts). */
  readonly nodes = new Map<string, NodeState>();
  readonly journal: Journal;
  readonly recovered = new Set<string>();
  readonly steps: StepRunner;
  private resolveFinished!: (result: RunResult) => void;
  private settleAnswered!: (committed: Promise<void>) => void;
  /** The flow's own level: its failure is the run's. */
  private readonly top: Level;
  private readonly controller = new AbortController();
  /** Wakes steps sleeping out a retry backoff when the process drains; made only when one sleeps. */
  private drainController: AbortController | undefined;
  private readonly answers: Answers;
  private cancelReason: string | undefined;
  private draining = false;
  /** Given up by a drain that ran out of time: like a dead process, it says and writes nothing more. */
  private abandoned = false;
  /** False once the walk has ended: a late answer then goes through the store. */
  accepting = true;

  /** The trace's `runner` of a start or a resume: who executes the run from here on (when runners share a database). */
  private runner(): { runner?: string } {
    return this.deps.runnerId === undefined ? {} : { runner: this.deps.runnerId };
  }

  constructor(readonly deps: ExecutionDeps) {
    const { snapshot, graph } = deps;
    this.record = snapshot.run;
    for (const [key, state] of Object.entries(snapshot.nodes)) this.nodes.set(key, state);
    this.journal = new Journal({
      record: this.record,
      nodes: this.nodes,
      lastSeq: snapshot.lastSeq,
      store: deps.store,
      retry: deps.storeRetry,
      onEvent: deps.onEvent,
      onFault: deps.onFault,
      onLost: () => {
        // Nothing more of the run can be stored: stop its steps, as a crash would, and end the walk.
        this.controller.abort(new TrellisError(STORE_UNAVAILABLE, 'the run could not be saved, so it stopped'));
        this.poke();
      },
    });
    this.steps = new StepRunner(this);
    // Tools run inside their consumer, and body steps inside their container's rounds: the top level holds the rest.
    this.top = new Level(this, { ids: graph.levels.get(TOP_LEVEL) ?? [], prefix: '', path: [], scopeNodes: {}, locals: {}, controller: this.controller });
    this.answers = new Answers(this.record.id, this.nodes, this.journal, deps.runnerId);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.answered = new Promise((resolve) => (this.settleAnswered = resolve));
    this.answered.catch(() => undefined); // the engine hears of a refusal through `finished` too
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `wake`: the key of a step suspended on a child run that has ended; it goes on. */
  async run(answer?: Answer, wake?: string): Promise<RunResult> {
    if (answer) {
      try {
        this.answers.check(answer); // a wrong answer is the caller's error, before anything changes
      } catch (error) {
        this.settleAnswered(Promise.reject(error));
        throw error;
      }
    }
    try {
      const fresh = this.record.status === 'queued';
      if (!fresh && !answer && !wake && this.record.status === 'waiting' && ![...this.nodes.values()].some((n) => n.status === 'running')) {
        // Nothing to do until a person answers.
        return this.settle(this.result());
      }
      this.journal.setRun({ status: 'running' });
      if (fresh) {
        this.journal.setRun({ startedAt: new Date().toISOString() });
        const mocked = Object.keys(this.record.mocks ?? {});
        this.journal.emit('run.started', undefined, {
          flowId: this.deps.flow.id,
          ...(this.record.flowVersion === undefined ? {} : { flowVersion: this.record.flowVersion }),
          input: this.record.input,
          ...(mocked.length ? { mocked } : {}),
          ...(this.record.prompts?.length ? { prompts: this.record.prompts } : {}),
          ...(this.record.flows?.length ? { flows: this.record.flows } : {}),
          ...(this.record.parent ? { parent: this.record.parent } : {}),
          ...this.runner(),
        });
      } else {
        for (const [id, state] of this.nodes) {
          if (state.status === 'running') {
            // It was mid-way when its process stopped: it runs again from its start, as the same attempt.
            state.status = 'pending';
            this.journal.touch(id);
            this.recovered.add(id);
          }
        }
        if (wake) this.wake(wake);
        else if (this.recovered.size || !answer) this.journal.emit('run.resumed', undefined, { reason: 'recovered', ...this.runner() });
        if (answer) this.reopen(this.answers.apply(answer));
      }
      // A fresh run's start goes to the store with its first step's start: nothing is lost if the
      // process dies before that (a queued run is resumed from the start), and a round trip is saved.
      if (!fresh) {
        const committed = this.journal.commit();
        if (answer) this.settleAnswered(committed);
        await committed;
      }
      await this.walk();
      return this.settle(await this.finish());
    } catch (error) {
      // Only the store can fail here; the run stays where its last checkpoint left it.
      this.accepting = false;
      return this.settle(unsavedResult(this.result(), this.journal.lost ?? error));
    }
  }

  /** A person's answer to one of the waits, while the run is live in this process; resolves once it is stored. */
  answer(answer: Answer): Promise<void> {
    if (!this.accepting) throw new TrellisError('run_busy', 'the run is finishing; try again');
    this.reopen(this.answers.apply(answer));
    const committed = this.journal.commit();
    this.poke();
    return committed;
  }

  /**
   * The child run that step `key` suspended on has ended: the step goes on (not as a new
   * attempt), and so do the containers around it. Nothing happens to a step that is not suspended.
   */
  wake(key: string): void {
    const state = this.nodes.get(key);
    if (state?.status !== 'waiting' || state.wait) return;
    state.status = 'pending';
    state.resume = { waitId: `child-of:${key}`, decision: { approved: true } };
    this.journal.touch(key);
    this.journal.setRun({ status: 'running' });
    const place = eventPlace(key);
    this.journal.emit('run.resumed', place.nodeId, { reason: 'subflow', ...this.runner() }, place.path);
    this.reopen(key);
    this.poke();
  }

  /**
   * A person answered the wait of step `key`: it goes on. Inside a body, so do the containers
   * around it (their finished rounds give their results at once), from the flow's own level.
   */
  private reopen(key: string): void {
    const resume = this.nodes.get(key)!.resume;
    for (const container of containersOf(key)) {
      const state = this.nodes.get(container)!;
      if (state.status !== 'waiting' && state.status !== 'pending') continue;
      state.status = 'pending';
      if (resume) state.resume = resume; // not a new attempt: the container goes on
      this.journal.touch(container);
    }
    this.top.reconsider(outermostOf(key));
  }

  /** Stops scheduling steps; the walk ends once the steps in flight have finished and committed. */
  drain(): void {
    this.draining = true;
    this.drainController?.abort();
    this.poke();
  }

  /**
   * Leaves the run as a crashed process would: nothing more is emitted or committed (so its
   * running steps stay `running` in the store, to run again on recovery), and the steps are
   * aborted so they stop spending.
   */
  abandon(): void {
    this.abandoned = true;
    this.journal.silence();
    this.controller.abort(new TrellisError('shutting_down', 'the runner shut down before the step finished'));
    this.poke();
  }

  cancel(reason: string): void {
    if (this.cancelReason || !this.accepting) return;
    this.cancelReason = reason;
    this.controller.abort(new TrellisError('cancelled', `cancelled: ${reason}`));
    this.poke();
  }

  /** Cancels a run that is not executing anywhere (waiting, or orphaned by a dead process). */
  async cancelIdle(reason: string): Promise<RunResult> {
    this.cancelReason = reason;
    return this.settle(await this.finish());
  }

  // The step runner's and the levels' view of the run (StepHost, LevelRun).

  /** Cancelled, failed, or its store lost: no new step starts. */
  stopping(): boolean {
    return this.cancelReason !== undefined || this.top.failure !== undefined || this.journal.lost !== undefined;
  }

  isDraining(): boolean {
    return this.draining;
  }

  isLost(): boolean {
    return this.journal.lost !== undefined;
  }

  drainSignal(): AbortSignal {
    this.drainController ??= new AbortController();
    if (this.draining) this.drainController.abort();
    return this.drainController.signal;
  }

  runRound(level: Level, containerId: string, round: number, locals: BodyLocals, signals: readonly AbortSignal[]): Promise<BodyResult> {
    return runRound(this, level, containerId, round, locals, signals);
  }

  private async walk(): Promise<void> {
    await this.top.walk();
    this.accepting = false;
  }

  private poke(): void {
    this.top.poke();
  }

  private async finish(): Promise<RunResult> {
    if (this.abandoned) return this.result();
    const failure = this.top.failure;
    if (this.draining && !this.cancelReason && !failure && this.top.hasStepsLeft()) {
      // Stopped by a drain with steps still to take: the run stays `running` in the store, and
      // the process that resumes it takes those steps, with nothing to redo.
      await this.journal.commit();
      return this.result();
    }
    const finishedAt = new Date().toISOString();
    const { journal } = this;
    if (this.cancelReason) {
      journal.setRun({ status: 'cancelled', finishedAt });
      journal.emit('run.cancelled', undefined, { reason: this.cancelReason });
    } else if (failure) {
      journal.setRun({ status: 'failed', error: failure.error, finishedAt });
      journal.emit('run.failed', undefined, { error: failure.error, usage: { ...this.record.usage } });
    } else if ([...this.nodes.values()].some((n) => n.status === 'waiting')) {
      journal.setRun({ status: 'waiting' });
    } else {
      const top = this.deps.graph.levels.get(TOP_LEVEL) ?? [];
      const output = collectOutput(top.map((id) => [id, this.nodes.get(id)!] as const), this.deps.graph, this.deps.kinds);
      journal.setRun({ status: 'succeeded', output, finishedAt });
      const durationMs = Date.parse(finishedAt) - Date.parse(this.record.startedAt ?? this.record.createdAt);
      journal.emit('run.completed', undefined, { output, durationMs, usage: { ...this.record.usage } });
    }
    // A run that ends leaves no wait open.
    if (this.record.status !== 'waiting') journal.approval({ kind: 'close', at: finishedAt });
    await journal.commit();
    return this.result();
  }

  private result(): RunResult {
    return runResult(this.record, this.nodes);
  }

  private settle(result: RunResult): RunResult {
    this.accepting = false;
    this.journal.seal(); // a pending flush must not keep a finished run (or the process) alive
    this.resolveFinished(result);
    return result;
  }
}
