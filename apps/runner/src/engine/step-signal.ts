import { TrellisError } from '@trellis/nodes/server';

/** How a step's attempt is bounded in time and stopped with its run, and how a retry waits. */
export interface StepSignal {
  readonly signal: AbortSignal;
  readonly stopped: Promise<never>;
  reason(): unknown;
  dispose(): void;
}

/** Resolves true after `ms`, or false at once when any of the signals aborts. */
export function sleep(ms: number, ...signals: AbortSignal[]): Promise<boolean> {
  return new Promise((resolve) => {
    if (signals.some((s) => s.aborted)) return resolve(false);
    const stop = (slept: boolean) => {
      clearTimeout(timer);
      for (const s of signals) s.removeEventListener('abort', onAbort);
      resolve(slept);
    };
    const onAbort = () => stop(false);
    const timer = setTimeout(() => stop(true), ms);
    for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  });
}

const NEVER = new Promise<never>(() => {});

/**
 * The signal of a pure step (KindExecutor.pure): no timer and no listener. A pure step works in
 * one stretch of CPU (no I/O, no timer of its own), which neither a timeout nor the run's abort
 * can cut into, since both wait for it to yield: a per-step bound would cost its timer, listener
 * and closures and never act. It sees the run's own signal.
 */
export function pureStepSignal(run: AbortSignal): StepSignal {
  return { signal: run, stopped: NEVER, reason: () => (run.aborted ? run.reason : undefined), dispose: () => {} };
}

/**
 * What stops one attempt of a step: its timeout or the run's end. `stopped` rejects with the
 * reason; the AbortSignal handed to the executor is made only when the executor reads it,
 * since most steps never do and a signal is not free. A class rather than closures: one object
 * (and its timer) per attempt, the listener being the object itself (handleEvent).
 */
class BoundedStep implements StepSignal {
  readonly stopped: Promise<never>;
  private controller: AbortController | undefined;
  private timeout: TrellisError | undefined;
  private rejectStopped!: (reason: unknown) => void;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly run: AbortSignal,
    private readonly id: string,
    private readonly timeoutMs: number,
  ) {
    this.stopped = new Promise<never>((_, reject) => (this.rejectStopped = reject));
    this.stopped.catch(noop); // raced, never awaited alone
    run.addEventListener('abort', this, { once: true });
    if (run.aborted) this.handleEvent();
    this.timer = setTimeout(BoundedStep.expire, timeoutMs, this);
  }

  /** The run stopped (the listener's entry point). */
  handleEvent(): void {
    this.controller?.abort(this.run.reason);
    this.rejectStopped(this.run.reason);
  }

  private static expire(step: BoundedStep): void {
    step.timeout = new TrellisError('timeout', `step "${step.id}" took longer than ${step.timeoutMs} ms`, { retryable: true });
    step.controller?.abort(step.timeout);
    step.rejectStopped(step.timeout);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.timeout ?? this.run.aborted) this.controller.abort(this.timeout ?? this.run.reason);
    }
    return this.controller.signal;
  }

  reason(): unknown {
    return this.timeout ?? (this.run.aborted ? this.run.reason : undefined);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.run.removeEventListener('abort', this);
  }
}

const noop = () => undefined;

export function stepSignal(run: AbortSignal, id: string, timeoutMs: number): StepSignal {
  return new BoundedStep(run, id, timeoutMs);
}
