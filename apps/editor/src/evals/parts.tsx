import { RotateCw } from 'lucide-react';
import type { ReactNode } from 'react';
import { cx } from '../ui/cx';

/** A failed load, said in words, with a way to try again. */
export function LoadError({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="mb-4 flex items-center gap-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
      <span className="flex-1">{message}</span>
      {onRetry && (
        <button type="button" className="btn-sm" onClick={onRetry}>
          <RotateCw size={14} aria-hidden="true" /> Retry
        </button>
      )}
    </div>
  );
}

/** A grey block where a list will be, while it loads. */
export function Loading({ label, className }: { label: string; className?: string }) {
  return <div aria-busy="true" aria-label={label} className={cx('card animate-pulse bg-surface-2', className ?? 'h-40')} />;
}

/** A headed card of a page. */
export function Section({ title, actions, children, className, label }: { title: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; label?: string }) {
  return (
    <section aria-label={label ?? (typeof title === 'string' ? title : undefined)} className={cx('card mb-4', className)}>
      <div className="flex flex-wrap items-center gap-3 border-b border-border px-4 py-2.5">
        <h2 className="m-0 mr-auto text-base">{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

/** One figure of a summary: a label above a large number, and a line under it. */
export function Stat({ label, value, hint, tone }: { label: string; value: ReactNode; hint?: ReactNode; tone?: 'better' | 'worse' | 'same' }) {
  return (
    <div className="evals-stat">
      <dt className="text-xs font-medium tracking-wide text-fg-muted uppercase">{label}</dt>
      <dd className={cx('m-0 mt-1 text-xl font-semibold tabular-nums', tone === 'better' && 'text-success-fg', tone === 'worse' && 'text-danger-fg')}>{value}</dd>
      {hint && <dd className="m-0 mt-0.5 text-xs text-fg-muted">{hint}</dd>}
    </div>
  );
}

export { th } from '../ui/table';
export const td = 'px-3 py-2 align-top';

/** A score as a small bar and its number: green when it passed, red when not. */
export function ScoreCell({ score, passed, reason }: { score: number | null | undefined; passed?: boolean; reason?: string }) {
  if (score == null) {
    return (
      <span className="text-fg-subtle" title={reason}>
        —
      </span>
    );
  }
  return (
    <span className={cx('evals-score', passed ? 'evals-score-pass' : 'evals-score-fail')} title={reason ? `${passed ? 'Passed' : 'Failed'}: ${reason}` : passed ? 'Passed' : 'Failed'}>
      <span className="evals-score-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(score * 100)}%` }} />
      </span>
      <span className="tabular-nums">{score.toFixed(2)}</span>
      <span className="sr-only">{passed ? ', passed' : ', failed'}</span>
    </span>
  );
}
