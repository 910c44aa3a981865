import { setMaxListeners } from 'node:events';
import type { ErrorInfo } from '@trellis/schema';
import { TrellisError, normalizeError } from '@trellis/nodes/server';
import { Answers } from './answers.js';
import type { NodeState, RunRecord } from './checkpoint.js';
import { Journal } from './journal.js';
import { collectOutput, runResult, unsavedResult } from './run-result.js';
import { StepRunner, type StepHost } from './step-runner.js';
import { STORE_UNAVAILABLE, type Answer, type ExecutionDeps, type RunResult } from './types.js';

/**
 * One run being executed in this process: the walk over the graph. It decides which steps are
 * ready (or skipped), starts them, takes answers, and ends the run; the step runner runs each
 * step, and the journal takes what happens to the store.
 */
export class RunExecution implements StepHost {
  readonly finished: Promise<RunResult>;
  /** Settles once the answer the run was resumed with is stored; rejects when it is refused (e.g. answered first elsewhere). */
  readonly answered: Promise<void>;
  readonly record: RunRecord;
  readonly nodes = new Map<string, NodeState>();
  readonly scopeNodes: Record<string, { output: unknown }> = {};
  readonly journal: Journal;
  readonly recovered = new Set<string>();
  private resolveFinished!: (result: RunResult) => void;
  private settleAnswered!: (committed: Promise<void>) => void;
  private readonly steps: StepRunner;
  /** Nodes that may have become ready: the pending successors of whatever settled last. */
  private readonly candidates = new Set<string>();
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly controller = new AbortController();
  /** Wakes steps sleeping out a retry backoff when the process drains; made only when one sleeps. */
  private drainController: AbortController | undefined;
  private readonly answers: Answers;
  private failure: { error: ErrorInfo } | undefined;
  private cancelReason: string | undefined;
  private signalled = false;
  private wake: (() => void) | undefined;
  private draining = false;
  /** Given up by a drain that ran out of time: like a dead process, it says and writes nothing more. */
  private abandoned = false;
  /** False once the walk has ended: a late answer then goes through the store. */
  accepting = true;

  constructor(readonly deps: ExecutionDeps) {
    const { snapshot, flow, graph } = deps;
    this.record = snapshot.run;
    for (const node of flow.nodes) {
      if (graph.attached.has(node.id)) continue; // tools run inside their consumer, not as steps
      const state: NodeState = snapshot.nodes[node.id] ?? { status: 'pending', attempts: 0 };
      this.nodes.set(node.id, state);
      if (state.status === 'succeeded') this.scopeNodes[node.id] = { output: state.output };
      if (state.status === 'pending' || state.status === 'running') this.candidates.add(node.id);
    }
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
    this.answers = new Answers(this.record.id, this.nodes, this.journal);
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.answered = new Promise((resolve) => (this.settleAnswered = resolve));
    this.answered.catch(() => undefined); // the engine hears of a refusal through `finished` too
    // Every step in flight listens for the run's cancellation: there is no leak to warn of.
    setMaxListeners(0, this.controller.signal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  async run(answer?: Answer): Promise<RunResult> {
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
      if (!fresh && !answer && this.record.status === 'waiting' && ![...this.nodes.values()].some((n) => n.status === 'running')) {
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
        if (this.recovered.size || !answer) this.journal.emit('run.resumed', undefined, { reason: 'recovered' });
        if (answer) this.candidates.add(this.answers.apply(answer));
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
    this.candidates.add(this.answers.apply(answer));
    const committed = this.journal.commit();
    this.poke();
    return committed;
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

  // The step runner's view of the run (StepHost).

  stopping(): boolean {
    return this.cancelReason !== undefined || this.failure !== undefined || this.journal.lost !== undefined;
  }

  isDraining(): boolean {
    return this.draining;
  }

  drainSignal(): AbortSignal {
    this.drainController ??= new AbortController();
    if (this.draining) this.drainController.abort();
    return this.drainController.signal;
  }

  fail(id: string, error: ErrorInfo, wasStopping: boolean): void {
    if (!wasStopping && !this.cancelReason) this.failure = { error };
    this.controller.abort(new TrellisError('aborted', `stopped because step "${id}" failed`));
  }

  completed(id: string): void {
    this.addSuccessors(id);
  }

  postpone(id: string): void {
    this.candidates.add(id);
  }

  private async walk(): Promise<void> {
    for (;;) {
      if (!this.stopping() && !this.draining) this.schedule();
      // When nothing runs any more, the run's end commits what is left, in one write with it.
      if (this.inFlight.size === 0) break;
      // What happened since the last commit (completions, skips) that no step's start carried.
      await this.journal.commit();
      if (!this.signalled) await new Promise<void>((resolve) => (this.wake = resolve));
      this.signalled = false;
    }
    this.accepting = false;
  }

  private poke(): void {
    this.signalled = true;
    this.wake?.();
    this.wake = undefined;
  }

  /** Starts every candidate whose incoming edges are settled; skips those no taken edge reaches. */
  private schedule(): void {
    for (const id of this.candidates) {
      if (this.inFlight.size >= this.deps.maxConcurrency) return;
      const state = this.nodes.get(id)!;
      this.candidates.delete(id);
      if (state.status !== 'pending' || this.inFlight.has(id)) continue;
      const readiness = this.readiness(id);
      if (readiness === 'blocked') continue; // a predecessor will add it back when it settles
      if (readiness === 'skip') {
        state.status = 'skipped';
        this.journal.touch(id);
        this.journal.emit('node.skipped', id, { reason: 'no branch leading here was taken' });
        this.addSuccessors(id); // Set iteration visits entries added during the loop
        continue;
      }
      const step = this.steps
        .run(id)
        .catch((error: unknown) => {
          // A lost write stopped the run already (the journal said so); anything else fails the step.
          if (this.journal.lost !== undefined) return;
          const err = normalizeError(error);
          state.status = 'failed';
          state.error = { code: err.code, message: err.message, nodeId: id };
          this.journal.touch(id);
          this.fail(id, state.error, this.stopping());
        })
        .finally(() => {
          this.inFlight.delete(id);
          this.poke();
        });
      this.inFlight.set(id, step);
    }
  }

  /** A node can run once all its incoming edges are settled; it is skipped if none of them was taken. */
  private readiness(id: string): 'run' | 'skip' | 'blocked' {
    const incoming = this.deps.graph.incoming.get(id)!;
    let taken = incoming.length === 0;
    for (const edge of incoming) {
      const source = this.nodes.get(edge.source)!;
      if (source.status === 'succeeded') taken ||= source.ports?.includes(edge.sourceHandle) ?? false;
      else if (source.status !== 'skipped') return 'blocked';
    }
    return taken ? 'run' : 'skip';
  }

  /** After a drain: whether some step could still be taken (or skipped) now, so the run is not over. */
  private hasStepsLeft(): boolean {
    for (const id of this.candidates) {
      if (this.nodes.get(id)!.status === 'pending' && this.readiness(id) !== 'blocked') return true;
    }
    return false;
  }

  private addSuccessors(id: string): void {
    for (const edge of this.deps.graph.outgoing.get(id)!) this.candidates.add(edge.target);
  }

  private async finish(): Promise<RunResult> {
    if (this.abandoned) return this.result();
    if (this.draining && !this.cancelReason && !this.failure && this.hasStepsLeft()) {
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
    } else if (this.failure) {
      journal.setRun({ status: 'failed', error: this.failure.error, finishedAt });
      journal.emit('run.failed', undefined, { error: this.failure.error, usage: { ...this.record.usage } });
    } else if ([...this.nodes.values()].some((n) => n.status === 'waiting')) {
      journal.setRun({ status: 'waiting' });
    } else {
      const output = collectOutput(this.nodes, this.deps.graph, this.deps.kinds);
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
