import type { Run } from '@trellis/schema';
import { formatDuration, formatTime, shortRunId } from './describe';

interface Props {
  runs: Run[] | undefined;
  error: string | undefined;
  /** The run on show, marked in the list. */
  openRunId: string | undefined;
  /** The version being edited, to mark runs of other versions. */
  savedVersion: number | undefined;
  onOpen: (run: Run) => void;
  onRefresh: () => void;
}

/** This flow's runs, newest first; opening one shows its trace (and lights up the canvas from it). */
export function RunHistory({ runs, error, openRunId, savedVersion, onOpen, onRefresh }: Props) {
  return (
    <section className="run-history" aria-label="Past runs">
      <div className="run-history-head">
        <h3>Past runs</h3>
        <button type="button" className="quiet" onClick={onRefresh}>
          Refresh runs
        </button>
      </div>
      {error && <p role="alert" className="run-error">{error}</p>}
      {runs === undefined && !error && <p className="note">Loading runs…</p>}
      {runs?.length === 0 && <p className="note">No runs of this flow yet.</p>}
      {runs && runs.length > 0 && (
        <ul>
          {runs.map((run) => {
            const short = shortRunId(run.id);
            const other = run.flowVersion !== undefined && savedVersion !== undefined && run.flowVersion !== savedVersion;
            return (
              <li key={run.id} className={`run-history-item ${run.status}${run.id === openRunId ? ' open' : ''}`}>
                <button type="button" onClick={() => onOpen(run)} aria-label={`Open run ${short} (${run.status}, ${formatTime(run.createdAt)}${run.flowVersion !== undefined ? `, version ${run.flowVersion}` : ''})`} aria-current={run.id === openRunId ? 'true' : undefined}>
                  <span className="run-history-status">{run.status}</span>
                  <time dateTime={run.createdAt}>{formatTime(run.createdAt)}</time>
                  {run.flowVersion !== undefined && <span className={other ? 'run-history-other' : undefined}>v{run.flowVersion}</span>}
                  {run.durationMs !== undefined && <span>{formatDuration(run.durationMs)}</span>}
                  <span className="run-history-id">{short}</span>
                </button>
                {other && <span className="note"> not the version you edit</span>}
                {run.labels?.source === 'endpoint' && <span className="note"> via endpoint {run.labels.slug}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
