import { useState } from 'react';
import type { FlowTestReport } from '@trellis/schema';

/**
 * A publish refused by the flow's gate: the cases that failed, each with its first failed check,
 * and publishing anyway, which needs a reason (the flow's publish log keeps it, and who gave it).
 */
export function GateFailure({ report, busy, onOverride }: { report: FlowTestReport; busy: boolean; onOverride: (reason: string) => void }) {
  const [reason, setReason] = useState('');
  const failed = report.cases.filter((c) => !c.passed);
  const tooShort = reason.trim().length < 3;
  return (
    <div className="publish-gate" role="region" aria-label="Publish gate failed">
      <p>
        <strong>
          {failed.length ? `${failed.length} of ${report.cases.length} test cases fail` : 'The flow has no test cases'}
        </strong>
        , and this flow requires them to pass before it is published.
      </p>
      {failed.length > 0 && (
        <ul>
          {failed.map((c) => (
            <li key={c.name}>
              <strong>{c.name}</strong>: {c.checks.find((check) => !check.passed)?.message ?? 'failed'}
            </li>
          ))}
        </ul>
      )}
      <p className="note">Fix them (the Tests tab runs them), or publish anyway and say why: the flow's publish log keeps the reason.</p>
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
