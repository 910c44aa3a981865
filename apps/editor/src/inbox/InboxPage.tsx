import { useId, useState, type ReactNode } from 'react';
import { Tabs } from 'radix-ui';
import { Inbox, RotateCw, UserRound, X } from 'lucide-react';
import type { InboxItem, WaitKind } from '@trellis/schema';
import type { ApiClient } from '../api';
import { AUTHOR_MAX, useAuthor } from '../author';
import type { Route } from '../routes';
import { EmptyState, Page, PageHeader } from '../ui/Page';
import { toast } from '../ui/toast';
import type { TakenBy } from './answer';
import { KIND_LABEL, OUTCOME_LABEL, stepNameOf } from './describe-wait';
import { HistoryItem } from './HistoryItem';
import { exactTime } from './relative-time';
import { useFlows } from './use-flows';
import { useInbox, type InboxFilter } from './use-inbox';
import { WaitCard } from './WaitCard';
import './inbox.css';

const TAB_CLASS =
  'btn-ghost rounded-none border-0 border-b-2 border-transparent px-3 pb-2 pt-1 text-sm text-fg-muted hover:text-fg data-[state=active]:border-primary data-[state=active]:text-fg focus-visible:-outline-offset-2';

/**
 * Everything waiting for a person across flows (approvals, tool call approvals, questions),
 * oldest first, each answered in place with the person's name; and the history of what was
 * decided, by whom and when. Live: it follows the runs' changes.
 */
export function InboxPage({ api }: { api: ApiClient; go: (route: Route) => void }) {
  const [filter, setFilter] = useState<InboxFilter>({ tab: 'waiting' });
  const list = useInbox(api, filter);
  const { flows, documents } = useFlows(api, list.items?.map((i) => i.flowId) ?? []);
  const [author, setAuthor] = useAuthor();
  const [taken, setTaken] = useState<TakenBy[]>([]);
  const nameId = useId();

  const flowName = (item: InboxItem) => item.flowName ?? flows?.find((f) => f.id === item.flowId)?.name ?? item.flowId;
  const stepName = (item: InboxItem) => stepNameOf(documents.get(item.flowId), item.nodeId);

  const answered = (item: InboxItem, how: string) => {
    list.remove(item.id);
    toast.success(`${how} “${stepName(item)}” (${flowName(item)})${author.trim() ? ` as ${author.trim()}` : ''}`);
  };
  const takenBy = (t: TakenBy) => {
    list.remove(t.item.id);
    setTaken((prev) => [t, ...prev.filter((p) => p.item.id !== t.item.id)]);
  };

  return (
    <Page label="Inbox">
      <PageHeader
        title="Inbox"
        description="Approvals and questions waiting for a person, across every flow: the longest waiting first."
        actions={
          <div className="flex items-center gap-2">
            <label htmlFor={nameId} className="flex items-center gap-1 text-sm text-fg-muted">
              <UserRound size={14} aria-hidden="true" />
              Your name
            </label>
            <input
              id={nameId}
              value={author}
              maxLength={AUTHOR_MAX}
              onChange={(e) => setAuthor(e.target.value)}
              placeholder="Recorded with your answers"
              aria-describedby={`${nameId}-help`}
              className="w-56"
              autoComplete="name"
            />
            <span id={`${nameId}-help`} className="sr-only">
              Kept in this browser and recorded with each approval and answer; without it answers are recorded as "editor".
            </span>
          </div>
        }
      />

      <Tabs.Root value={filter.tab} onValueChange={(tab) => setFilter((f) => ({ ...f, tab: tab as InboxFilter['tab'] }))}>
        <div className="mb-4 flex flex-wrap items-end gap-3 border-b border-border">
          <Tabs.List aria-label="Inbox views" className="flex gap-1">
            <Tabs.Trigger value="waiting" className={TAB_CLASS}>
              Waiting
            </Tabs.Trigger>
            <Tabs.Trigger value="history" className={TAB_CLASS}>
              History
            </Tabs.Trigger>
          </Tabs.List>
          <div className="mb-2 ml-auto flex flex-wrap items-center gap-2">
            <select aria-label="Flow" value={filter.flowId ?? ''} onChange={(e) => setFilter((f) => ({ ...f, flowId: e.target.value || undefined }))}>
              <option value="">All flows</option>
              {flows?.map((f) => (
                <option key={f.id} value={f.id}>
                  {f.name}
                </option>
              ))}
            </select>
            <select aria-label="Kind" value={filter.kind ?? ''} onChange={(e) => setFilter((f) => ({ ...f, kind: (e.target.value || undefined) as WaitKind | undefined }))}>
              <option value="">All kinds</option>
              {(Object.keys(KIND_LABEL) as WaitKind[]).map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}s
                </option>
              ))}
            </select>
          </div>
        </div>

        {taken.map((t) => (
          <TakenNotice key={t.item.id} taken={t} stepName={stepName(t.item)} flowName={flowName(t.item)} onClose={() => setTaken((prev) => prev.filter((p) => p !== t))} />
        ))}

        {(['waiting', 'history'] as const).map((tab) => (
          <Tabs.Content key={tab} value={tab} className="outline-none">
            {filter.tab === tab && (
              <ItemList
                list={list}
                tab={tab}
                filtered={filter.flowId !== undefined || filter.kind !== undefined}
                render={(item) =>
                  tab === 'waiting' ? (
                    <WaitCard key={item.id} api={api} item={item} flowName={flowName(item)} stepName={stepName(item)} by={author.trim()} onAnswered={answered} onTaken={takenBy} />
                  ) : (
                    <HistoryItem key={item.id} item={item} flowName={flowName(item)} stepName={stepName(item)} />
                  )
                }
              />
            )}
          </Tabs.Content>
        ))}
      </Tabs.Root>
    </Page>
  );
}

function ItemList({ list, tab, filtered, render }: { list: ReturnType<typeof useInbox>; tab: InboxFilter['tab']; filtered: boolean; render: (item: InboxItem) => ReactNode }) {
  if (list.error && !list.items)
    return (
      <div role="alert" className="flex items-center gap-3 rounded-lg border border-danger-border bg-danger-soft px-4 py-3 text-sm text-danger-fg">
        <span className="flex-1">{list.error}</span>
        <button type="button" onClick={list.reload}>
          <RotateCw size={14} aria-hidden="true" /> Retry
        </button>
      </div>
    );
  if (!list.items)
    return (
      <div aria-busy="true" aria-label="Loading the inbox" className="flex flex-col gap-3">
        {[0, 1, 2].map((i) => (
          <div key={i} className="card h-28 animate-pulse bg-surface-2" />
        ))}
      </div>
    );
  if (list.items.length === 0)
    return tab === 'waiting' ? (
      <EmptyState title={filtered ? 'Nothing waits here' : 'All caught up'}>
        <Inbox size={28} className="mx-auto mb-2 text-fg-subtle" aria-hidden="true" />
        {filtered
          ? 'No approval or question of this flow or kind is waiting. Clear the filters to see the rest.'
          : 'Nothing is waiting for a person. When a run stops at an approval step or asks a question, it shows here.'}
      </EmptyState>
    ) : (
      <EmptyState title="No decisions yet">Approvals and answers given in any flow show here, with who decided and when.</EmptyState>
    );
  return (
    <>
      <div className="flex flex-col gap-3" role="list" aria-label={tab === 'waiting' ? 'Waiting for a person' : 'Decided'}>
        {list.items.map((item) => (
          <div role="listitem" key={item.id}>
            {render(item)}
          </div>
        ))}
      </div>
      {list.error && (
        <p role="alert" className="mt-3 text-sm text-danger-fg">
          {list.error}
        </p>
      )}
      {list.hasMore && (
        <div className="mt-4 flex justify-center">
          <button type="button" onClick={list.loadMore} disabled={list.loadingMore}>
            {list.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}

/** Someone answered first: who, how and when, stated plainly until closed. */
function TakenNotice({ taken, stepName, flowName, onClose }: { taken: TakenBy; stepName: string; flowName: string; onClose: () => void }) {
  const d = taken.decided;
  return (
    <div role="alert" className="mb-3 flex items-start gap-3 rounded-lg border border-warning bg-warning-soft px-4 py-3 text-sm text-warning-fg">
      <p className="m-0 flex-1">
        <strong>
          “{stepName}” ({flowName}) was already {d ? OUTCOME_LABEL[d.status].toLowerCase() : 'decided'}
          {d?.decidedBy ? ` by ${d.decidedBy}` : ''}
        </strong>
        {d?.decidedAt ? ` at ${exactTime(d.decidedAt)}` : ''}
        {d ? '' : `: ${taken.message}`}. Your answer was not sent; the item has left your inbox{d ? ' and is in the History tab' : ''}.
      </p>
      <button type="button" className="btn-ghost btn-icon" aria-label="Close this notice" onClick={onClose}>
        <X size={16} aria-hidden="true" />
      </button>
    </div>
  );
}
