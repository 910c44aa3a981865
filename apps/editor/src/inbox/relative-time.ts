/**
 * Times as people read them in lists ("5 min ago", "yesterday"), with the exact time kept for a
 * tooltip. Shared by the Inbox, Keys and Settings pages.
 */
import { formatTime } from '../run/describe';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "2 days ago", else the date; the future reads "in …". */
export function relativeTime(iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return iso;
  const ms = now - at;
  const ahead = ms < 0;
  const abs = Math.abs(ms);
  const say = (text: string) => (ahead ? `in ${text}` : `${text} ago`);
  // A few seconds ahead is the runner's clock, not the future.
  if (abs < 45_000 || (ahead && abs < 2 * MINUTE)) return 'just now';
  if (abs < HOUR) return say(`${Math.max(1, Math.round(abs / MINUTE))} min`);
  if (abs < DAY) return say(`${Math.round(abs / HOUR)} h`);
  if (abs < 30 * DAY) {
    const days = Math.round(abs / DAY);
    return days === 1 && !ahead ? 'yesterday' : say(`${days} day${days === 1 ? '' : 's'}`);
  }
  return new Date(at).toLocaleDateString();
}

/** The full date and time, as `toLocaleString()` shows it (one cached formatter). */
export const exactTime = formatTime;
