/**
 * What the flows list shows: the flows matching the search and the chosen tags, in the chosen
 * order. Pure, so it is tested without a browser.
 */
import type { FlowSummary } from '@trellis/schema';

export type FlowSort = 'updated' | 'name' | 'created';

export const SORT_LABELS: Record<FlowSort, string> = {
  updated: 'Last updated',
  name: 'Name',
  created: 'Newest',
};

export interface FlowFilter {
  /** Words that must each appear in the name, id, description or tags (any case, accents ignored). */
  query: string;
  /** A flow must carry every one of these tags. */
  tags: readonly string[];
  sort: FlowSort;
}

const fold = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

const byName = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function filterFlows(flows: readonly FlowSummary[], filter: FlowFilter): FlowSummary[] {
  const words = fold(filter.query).split(/\s+/).filter(Boolean);
  const matching = flows.filter((flow) => {
    const tags = flow.tags ?? [];
    if (!filter.tags.every((t) => tags.includes(t))) return false;
    if (!words.length) return true;
    const haystack = fold([flow.name, flow.id, flow.description ?? '', ...tags].join('\n'));
    return words.every((w) => haystack.includes(w));
  });
  const compare: Record<FlowSort, (a: FlowSummary, b: FlowSummary) => number> = {
    updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt) || byName.compare(a.name, b.name),
    created: (a, b) => b.createdAt.localeCompare(a.createdAt) || byName.compare(a.name, b.name),
    name: (a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id),
  };
  return matching.sort(compare[filter.sort]);
}

/** Every tag in use, with how many flows carry it: the most used first, then by name. */
export function tagCounts(flows: readonly FlowSummary[]): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const flow of flows) for (const tag of flow.tags ?? []) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago": how long ago `iso` was. */
export function relativeTime(iso: string, now: number = Date.now(), locale?: string): string {
  const then = new Date(iso).getTime();
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((then - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60) || -1, 'minute');
}
