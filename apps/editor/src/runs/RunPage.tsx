import { useEffect, useRef, useState } from 'react';
import { Hand, SearchX } from 'lucide-react';
import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { shortRunId } from '../run/describe';
import { TraceView } from '../run/TraceView';
import { WaitForms } from '../run/WaitForms';
import { inboxChanged } from '../shell/use-inbox-count';
import { EmptyState, Page } from '../ui/Page';
import { AddToDataset } from './AddToDataset';
import { JsonBlock } from './JsonBlock';
import { RunCanvas } from './RunCanvas';
import { RunHeader } from './RunHeader';
import { liveStatus, useRun } from './use-run';
import './runs.css';

/**
 * A run at its own address: its facts and actions, the flow it ran with the path it took, the
 * timeline of its steps, what waits for a person, and its input and output. Live while it runs.
 */
export function RunPage({ api, id, go }: { api: ApiClient; id: string; go: (route: Route) => void }) {
  const { current, reload } = useRun(api, id);
  const [focus, setFocus] = useState<string | undefined>();
  const waits = current.state === 'loaded' ? (current.trace?.waits ?? (current.trace?.waiting ? [current.trace.waiting] : [])).length : 0;

  // An answer given here (fewer waits) recounts the header's inbox badge at once.
  const lastWaits = useRef(waits);
  useEffect(() => {
    if (waits < lastWaits.current) inboxChanged();
    lastWaits.current = waits;
  }, [waits]);

  if (current.state === 'loading') {
    return (
      <Page wide label="Run">
        <p role="status" className="text-fg-muted">
          Loading run {shortRunId(id)}…
        </p>
      </Page>
    );
  }
  if (current.state === 'missing') {
    return (
      <Page wide label="Run">
        <EmptyState title="Run not found">
          <SearchX size={28} aria-hidden="true" className="mx-auto mb-2 text-fg-subtle" />
          <p>
            There is no run <code>{id}</code>: it may have been deleted with its flow, or the link is mistyped.
          </p>
          <p>
            <a href="#/runs">Back to Runs</a>
          </p>
        </EmptyState>
      </Page>
    );
  }
  if (current.state === 'error') {
    return (
      <Page wide label="Run">
        <div role="alert" className="flex items-center gap-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
          <span className="mr-auto">{current.message}</span>
          <button type="button" className="btn-sm" onClick={reload}>
            Try again
          </button>
        </div>
      </Page>
    );
  }

  const { run, flow, trace } = current;
  const flowName = flow?.name ?? run.flowId;
  const status = liveStatus(run, trace);
  const output = trace?.status === 'succeeded' ? trace.output : run.output;
  return (
    <Page wide label={`Run ${shortRunId(run.id)}`}>
      <RunHeader api={api} run={run} trace={trace} flowName={flowName} go={go} />
      {current.flowError && <p role="alert" className="mb-4 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">{current.flowError}</p>}
      {current.traceError && <p role="alert" className="mb-4 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">{current.traceError}</p>}

      {flow && trace && waits > 0 && (
        <section aria-label="Waiting for a person" className="card run-panel run-page-waits mb-4 border-waiting px-4 py-3">
          <h2 className="m-0 mb-1 flex items-center gap-2 text-base">
            <Hand size={16} aria-hidden="true" className="text-waiting" />
            Waiting for a person
          </h2>
          <WaitForms api={api} runId={run.id} trace={trace} flow={flow} />
        </section>
      )}

      <section aria-label="Path taken" className="card mb-4 flex h-[34rem] flex-col overflow-hidden">
        <div className="flex flex-wrap items-center gap-3 border-b border-border px-4 py-2">
          <h2 className="m-0 mr-auto text-base">Path taken</h2>
          <span className="text-xs text-fg-muted">
            Version {run.flowVersion ?? '?'} as it ran; each step shows where the run stands. Pick a step in the timeline to find it here.
          </span>
        </div>
        <div className="min-h-0 flex-1">
          {flow ? (
            <RunCanvas flow={flow} version={run.flowVersion} trace={trace} focus={focus} />
          ) : (
            <p className="p-4 text-fg-muted" role="status">
              {current.flowError ? 'The canvas cannot be drawn without the flow.' : 'Loading the flow…'}
            </p>
          )}
        </div>
      </section>

      <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <section aria-label="Timeline" className="card px-4 py-3">
          <h2 className="m-0 mb-2 text-base">Timeline</h2>
          {flow && trace ? (
            <div className="run-page-trace run-panel">
              <TraceView api={api} runId={run.id} trace={trace} flow={flow} savedVersion={undefined} dirty={false} onSelectNode={setFocus} />
            </div>
          ) : (
            <p className="text-fg-muted" role="status">
              Loading the trace…
            </p>
          )}
        </section>
        <div className="flex flex-col gap-4">
          {run.error && status === 'failed' && (
            <div role="alert" className="rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
              <p className="m-0 font-semibold">The run failed</p>
              <p className="m-0 mt-1">{run.error.message}</p>
            </div>
          )}
          <JsonBlock title="Input" value={run.input} />
          <JsonBlock title="Output" value={output} />
          <AddToDataset api={api} runId={run.id} status={status} />
        </div>
      </div>
    </Page>
  );
}
