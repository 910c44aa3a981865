import { useId } from 'react';
import { ExternalLink, Hand, MessageCircleQuestion, Wrench, type LucideIcon } from 'lucide-react';
import type { InboxItem } from '@trellis/schema';
import type { ApiClient } from '../api';
import { hashOfRoute } from '../routes';
import { DeadlineNote } from '../run/DeadlineNote';
import { shortRunId } from '../run/describe';
import { ApprovalAnswer } from './ApprovalAnswer';
import type { TakenBy } from './answer';
import { KIND_LABEL } from './describe-wait';
import { QuestionAnswer } from './QuestionAnswer';
import { When } from './When';

export const KIND_ICON: Record<InboxItem['kind'], LucideIcon> = { approval: Hand, tool_approval: Wrench, question: MessageCircleQuestion };

interface Props {
  api: ApiClient;
  item: InboxItem;
  flowName: string;
  stepName: string;
  by: string;
  onAnswered: (item: InboxItem, how: string) => void;
  onTaken: (taken: TakenBy) => void;
}

/** One wait for a person: where it comes from, what it asks, for how long, answered in place. */
export function WaitCard({ api, item, flowName, stepName, by, onAnswered, onTaken }: Props) {
  const titleId = useId();
  const Icon = KIND_ICON[item.kind];
  return (
    <article className="card p-4" aria-labelledby={titleId}>
      <header className="flex items-start gap-3">
        <span className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-lg bg-cat-human/12 text-cat-human" aria-hidden="true">
          <Icon size={16} />
        </span>
        <div className="min-w-0 flex-1">
          <p className="m-0 truncate text-xs text-fg-muted">
            <span className="font-medium text-fg">{flowName}</span> · {KIND_LABEL[item.kind]}
          </p>
          <h2 id={titleId} className="m-0 truncate text-[0.95rem]">
            {stepName}
          </h2>
        </div>
        <div className="flex shrink-0 flex-col items-end gap-1 text-xs text-fg-muted">
          <span>
            Waiting since <When iso={item.createdAt} className="font-medium text-fg" />
          </span>
          <a href={hashOfRoute({ page: 'run', id: item.runId })} className="inline-flex items-center gap-1" aria-label={`Open run ${shortRunId(item.runId)} of ${flowName}`}>
            Run {shortRunId(item.runId)}
            <ExternalLink size={12} aria-hidden="true" />
          </a>
        </div>
      </header>
      <p className="m-0 mt-3 text-sm whitespace-pre-wrap">{item.message}</p>
      <div className="text-xs text-fg-muted">
        <DeadlineNote deadline={item.deadline} />
      </div>
      {item.kind === 'question' ? (
        <QuestionAnswer api={api} item={item} by={by} onDone={() => onAnswered(item, 'Answered')} onTaken={onTaken} />
      ) : (
        <ApprovalAnswer api={api} item={item} by={by} onDone={(d) => onAnswered(item, d === 'approve' ? 'Approved' : 'Rejected')} onTaken={onTaken} />
      )}
    </article>
  );
}
