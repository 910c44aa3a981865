/**
 * A side-by-side line diff of two prompt versions, as rows a table shows: the older text on
 * the left, the newer on the right. A run of removed lines followed by a run of added ones is
 * paired up row by row, so a changed line reads across; what is left over faces an empty cell.
 */
import { diffLines } from 'diff';

export type LineKind = 'same' | 'removed' | 'added';

export interface DiffLine {
  /** 1-based line number in its own version. */
  number: number;
  text: string;
  kind: LineKind;
}

export interface DiffRow {
  left?: DiffLine;
  right?: DiffLine;
}

export interface TextDiff {
  rows: DiffRow[];
  added: number;
  removed: number;
}

/** The lines of a change's text; the final newline ends the last line rather than starting an empty one. */
function linesOf(value: string): string[] {
  if (value === '') return [];
  return value.replace(/\r?\n$/, '').split(/\r?\n/);
}

export function diffRows(before: string, after: string): TextDiff {
  // A missing newline at the very end is not worth a removed-and-added line.
  const changes = diffLines(before, after, { ignoreNewlineAtEof: true });
  const rows: DiffRow[] = [];
  let leftNumber = 0;
  let rightNumber = 0;
  let added = 0;
  let removed = 0;
  let pendingRemoved: DiffLine[] = [];
  let pendingAdded: DiffLine[] = [];

  const flush = () => {
    for (let i = 0; i < Math.max(pendingRemoved.length, pendingAdded.length); i++) {
      const left = pendingRemoved[i];
      const right = pendingAdded[i];
      rows.push({ ...(left ? { left } : {}), ...(right ? { right } : {}) });
    }
    pendingRemoved = [];
    pendingAdded = [];
  };

  for (const change of changes) {
    const lines = linesOf(change.value);
    if (change.removed) {
      for (const text of lines) pendingRemoved.push({ number: ++leftNumber, text, kind: 'removed' });
      removed += lines.length;
    } else if (change.added) {
      for (const text of lines) pendingAdded.push({ number: ++rightNumber, text, kind: 'added' });
      added += lines.length;
    } else {
      flush();
      for (const text of lines) rows.push({ left: { number: ++leftNumber, text, kind: 'same' }, right: { number: ++rightNumber, text, kind: 'same' } });
    }
  }
  flush();
  return { rows, added, removed };
}

/** "2 lines added, 1 removed" — what the diff amounts to, in words. */
export function diffSummary(diff: Pick<TextDiff, 'added' | 'removed'>): string {
  if (diff.added === 0 && diff.removed === 0) return 'The templates are the same.';
  const lines = (n: number) => `${n} line${n === 1 ? '' : 's'}`;
  const parts = [diff.added ? `${lines(diff.added)} added` : '', diff.removed ? `${lines(diff.removed)} removed` : ''].filter(Boolean);
  return `${parts.join(', ')}.`;
}

/** What changed in the tags between two versions. */
export function tagChanges(before: readonly string[], after: readonly string[]): { added: string[]; removed: string[] } {
  return { added: after.filter((t) => !before.includes(t)), removed: before.filter((t) => !after.includes(t)) };
}
