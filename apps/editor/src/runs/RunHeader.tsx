import { useState, type ReactNode } from 'react';
import { ChevronLeft, Copy, ExternalLink, RotateCcw } from 'lucide-react';
import { errorMessage, hasEnded, type RunDetail } from '@trellis/schema';
import type { ApiClient } from '../api';
import type { Route } from '../routes';
import { formatCost, formatDuration, formatTime, shortRunId } from '../run/describe';
import type { Trace } from '../run/trace';
import { IconButton } from '../ui/IconButton';
import { StatusBadge } from '../ui/StatusBadge';
import { toast } from '../ui/toast';
import { CancelRunButton } from './CancelRunButton';
import { runSlug } from './filters';
import { useNow } from './use-now';
import { liveStatus } from './use-run';

interface Props {
  api: ApiClient;
  run: RunDetail;
  trace: Trace | undefined;
  flowName: string;
  go: (route: Route) => void;
}

/** "Dec 7, 11:52:03": short enough for a fact's column; the full date is in the title. */
const shortTime = (iso: string) => new Date(iso).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** One fact about the run: a small label over its value. */
function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="min-w-0">
      <dt className="text-xs font-medium text-fg-muted">{label}</dt>
      <dd className="m-0 mt-0.5 truncate text-sm">{children}</dd>
    </div>
  );
}

/** The run's name, status and facts, and what can be done with it: re-run, cancel, open its flow. */
export function RunHeader({ api, run, trace, flowName, go }: Props) {
  const [starting, setStarting] = useState(false);
  const status = liveStatus(run, trace);
  // Ticks only here (not the whole page, canvas and all): a live run's duration counts up.
  const now = useNow(1000, !hasEnded(status));
  const usage = trace && trace.lastSeq > 0 ? (trace.usage ?? run.usage) : run.usage;
  const durationMs = !hasEnded(status) && run.startedAt ? now - Date.parse(run.startedAt) : (trace?.durationMs ?? run.durationMs);
  const slug = runSlug(run);

  const rerun = async () => {
    setStarting(true);
    try {
      const next = await api.startRun(run.flowId, { input: run.input, ...(run.flowVersion !== undefined ? { version: run.flowVersion } : {}) });
      toast.success(`Started run ${shortRunId(next.id)} with the same input`);
      go({ page: 'run', id: next.id });
    } catch (e) {
      toast.error(`Could not start the run again: ${errorMessage(e)}`);
      setStarting(false);
    }
  };
  const copyId = () =>
    navigator.clipboard.writeText(run.id).then(
      () => toast.success('Run id copied'),
      () => toast.error('Could not copy the run id: the browser refused.'),
    );

  return (
    <header className="mb-5">
      <a href="#/runs" className="mb-2 inline-flex items-center gap-1 text-sm text-fg-muted">
        <ChevronLeft size={14} aria-hidden="true" />
        Runs
      </a>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="m-0 min-w-0 truncate text-xl font-semibold tracking-tight">
          {flowName} <span className="font-mono text-base font-normal text-fg-muted">· {shortRunId(run.id)}</span>
        </h1>
        <span role="status" aria-label={`Run status: ${status}`}>
          <StatusBadge status={status} />
        </span>
        {run.flowVersion !== undefined && (
          <span className="rounded-full border border-border px-2 py-0.5 text-xs text-fg-muted" title={`This run used version ${run.flowVersion} of the flow`}>
            version {run.flowVersion}
          </span>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          <button type="button" onClick={() => go({ page: 'flow', id: run.flowId })}>
            <ExternalLink size={16} aria-hidden="true" />
            Open flow
          </button>
          {!hasEnded(status) && <CancelRunButton api={api} runId={run.id} flowName={flowName} />}
          <button type="button" className="btn-primary" onClick={() => void rerun()} disabled={starting}>
            <RotateCcw size={16} aria-hidden="true" />
            {starting ? 'Starting…' : 'Re-run with the same input'}
          </button>
        </div>
      </div>
      <dl className="card m-0 mt-4 grid grid-cols-2 gap-x-6 gap-y-3 px-4 py-3 sm:grid-cols-4 lg:grid-cols-7">
        <div className="col-span-2 min-w-0">
          <dt className="text-xs font-medium text-fg-muted">Run id</dt>
          <dd className="m-0 mt-0.5 flex items-center gap-1">
            <code className="truncate text-xs" title={run.id}>
              {run.id}
            </code>
            <IconButton icon={Copy} label="Copy the run id" className="btn-ghost btn-sm shrink-0" onClick={() => void copyId()} />
          </dd>
        </div>
        <Fact label="Started">
          <time dateTime={run.startedAt ?? run.createdAt} title={formatTime(run.startedAt ?? run.createdAt)}>
            {shortTime(run.startedAt ?? run.createdAt)}
          </time>
        </Fact>
        <Fact label="Ended">{run.finishedAt ? <time dateTime={run.finishedAt} title={formatTime(run.finishedAt)}>
              {shortTime(run.finishedAt)}
            </time> : hasEnded(status) ? '—' : 'not yet'}</Fact>
        <Fact label="Duration">{durationMs !== undefined ? formatDuration(durationMs) : '—'}</Fact>
        <Fact label="Tokens">{usage.totalTokens > 0 ? usage.totalTokens.toLocaleString() : '—'}</Fact>
        <Fact label="Cost">{formatCost(usage) ?? (usage.totalTokens > 0 && usage.costUsd === null ? 'unknown price' : '—')}</Fact>
        {slug && (
          <Fact label="Published slug">
            <code className="text-xs">{slug}</code>
          </Fact>
        )}
        {run.parent && (
          <Fact label="Started by">
            <a href={`#/runs/${encodeURIComponent(run.parent.runId)}`}>run {shortRunId(run.parent.runId)}</a>
            <span className="text-fg-muted"> (step {run.parent.nodeId})</span>
          </Fact>
        )}
      </dl>
    </header>
  );
}
