import { memo, useState, type ReactNode } from 'react';
import { roundStatus, type Round, type Step, type StepStatus } from './trace';

/** Rounds shown at first, and added by each "show more": a map over 1,000 items stays light. */
export const ROUND_PAGE = 20;
/** Up to this many rounds open by themselves; past it a person opens the ones they want. */
const OPEN_BY_DEFAULT = 5;

/** "item 3" for a map (items count from 0, as `index` does), "round 2" for a loop (from 1, as `iteration`). */
export function roundLabel(kind: string | undefined, key: number): string {
  return `${kind === 'loop' ? 'round' : 'item'} ${key}`;
}

/** "3 items: 2 succeeded, 1 failed". */
export function roundSummary(kind: string | undefined, rounds: readonly Round[]): string {
  const counts = new Map<StepStatus, number>();
  for (const round of rounds) {
    const status = roundStatus(round);
    counts.set(status, (counts.get(status) ?? 0) + 1);
  }
  const noun = kind === 'loop' ? 'round' : 'item';
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${rounds.length} ${noun}${rounds.length === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

interface Props {
  container: Step;
  /** Draws the steps of one round (the trace's own step list, so bodies nest to any depth). */
  renderSteps: (steps: Step[], label: string) => ReactNode;
}

/**
 * A container step's body, grouped by round: a page of rounds at a time, each opened on demand
 * (only an open round draws its steps), and a picker to go straight to any one round.
 */
export const RoundList = memo(function RoundList({ container, renderSteps }: Props) {
  const rounds = container.rounds ?? [];
  const [shown, setShown] = useState(ROUND_PAGE);
  const [toggled, setToggled] = useState<ReadonlyMap<number, boolean>>(new Map());
  const [picked, setPicked] = useState<number | undefined>();
  const [pick, setPick] = useState('');
  const noun = container.kind === 'loop' ? 'round' : 'item';
  const name = container.nodeId;

  const isOpen = (round: Round) => {
    const status = roundStatus(round);
    return toggled.get(round.key) ?? (rounds.length <= OPEN_BY_DEFAULT || status === 'failed' || status === 'waiting');
  };
  const toggle = (round: Round) => setToggled((prev) => new Map(prev).set(round.key, !isOpen(round)));
  const visible = rounds.slice(0, shown);
  // A round picked beyond the page is drawn on its own, above the page, rather than drawing every round before it.
  const pickedRound = picked === undefined ? undefined : rounds.find((r) => r.key === picked);
  const pickedApart = pickedRound && !visible.includes(pickedRound) ? pickedRound : undefined;
  const missing = picked !== undefined && !pickedRound;

  const row = (round: Round) => {
    const status = roundStatus(round);
    const label = roundLabel(container.kind, round.key);
    const open = isOpen(round);
    return (
      <li key={round.key} className={`round ${status}${round.key === picked ? ' picked' : ''}`}>
        <button type="button" className="round-toggle" aria-expanded={open} aria-label={`${label} of ${name}: ${status}`} onClick={() => toggle(round)}>
          <span aria-hidden="true">{open ? '▾' : '▸'}</span> {label} <span className="round-status">{status}</span>
          <span className="round-count">{round.steps.length} step{round.steps.length === 1 ? '' : 's'}</span>
        </button>
        {open && renderSteps(round.steps, `Steps of ${label} of ${name}`)}
      </li>
    );
  };

  return (
    <div className="rounds">
      <p className="note">{roundSummary(container.kind, rounds)}</p>
      {rounds.length > OPEN_BY_DEFAULT && (
        <form
          className="round-picker"
          onSubmit={(event) => {
            event.preventDefault();
            const key = Number(pick);
            if (pick.trim() === '' || !Number.isInteger(key)) return;
            setPicked(key);
            setToggled((prev) => new Map(prev).set(key, true));
          }}
        >
          <label>
            Go to {noun} <input type="number" value={pick} onChange={(e) => setPick(e.target.value)} aria-label={`${noun} number of ${name}`} />
          </label>
          <button type="submit">Show {noun}</button>
          {missing && <span role="status" className="note">No {noun} {picked} ran (yet)</span>}
        </form>
      )}
      {pickedApart && <ol className="round-list" aria-label={`Picked ${noun} of ${name}`}>{row(pickedApart)}</ol>}
      <ol className="round-list" aria-label={`${noun === 'item' ? 'Items' : 'Rounds'} of ${name}`}>
        {visible.map(row)}
      </ol>
      {rounds.length > shown && (
        <button type="button" className="round-more" onClick={() => setShown((n) => n + ROUND_PAGE)}>
          Show {Math.min(ROUND_PAGE, rounds.length - shown)} more {noun}s ({rounds.length - shown} not shown)
        </button>
      )}
    </div>
  );
});
