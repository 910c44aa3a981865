/**
 * A flow's `vars` as the settings dialog edits them: one row per variable, its value written as
 * text (a string) or as JSON (anything else), and back, with every problem named by its row.
 */

/** Templates and expressions read a variable as `vars.<name>`, so a name must be a plain word. */
export const VAR_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const VAR_NAME_MAX = 64;

export type VarKind = 'text' | 'json';

export interface VarRow {
  /** Stable while the dialog is open (React keys, focus), unlike the name, which is being edited. */
  id: number;
  name: string;
  kind: VarKind;
  /** The value as written: the text itself, or JSON. */
  value: string;
}

let nextRowId = 1;
export const newRowId = () => nextRowId++;

/** Strings as text; numbers, booleans, lists and objects as indented JSON. */
export function rowsFromVars(vars: Readonly<Record<string, unknown>> | undefined): VarRow[] {
  return Object.entries(vars ?? {}).map(([name, value]) =>
    typeof value === 'string' ? { id: newRowId(), name, kind: 'text', value } : { id: newRowId(), name, kind: 'json', value: JSON.stringify(value, null, 2) ?? 'null' },
  );
}

/** A new, empty row named after the first free `var1`, `var2`, … */
export function blankRow(rows: readonly VarRow[]): VarRow {
  const taken = new Set(rows.map((r) => r.name));
  let n = rows.length + 1;
  while (taken.has(`var${n}`)) n++;
  return { id: newRowId(), name: `var${n}`, kind: 'text', value: '' };
}

/** Switching a row between text and JSON keeps what it means where it can: `"hi"` ⇄ `hi`. */
export function switchKind(row: VarRow, kind: VarKind): VarRow {
  if (row.kind === kind) return row;
  if (kind === 'json') return { ...row, kind, value: JSON.stringify(row.value) };
  try {
    const parsed: unknown = JSON.parse(row.value);
    return { ...row, kind, value: typeof parsed === 'string' ? parsed : row.value };
  } catch {
    return { ...row, kind };
  }
}

/** What is wrong with one row's name, given the names of the rows before it. */
function nameProblem(name: string, earlier: ReadonlySet<string>): string | undefined {
  if (name === '') return 'Give the variable a name.';
  if (name.length > VAR_NAME_MAX) return `A variable's name is at most ${VAR_NAME_MAX} characters.`;
  if (!VAR_NAME_PATTERN.test(name)) return `“${name}” cannot be read as vars.${name}: use letters, digits and _, starting with a letter or _.`;
  if (earlier.has(name)) return `There is already a variable named “${name}”.`;
  return undefined;
}

export type VarsResult = { ok: true; vars: Record<string, unknown> } | { ok: false; errors: Map<number, string> };

/** The vars object the rows make, in their order; or each row's problem, by row id. */
export function varsFromRows(rows: readonly VarRow[]): VarsResult {
  const vars: Record<string, unknown> = {};
  const errors = new Map<number, string>();
  const seen = new Set<string>();
  for (const row of rows) {
    const name = row.name.trim();
    const problem = nameProblem(name, seen);
    seen.add(name);
    if (problem) {
      errors.set(row.id, problem);
      continue;
    }
    if (row.kind === 'text') {
      vars[name] = row.value;
      continue;
    }
    try {
      vars[name] = JSON.parse(row.value) as unknown;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      errors.set(row.id, `The value of “${name}” is not valid JSON (${why}); choose Text to keep it as words.`);
    }
  }
  return errors.size ? { ok: false, errors } : { ok: true, vars };
}
