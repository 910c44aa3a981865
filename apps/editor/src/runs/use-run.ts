import { useEffect, useRef, useState } from 'react';
import { errorMessage, hasEnded, type Flow, type RunDetail } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { watchRun } from '../run/follow';
import type { Trace } from '../run/trace';

export type RunState =
  | { state: 'loading' }
  | { state: 'missing' }
  | { state: 'error'; message: string }
  | { state: 'loaded'; run: RunDetail; flow: Flow | undefined; flowError?: string; trace: Trace | undefined; traceError?: string };

/**
 * A run, the flow version it ran and its trace: read once, then followed live while the run goes
 * on. The run itself (duration, usage, output) is read again whenever its status changes.
 */
export function useRun(api: ApiClient, id: string): { current: RunState; reload: () => void } {
  const [current, setCurrent] = useState<RunState>({ state: 'loading' });
  const [epoch, setEpoch] = useState(0);
  const status = current.state === 'loaded' ? current.trace?.status : undefined;
  const loaded = useRef(false);

  useEffect(() => {
    let live = true;
    let stop: (() => void) | undefined;
    loaded.current = false;
    setCurrent({ state: 'loading' });
    (async () => {
      let run: RunDetail;
      try {
        run = await api.getRun(id);
      } catch (e) {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) setCurrent({ state: 'missing' });
        else setCurrent({ state: 'error', message: `Could not load run ${id}: ${errorMessage(e)}` });
        return;
      }
      if (!live) return;
      loaded.current = true;
      setCurrent({ state: 'loaded', run, flow: undefined, trace: undefined });
      const patch = (change: Partial<Extract<RunState, { state: 'loaded' }>>) =>
        live && setCurrent((s) => (s.state === 'loaded' ? { ...s, ...change } : s));
      stop = watchRun(api, run, { onTrace: (trace) => patch({ trace }), onError: (traceError) => patch({ traceError }) });
      try {
        const version = run.flowVersion ?? (await api.getFlow(run.flowId)).latestVersion;
        const flow = (await api.getVersion(run.flowId, version)).document;
        patch({ flow });
      } catch (e) {
        patch({ flowError: `Could not load the flow this run used: ${errorMessage(e)}` });
      }
    })();
    return () => {
      live = false;
      stop?.();
    };
  }, [api, id, epoch]);

  // A new status (waiting, resumed, ended): the run's own figures are read again.
  useEffect(() => {
    if (!status || !loaded.current) return;
    let live = true;
    api.getRun(id).then(
      (run) => live && setCurrent((s) => (s.state === 'loaded' ? { ...s, run } : s)),
      () => undefined, // the header keeps what it showed; the trace still updates
    );
    return () => {
      live = false;
    };
  }, [api, id, status]);

  return { current, reload: () => setEpoch((n) => n + 1) };
}

/** The run's status as the trace has it once it has any event, else as the store had it. */
export function liveStatus(run: RunDetail, trace: Trace | undefined): RunDetail['status'] {
  return trace && trace.lastSeq > 0 ? trace.status : run.status;
}

export const runHasEnded = (run: RunDetail, trace: Trace | undefined) => hasEnded(liveStatus(run, trace));
