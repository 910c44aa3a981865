import { useEffect, useState } from 'react';

/**
 * True at once when `now`, else once the browser is next idle (at most `timeoutMs` later): for
 * what can wait until a large flow is drawn, such as its minimap (a shape for every node).
 */
export function useWhenIdle(now: boolean, timeoutMs = 2000): boolean {
  const [ready, setReady] = useState(now);
  useEffect(() => {
    if (ready) return;
    const g = globalThis as { requestIdleCallback?: (run: () => void, options: { timeout: number }) => number; cancelIdleCallback?: (handle: number) => void };
    if (g.requestIdleCallback && g.cancelIdleCallback) {
      const handle = g.requestIdleCallback(() => setReady(true), { timeout: timeoutMs });
      return () => g.cancelIdleCallback!(handle);
    }
    const timer = setTimeout(() => setReady(true), 200);
    return () => clearTimeout(timer);
  }, [ready, timeoutMs]);
  return ready;
}
