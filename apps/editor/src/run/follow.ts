import { errorMessage, hasEnded, type RunStatus } from '@trellis/schema';
import type { ApiClient } from '../api';
import { applyEvent, emptyTrace, type Trace } from './trace';

const PAGE = 1000;

export interface TraceWatch {
  /** Called with the whole trace after each event (or each page, for an ended run). */
  onTrace: (trace: Trace) => void;
  onError: (message: string) => void;
  /** Called once the run has ended and every event is in. */
  onEnd?: () => void;
}

/**
 * Shows a run's trace from its first event. An ended run is read page by page (its trace will
 * not change); a run still going is followed live, which replays from the start and keeps
 * following. Returns a function that stops.
 */
export function watchRun(api: ApiClient, run: { id: string; status: RunStatus }, watch: TraceWatch): () => void {
  let trace = emptyTrace();
  let stopped = false;
  watch.onTrace(trace);
  if (!hasEnded(run.status)) {
    const stop = api.followRun(
      run.id,
      (event) => {
        trace = applyEvent(trace, event);
        watch.onTrace(trace);
      },
      { onError: (e) => watch.onError(`Lost the run's trace: ${e.message}`), onEnd: () => watch.onEnd?.() },
    );
    return () => {
      stopped = true;
      stop();
    };
  }
  void (async () => {
    try {
      for (;;) {
        const page = await api.listEvents(run.id, { after: trace.lastSeq, limit: PAGE });
        if (stopped) return;
        for (const event of page.items) trace = applyEvent(trace, event);
        watch.onTrace(trace);
        if (page.items.length < PAGE) break; // a full page may have more after it
      }
      watch.onEnd?.();
    } catch (e) {
      if (!stopped) watch.onError(`Could not load the run's trace: ${errorMessage(e)}`);
    }
  })();
  return () => {
    stopped = true;
  };
}
