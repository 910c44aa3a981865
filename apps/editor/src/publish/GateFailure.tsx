import { useState } from 'react';
import type { FlowTestReport } from '@trellis/schema';

/** A publish the flow's gate refused, as the runner says it (`gate_failed` and its details). */
export interface GateRefusal {
  message: string;
  /** The test cases, when the gate runs them. */
  report?: FlowTestReport;
  /** The experiment's scores, when the gate runs one. */
  experiment?: {
    dataset: string;
    scorer: string;
    candidate: { experimentId: string; version: number; score: number };
    published?: { experimentId: string; version: number; score: number };
    minScore?: number;
    maxDrop?: number;
  };
}

/**
 * A publish refused by the flow's gate: the cases that failed, each with its first failed check,
 * and the experiment's scores against the gate's bounds; publishing anyway needs a reason (the
 * flow's publish log keeps it, and who gave it).
 */
export function GateFailure({ refusal, busy, onOverride }: { refusal: GateRefusal; busy: boolean; onOverride: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const { report, experiment } = refusal;
  const failed = report?.cases.filter((c) => !c.passed) ?? [];
  const tooShort = reason.trim().length < 3;
  const score = (n: number) => n.toFixed(3);
  return (
    <div className="publish-gate" role="region" aria-label="Publish gate failed">
      <p>
        <strong>This version fails the flow's publish gate.</strong>
      </p>
      {report && (
        <>
          <p>{failed.length ? `${failed.length} of ${report.cases.length} test cases fail:` : report.cases.length ? 'Every test case passes.' : 'The flow has no test cases, and the gate requires them.'}</p>
          {failed.length > 0 && (
            <ul aria-label="Failed cases">
              {failed.map((c) => (
                <li key={c.name}>
                  <strong>{c.name}</strong>: {c.checks.find((check) => !check.passed)?.message ?? 'failed'}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {experiment && (
        <dl className="publish-gate-scores" aria-label="Experiment scores">
          <dt>{`Score on “${experiment.dataset}” (${experiment.scorer})`}</dt>
          <dd>
            <a href={`#/experiments/${encodeURIComponent(experiment.candidate.experimentId)}`}>{score(experiment.candidate.score)}</a>
            {experiment.minScore !== undefined && ` (minimum ${experiment.minScore})`}
          </dd>
          {experiment.published && (
            <>
              <dt>{`Version ${experiment.published.version}, published now`}</dt>
              <dd>
                <a href={`#/experiments/${encodeURIComponent(experiment.published.experimentId)}`}>{score(experiment.published.score)}</a>
                {experiment.maxDrop !== undefined && ` (the gate allows a drop of ${experiment.maxDrop})`}
              </dd>
            </>
          )}
        </dl>
      )}
      {!report && !experiment && <p>{refusal.message}</p>}
      <p className="note">Fix it (the Tests tab runs the cases; the Experiments page shows each row), or publish anyway and say why: the flow's publish log keeps the reason.</p>
      <label className="publish-field">
        Reason for publishing anyway
        <textarea value={reason} rows={2} maxLength={1000} onChange={(e) => setReason(e.target.value)} />
      </label>
      <button type="button" className="danger" disabled={busy || tooShort} onClick={() => onOverride(reason.trim())}>
        Publish anyway
      </button>
    </div>
  );
}
