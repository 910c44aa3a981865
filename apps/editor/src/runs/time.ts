/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", else the date: how long ago a run started. */
export function relativeTime(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((now - time) / 1000);
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days === 1) return 'yesterday';
  if (days < 7) return `${days} days ago`;
  return (new Date(time).getFullYear() === new Date(now).getFullYear() ? dayMonth() : dayMonthYear()).format(time);
}

// One formatter each, made on first use: a `toLocaleDateString` with options builds one per call,
// which costs about as much as drawing the rest of a row (a page of runs calls it 50 times a render).
const once = <T,>(make: () => T) => {
  let made: T | undefined;
  return () => (made ??= make());
};
const dayMonth = once(() => new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' }));
const dayMonthYear = once(() => new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' }));
