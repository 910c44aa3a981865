import { useEffect, useState } from 'react';
import { exactTime, relativeTime } from './relative-time';

/** A time said relatively ("5 min ago"), exact on hover, and kept current while the page is open. */
export function When({ iso, className }: { iso: string; className?: string }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time dateTime={iso} title={exactTime(iso)} className={className}>
      {relativeTime(iso, now)}
    </time>
  );
}
