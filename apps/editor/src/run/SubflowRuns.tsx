import { useEffect, useState } from 'react';
import { errorMessage, hasEnded, type Flow } from '@trellis/schema';
import type { ApiClient } from '../api';
import { shortRunId } from './describe';
import { applyEvent, emptyTrace, type SubflowRun, type Trace } from './trace';
import { TraceView } from './TraceView';

/** Sub-flow traces nest at most this deep on the page (runs nest at most 5 deep anyway). */
const MAX_SHOWN_DEPTH = 4;
/** How often an open child's trace is read again while it runs. */
const REFRESH_MS = 1000;

/** The child runs a step started, each opened in place to its own trace. */
export function SubflowRuns({ api, runs, depth }: { api: ApiClient; runs: readonly SubflowRun[]; depth: number }) {
  return (
    <ul className="subflow-runs" aria-label="Sub-flow runs">
      {runs.map((run) => (
        <li key={run.childRunId}>
          <SubflowRunItem api={api} run={run} depth={depth} />
        </li>
      ))}
    </ul>
  );
}

function SubflowRunItem({ api, run, depth }: { api: ApiClient; run: SubflowRun; depth: number }) {
  const [open, setOpen] = useState(false);
  const [loaded, setLoaded] = useState<{ trace: Trace; flow: Flow } | undefined>();
  const [error, setError] = useState<string | undefined>();
  const ended = loaded !== undefined && hasEnded(loaded.trace.status);

  useEffect(() => {
    if (!open || ended) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flow = loaded?.flow;
    const read = async () => {
      try {
        const page = await api.listEvents(run.childRunId, { limit: 5000 });
        flow ??= (await api.getVersion(run.flowId, run.flowVersion)).document;
        if (!live) return;
        const trace = page.items.reduce(applyEvent, emptyTrace());
        setLoaded({ trace, flow });
        setError(undefined);
        // A running child is read again until it ends (the effect stops once it has).
        if (!hasEnded(trace.status)) timer = setTimeout(() => void read(), REFRESH_MS);
      } catch (e) {
        if (live) setError(`Could not read the sub-flow's run: ${errorMessage(e)}`);
      }
    };
    void read();
    return () => {
      live = false;
      clearTimeout(timer);
    };
    // `loaded` is read once, for the flow already fetched: a new trace must not start another read.
  }, [open, ended, api, run.childRunId, run.flowId, run.flowVersion]);

  const label = `sub-flow run ${shortRunId(run.childRunId)} of "${run.flowId}" (version ${run.flowVersion})${run.key === undefined ? '' : `, item ${run.key}`}`;
  return (
    <div className="subflow-run">
      <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide' : 'Show'} the trace of {label}
      </button>
      {error && <p role="alert" className="step-error">{error}</p>}
      {open && loaded && depth < MAX_SHOWN_DEPTH && (
        <div className="subflow-trace" aria-label={`Trace of ${label}`}>
          <TraceView api={api} runId={run.childRunId} trace={loaded.trace} flow={loaded.flow} savedVersion={undefined} dirty={false} onSelectNode={() => undefined} depth={depth + 1} />
        </div>
      )}
      {open && depth >= MAX_SHOWN_DEPTH && <p className="note">Open run {shortRunId(run.childRunId)} in the flow "{run.flowId}" to see its trace.</p>}
    </div>
  );
}
