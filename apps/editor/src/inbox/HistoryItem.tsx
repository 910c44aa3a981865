import { useId } from 'react';
import { ExternalLink } from 'lucide-react';
import type { InboxItem } from '@trellis/schema';
import { hashOfRoute } from '../routes';
import { shortRunId } from '../run/describe';
import { cx } from '../ui/cx';
import { KIND_LABEL, OUTCOME_LABEL, showValue } from './describe-wait';
import { When } from './When';

const OUTCOME_LOOK: Partial<Record<InboxItem['status'], string>> = {
  approved: 'bg-success-soft text-success-fg',
  answered: 'bg-success-soft text-success-fg',
  rejected: 'bg-danger-soft text-danger-fg',
  timed_out: 'bg-warning-soft text-warning-fg',
};

/** A decided wait: what was asked, how it ended, who decided and when, their comment and answer. */
export function HistoryItem({ item, flowName, stepName }: { item: InboxItem; flowName: string; stepName: string }) {
  const titleId = useId();
  const edited = item.editedPayload !== undefined;
  return (
    <article className="card px-4 py-3" aria-labelledby={titleId}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className={cx('rounded-full px-2 py-0.5 text-xs font-medium', OUTCOME_LOOK[item.status] ?? 'bg-surface-3 text-fg-muted')}>{OUTCOME_LABEL[item.status]}</span>
        <h2 id={titleId} className="m-0 text-[0.95rem]">
          {stepName}
        </h2>
        <span className="text-xs text-fg-muted">
          {flowName} · {KIND_LABEL[item.kind]}
        </span>
        <a href={hashOfRoute({ page: 'run', id: item.runId })} className="ml-auto inline-flex items-center gap-1 text-xs" aria-label={`Open run ${shortRunId(item.runId)} of ${flowName}`}>
          Run {shortRunId(item.runId)}
          <ExternalLink size={12} aria-hidden="true" />
        </a>
      </div>
      <p className="m-0 mt-1 line-clamp-2 text-sm text-fg-muted" title={item.message}>
        {item.message}
      </p>
      <p className="m-0 mt-2 text-sm">
        {item.status === 'timed_out' ? (
          <>No one answered in time</>
        ) : (
          <>
            {OUTCOME_LABEL[item.status]} by <strong>{item.decidedBy ?? 'someone unnamed'}</strong>
          </>
        )}
        {item.decidedAt && (
          <>
            {' '}
            · <When iso={item.decidedAt} className="text-fg-muted" />
          </>
        )}
        <span className="text-fg-muted">
          {' '}
          · asked <When iso={item.createdAt} />
        </span>
      </p>
      {item.comment && <blockquote className="m-0 mt-2 border-l-2 border-border-strong pl-3 text-sm italic">“{item.comment}”</blockquote>}
      {item.answer !== undefined && (
        <div className="mt-2">
          <span className="text-xs font-medium text-fg-muted">Answer</span>
          <pre className="inbox-pre m-0 mt-1">{showValue(item.answer)}</pre>
        </div>
      )}
      {edited && (
        <details className="mt-2 text-sm">
          <summary className="cursor-pointer text-fg-muted">The payload was edited before approving</summary>
          <pre className="inbox-pre m-0 mt-1">{showValue(item.editedPayload)}</pre>
        </details>
      )}
    </article>
  );
}
