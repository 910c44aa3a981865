import { Ban, CheckCircle2, CircleDashed, Clock, Hand, Loader2, SkipForward, XCircle, type LucideIcon } from 'lucide-react';
import { cx } from './cx';

/** A run's or a step's status, or an experiment's (`completed`). */
export type Status = 'queued' | 'running' | 'waiting' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'completed';

const LOOK: Record<Status, { icon: LucideIcon; label: string; className: string }> = {
  queued: { icon: Clock, label: 'Queued', className: 'bg-surface-3 text-fg-muted' },
  running: { icon: Loader2, label: 'Running', className: 'bg-warning-soft text-warning-fg' },
  waiting: { icon: Hand, label: 'Waiting', className: 'bg-waiting-soft text-waiting' },
  succeeded: { icon: CheckCircle2, label: 'Succeeded', className: 'bg-success-soft text-success-fg' },
  completed: { icon: CheckCircle2, label: 'Completed', className: 'bg-success-soft text-success-fg' },
  failed: { icon: XCircle, label: 'Failed', className: 'bg-danger-soft text-danger-fg' },
  cancelled: { icon: Ban, label: 'Cancelled', className: 'bg-surface-3 text-fg-muted' },
  skipped: { icon: SkipForward, label: 'Skipped', className: 'bg-surface-3 text-fg-subtle' },
};

export const statusLabel = (status: Status): string => LOOK[status]?.label ?? status;

/** A coloured pill with an icon and the status in words (colour is never the only cue). */
export function StatusBadge({ status, className }: { status: Status; className?: string }) {
  const look = LOOK[status] ?? { icon: CircleDashed, label: status, className: 'bg-surface-3 text-fg-muted' };
  const Icon = look.icon;
  return (
    <span className={cx('inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap', look.className, className)}>
      <Icon size={12} aria-hidden="true" className={status === 'running' ? 'animate-spin' : undefined} />
      {look.label}
    </span>
  );
}
