/**
 * The import dialog's pure parts: a CSV file's header columns, where each goes by default, the
 * mapping the runner is sent, and the runner's problems named by row and field.
 */

export type ImportFormat = 'csv' | 'jsonl';

/** The format a file's name says (`.csv`, `.jsonl`/`.ndjson`); undefined when it says neither. */
export function formatOfFile(name: string): ImportFormat | undefined {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.(jsonl|ndjson)$/i.test(name)) return 'jsonl';
  return undefined;
}

/** The format a pasted text looks like: JSONL when its first line is a JSON object, else CSV. */
export function guessFormat(text: string): ImportFormat {
  const first = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  return first.startsWith('{') ? 'jsonl' : 'csv';
}

/** The columns of a CSV's first record (quotes, doubled quotes and a quoted comma understood); [] for an empty text. */
export function csvHeader(text: string): string[] {
  const body = text.replace(/^\uFEFF/, '');
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else if (c === '\n' || c === '\r') break;
    else cell += c;
  }
  if (cell.trim() !== '' || cells.length) cells.push(cell.trim());
  return cells.filter((c, i) => c !== '' || i < cells.length - 1);
}

/** Where a column can go, as the runner spells it, with words for the select. */
export interface Target {
  value: string;
  label: string;
}

/** The places a column can go: each input field of the flow (and the column's own name), the whole input, the expected value or one of its fields, metadata, or nowhere. */
export function targetsFor(column: string, inputFields: readonly string[]): Target[] {
  const fields = [...new Set([...inputFields, column])];
  return [
    ...fields.map((f) => ({ value: `input.${f}`, label: `Input field “${f}”` })),
    { value: 'input', label: 'The whole input (JSON)' },
    { value: 'expected', label: 'Expected output' },
    { value: `expected.${column}`, label: `Expected field “${column}”` },
    { value: `metadata.${column}`, label: `Metadata “${column}”` },
    { value: 'skip', label: 'Skip this column' },
  ];
}

/** Where the runner puts a column no mapping names: `expected` for a column of that name, else the input field of its name. */
export function defaultTarget(column: string, inputFields: readonly string[]): string {
  if (column === 'expected' || column === 'input') return column;
  if (/^(input|expected|metadata)\.[^.]/.test(column)) return column;
  const field = inputFields.find((f) => f.toLowerCase() === column.toLowerCase());
  return `input.${field ?? column}`;
}

/** A mapping for the columns: each as chosen, else where it goes by default. */
export function mappingFor(columns: readonly string[], inputFields: readonly string[], chosen: Readonly<Record<string, string>> = {}): Record<string, string> {
  return Object.fromEntries(columns.map((c) => [c, chosen[c] ?? defaultTarget(c, inputFields)]));
}

/** The input fields no column goes to (a flow's required field left out is worth saying before the runner does). */
export function unmappedFields(mapping: Readonly<Record<string, string>>, inputFields: readonly string[]): string[] {
  const targets = new Set(Object.values(mapping));
  if (targets.has('input')) return [];
  return inputFields.filter((f) => !targets.has(`input.${f}`));
}

/** One problem of a file the runner refused: the row (1 the first data row; 0 the file or mapping as a whole), the field, what is wrong. */
export interface ImportProblem {
  row: number;
  field?: string;
  message: string;
}

/** The problems an `invalid_dataset` error's details name, in the runner's order; [] when it names none. */
export function importProblems(details: unknown): ImportProblem[] {
  const list = (details as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(list)) return [];
  return list.flatMap((p): ImportProblem[] => {
    const { row, field, message } = (p ?? {}) as { row?: unknown; field?: unknown; message?: unknown };
    if (typeof message !== 'string') return [];
    return [{ row: typeof row === 'number' ? row : 0, ...(typeof field === 'string' && field ? { field } : {}), message }];
  });
}

/** Where a problem is, in words: `Row 3, input.customerId`, or `The file` for row 0. */
export const problemPlace = (p: ImportProblem): string => `${p.row > 0 ? `Row ${p.row}` : 'The file'}${p.field ? `, ${p.field}` : ''}`;
