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
 * since most steps never do and a signal is not free.
 */
export function stepSignal(run: AbortSignal, id: string, timeoutMs: number): StepSignal {
  let controller: AbortController | undefined;
  let timeout: TrellisError | undefined;
  let rejectStopped!: (reason: unknown) => void;
  const stopped = new Promise<never>((_, reject) => (rejectStopped = reject));
  stopped.catch(() => undefined); // raced, never awaited alone
  const onRunAbort = () => {
    controller?.abort(run.reason);
    rejectStopped(run.reason);
  };
  run.addEventListener('abort', onRunAbort, { once: true });
  if (run.aborted) onRunAbort();
  const timer = setTimeout(() => {
    timeout = new TrellisError('timeout', `step "${id}" took longer than ${timeoutMs} ms`, { retryable: true });
    controller?.abort(timeout);
    rejectStopped(timeout);
  }, timeoutMs);
  return {
    stopped,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (timeout ?? run.aborted) controller.abort(timeout ?? run.reason);
      }
      return controller.signal;
    },
    reason: () => timeout ?? (run.aborted ? run.reason : undefined),
    dispose: () => {
      clearTimeout(timer);
      run.removeEventListener('abort', onRunAbort);
    },
  };
}
