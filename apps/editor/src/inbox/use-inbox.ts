import { useCallback, useEffect, useRef, useState } from 'react';
import { APPROVALS_PAGE_MAX, errorMessage, type InboxItem, type WaitKind } from '@trellis/schema';
import type { ApiClient } from '../api';

/** Cards per page: enough to work through, few enough to read. */
export const INBOX_PAGE = 20;
// Runs change in bursts (a flow's steps): one reload after the burst.
const SETTLE_MS = 300;

export interface InboxFilter {
  /** Waiting (pending, oldest first) or history (decided, newest first). */
  tab: 'waiting' | 'history';
  flowId?: string | undefined;
  kind?: WaitKind | undefined;
}

export interface InboxList {
  items: InboxItem[] | undefined;
  error: string | undefined;
  loadingMore: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Takes an item off the list at once (answered here, or by someone else). */
  remove: (id: string) => void;
}

/**
 * One tab of the inbox, cursor-paginated, kept live: it reloads when any run changes status (a
 * run that stops to wait, or goes on after an answer) and when this tab answers something.
 * A reload keeps as many items as were on show, so "Load more" is not undone by a change.
 */
export function useInbox(api: ApiClient, filter: InboxFilter): InboxList {
  const [items, setItems] = useState<InboxItem[] | undefined>();
  const [cursor, setCursor] = useState<string | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const shown = useRef(INBOX_PAGE);
  const generation = useRef(0);
  const { tab, flowId, kind } = filter;
  const status = tab === 'waiting' ? 'pending' : 'decided';

  const reload = useCallback(() => {
    const mine = ++generation.current;
    api.listInbox({ status, flowId, kind, limit: Math.min(APPROVALS_PAGE_MAX, Math.max(INBOX_PAGE, shown.current)) }).then(
      (page) => {
        if (mine !== generation.current) return; // a newer load (another filter) owns the list
        setItems(page.items);
        setCursor(page.nextCursor);
        setError(undefined);
      },
      (e: unknown) => mine === generation.current && setError(`Could not load the inbox: ${errorMessage(e)}`),
    );
  }, [api, status, flowId, kind]);

  // A new tab or filter starts from its first page.
  useEffect(() => {
    shown.current = INBOX_PAGE;
    setItems(undefined);
    setCursor(undefined);
    reload();
  }, [reload]);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(reload, SETTLE_MS);
    };
    const stop = api.followRunChanges({ onChange: soon, onReset: soon });
    window.addEventListener('trellis:inbox-changed', soon);
    const onVisible = () => document.visibilityState === 'visible' && soon();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      stop();
      if (timer !== undefined) clearTimeout(timer);
      window.removeEventListener('trellis:inbox-changed', soon);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [api, reload]);

  const loadMore = useCallback(() => {
    if (!cursor) return;
    const mine = generation.current;
    setLoadingMore(true);
    api
      .listInbox({ status, flowId, kind, limit: INBOX_PAGE, cursor })
      .then(
        (page) => {
          if (mine !== generation.current) return;
          setItems((prev) => {
            const seen = new Set(prev?.map((i) => i.id));
            const next = [...(prev ?? []), ...page.items.filter((i) => !seen.has(i.id))];
            shown.current = next.length;
            return next;
          });
          setCursor(page.nextCursor);
        },
        (e: unknown) => setError(`Could not load more: ${errorMessage(e)}`),
      )
      .finally(() => setLoadingMore(false));
  }, [api, cursor, status, flowId, kind]);

  const remove = useCallback((id: string) => setItems((prev) => prev?.filter((i) => i.id !== id)), []);

  return { items, error, loadingMore, hasMore: cursor !== undefined, loadMore, reload, remove };
}
