import { useId } from 'react';
import { X } from 'lucide-react';
import type { FlowSummary } from '@trellis/schema';
import { StatusBadge } from '../ui/StatusBadge';
import { cx } from '../ui/cx';
import { ALL_STATUSES, hasFilters, NO_FILTERS, type RunFilters } from './filters';

interface Props {
  filters: RunFilters;
  flows: FlowSummary[] | undefined;
  slugs: string[] | undefined;
  onChange: (filters: RunFilters) => void;
}

/** The Runs page's filters: a flow, statuses (toggles, several at once), a published slug and a date range. */
export function RunFiltersBar({ filters, flows, slugs, onChange }: Props) {
  const id = useId();
  const set = (patch: Partial<RunFilters>) => onChange({ ...filters, ...patch });
  const toggle = (status: RunFilters['statuses'][number]) =>
    set({ statuses: filters.statuses.includes(status) ? filters.statuses.filter((s) => s !== status) : [...filters.statuses, status] });
  // A flow or slug named by a link but not (or no longer) listed is still offered, so the select shows it.
  const flowOptions = flows ? [...flows] : [];
  if (filters.flowId && !flowOptions.some((f) => f.id === filters.flowId)) flowOptions.push({ id: filters.flowId, name: filters.flowId } as FlowSummary);
  const slugOptions = [...(slugs ?? [])];
  if (filters.slug && !slugOptions.includes(filters.slug)) slugOptions.push(filters.slug);

  return (
    <div role="search" aria-label="Filter runs" className="card relative mb-4 flex flex-wrap items-end gap-x-4 gap-y-3 px-4 py-3">
      <div className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        <label htmlFor={`${id}-flow`}>Flow</label>
        <select id={`${id}-flow`} className="w-48 text-sm text-fg" value={filters.flowId ?? ''} onChange={(e) => set({ flowId: e.target.value || undefined })}>
          <option value="">All flows</option>
          {flowOptions.map((f) => (
            <option key={f.id} value={f.id}>
              {f.name}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        <label htmlFor={`${id}-slug`}>Published slug</label>
        <select id={`${id}-slug`} className="w-40 text-sm text-fg" value={filters.slug ?? ''} onChange={(e) => set({ slug: e.target.value || undefined })}>
          <option value="">Any (or none)</option>
          {slugOptions.map((slug) => (
            <option key={slug} value={slug}>
              {slug}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        <label htmlFor={`${id}-from`}>From</label>
        <input id={`${id}-from`} type="date" className="text-sm text-fg" value={filters.from ?? ''} max={filters.to} onChange={(e) => set({ from: e.target.value || undefined })} />
      </div>
      <div className="flex flex-col gap-1 text-xs font-medium text-fg-muted">
        <label htmlFor={`${id}-to`}>To</label>
        <input id={`${id}-to`} type="date" className="text-sm text-fg" value={filters.to ?? ''} min={filters.from} onChange={(e) => set({ to: e.target.value || undefined })} />
      </div>
      <fieldset className="m-0 flex basis-full flex-wrap items-center gap-2 border-0 p-0">
        <legend className="float-left mr-1 p-0 text-xs font-medium text-fg-muted">Status</legend>
        <div className="flex flex-wrap gap-1">
          {ALL_STATUSES.map((status) => {
            const on = filters.statuses.includes(status);
            return (
              <button
                key={status}
                type="button"
                aria-pressed={on}
                aria-label={`Status ${status}`}
                onClick={() => toggle(status)}
                className={cx('rounded-full p-0.5', on ? 'border-primary bg-primary-soft' : 'opacity-70 hover:opacity-100')}
              >
                <StatusBadge status={status} />
              </button>
            );
          })}
        </div>
      </fieldset>
      {hasFilters(filters) && (
        <button type="button" className="btn-ghost btn-sm absolute top-3 right-3 text-fg-muted" onClick={() => onChange(NO_FILTERS)}>
          <X size={14} aria-hidden="true" />
          Clear filters
        </button>
      )}
    </div>
  );
}
