// A run's statuses without zod, so a page that only shows or filters runs does not load the
// schemas (events.ts builds the zod enum from this list).

export const RUN_STATUSES = ['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const ENDED: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);
/** Whether a run in this status has ended for good: nothing resumes it. */
export const hasEnded = (status: RunStatus): boolean => ENDED.has(status);

/** A comma-separated list of run statuses (`waiting,failed`), each one checked. */
export function parseStatuses(text: string): { statuses: RunStatus[]; unknown: string[] } {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  const known = new Set<string>(RUN_STATUSES);
  return { statuses: names.filter((n): n is RunStatus => known.has(n)), unknown: names.filter((n) => !known.has(n)) };
}
