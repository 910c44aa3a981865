import { ArrowDownUp, Search, Tag, X } from 'lucide-react';
import { cx } from '../ui/cx';
import { SORT_LABELS, type FlowFilter, type FlowSort } from './flow-filter';

/** The flows list's search box, sort and tag filter chips, and how many flows are shown. */
export function FlowListToolbar({
  filter,
  onChange,
  tags,
  onToggleTag,
  shown,
  total,
}: {
  filter: FlowFilter;
  onChange: (filter: FlowFilter) => void;
  tags: readonly { tag: string; count: number }[];
  onToggleTag: (tag: string) => void;
  shown: number;
  total: number;
}) {
  return (
    <div className="mb-4 flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative min-w-64 flex-1">
          <Search size={15} className="pointer-events-none absolute left-2.5 top-1/2 -translate-y-1/2 text-fg-subtle" aria-hidden="true" />
          <input
            type="search"
            aria-label="Search flows"
            placeholder="Search by name, id or description"
            className="w-full py-1.5! pl-8!"
            value={filter.query}
            onChange={(e) => onChange({ ...filter, query: e.target.value })}
            onKeyDown={(e) => e.key === 'Escape' && filter.query && (e.preventDefault(), onChange({ ...filter, query: '' }))}
          />
        </div>
        <label className="flex items-center gap-1.5 text-sm text-fg-muted">
          <ArrowDownUp size={14} aria-hidden="true" />
          <span className="sr-only">Sort flows by</span>
          <select aria-label="Sort flows by" value={filter.sort} onChange={(e) => onChange({ ...filter, sort: e.target.value as FlowSort })}>
            {(Object.keys(SORT_LABELS) as FlowSort[]).map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABELS[sort]}
              </option>
            ))}
          </select>
        </label>
        <span className="text-sm text-fg-subtle" aria-live="polite">
          {shown === total ? `${total} flow${total === 1 ? '' : 's'}` : `${shown} of ${total} flows`}
        </span>
      </div>
      {tags.length > 0 && (
        <div role="group" aria-label="Filter by tag" className="flex flex-wrap items-center gap-1.5">
          <Tag size={14} className="text-fg-subtle" aria-hidden="true" />
          {tags.map(({ tag, count }) => {
            const on = filter.tags.includes(tag);
            return (
              <button
                key={tag}
                type="button"
                aria-pressed={on}
                aria-label={`${tag}, ${count} flow${count === 1 ? '' : 's'}`}
                className={cx('btn-sm rounded-full', on ? 'border-primary bg-primary-soft text-primary-strong hover:bg-primary-soft!' : 'text-fg-muted')}
                onClick={() => onToggleTag(tag)}
              >
                {tag}
                <span className={cx('text-xs', on ? 'text-primary-strong' : 'text-fg-subtle')}>{count}</span>
              </button>
            );
          })}
          {filter.tags.length > 0 && (
            <button type="button" className="btn-ghost btn-sm text-fg-muted" onClick={() => onChange({ ...filter, tags: [] })}>
              <X size={13} aria-hidden="true" /> Clear tags
            </button>
          )}
        </div>
      )}
    </div>
  );
}
