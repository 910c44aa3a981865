import { useEffect, useState } from 'react';

/** The time now, ticking every `everyMs` while `ticking`, so "5 min ago" and a running run's duration stay true. */
export function useNow(everyMs = 15_000, ticking = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs, ticking]);
  return now;
}
