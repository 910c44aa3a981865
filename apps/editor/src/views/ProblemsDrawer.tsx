import { ChevronDown, ChevronUp, CircleAlert, CircleCheck } from 'lucide-react';
import type { Problem } from '@trellis/schema';
import { cx } from '../ui/cx';

/**
 * The flow's errors in a drawer at the foot of the canvas: a slim bar with the count when all is
 * well or folded, the list (each problem selects its node) when opened.
 */
export function ProblemsDrawer({ problems, nameOf, onPick, open, onOpen }: { problems: readonly Problem[]; nameOf: (id: string) => string; onPick: (nodeId: string) => void; open: boolean; onOpen: (open: boolean) => void }) {
  const errors = problems.filter((p) => p.severity === 'error');
  const count = errors.length;
  const Icon = count ? CircleAlert : CircleCheck;
  return (
    <section className={cx('problems-drawer', count > 0 && 'has-problems', open && count > 0 && 'is-open')} aria-label="Problems">
      <div className="problems-bar">
        <Icon size={15} aria-hidden="true" className="problems-icon" />
        <h2>{count === 0 ? 'No problems' : `${count} problem${count === 1 ? '' : 's'}`}</h2>
        {count > 0 && (
          <>
            <span className="problems-badge" aria-hidden="true">
              {count}
            </span>
            <button type="button" className="btn-ghost btn-sm problems-toggle" aria-expanded={open} onClick={() => onOpen(!open)}>
              {open ? <ChevronDown size={15} aria-hidden="true" /> : <ChevronUp size={15} aria-hidden="true" />}
              {open ? 'Hide problems' : 'Show problems'}
            </button>
          </>
        )}
      </div>
      {count > 0 && open && (
        <ul role="list">
          {errors.map((p, i) => (
            <li key={i}>
              <button type="button" className="problems-item" onClick={() => p.nodeId && onPick(p.nodeId)}>
                {p.nodeId && <strong>{nameOf(p.nodeId)}: </strong>}
                {p.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
