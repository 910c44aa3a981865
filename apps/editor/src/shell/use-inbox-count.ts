import { useEffect, useState } from 'react';
import type { ApiClient } from '../api';

// A backstop for what the change stream cannot see (another runner's runs); rare, so it costs nothing.
const REFRESH_MS = 60_000;
// Runs often change in bursts (a flow's steps): one count after the burst.
const SETTLE_MS = 300;

/**
 * How many approvals and questions wait for a person: loaded once, then again whenever a run
 * changes status (the runner's change stream), when the tab comes back into view, and now and then.
 */
export function useInboxCount(api: ApiClient): number | undefined {
  const [count, setCount] = useState<number | undefined>();
  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = () => {
      api.countInbox().then(
        (c) => live && setCount(c.pending),
        () => undefined, // the badge just keeps its last figure
      );
    };
    const soon = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(load, SETTLE_MS);
    };
    load();
    const stop = api.followRunChanges({ onChange: soon, onReset: soon });
    const every = setInterval(load, REFRESH_MS);
    const onVisible = () => document.visibilityState === 'visible' && load();
    document.addEventListener('visibilitychange', onVisible);
    // A decision made in this tab shows at once, without waiting for the run to change.
    window.addEventListener('trellis:inbox-changed', soon);
    return () => {
      live = false;
      stop();
      clearInterval(every);
      if (timer !== undefined) clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('trellis:inbox-changed', soon);
    };
  }, [api]);
  return count;
}

/** Says that this tab answered an approval or question, so the badge counts again. */
export const inboxChanged = () => window.dispatchEvent(new Event('trellis:inbox-changed'));
