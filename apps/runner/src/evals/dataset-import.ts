// CSV and JSONL files as dataset rows: columns mapped to the input (typed by the flow's input
// schema), every problem named by its row and field, nothing imported when one row is wrong.
import { parse } from 'csv-parse/sync';
import { DATASET_ROWS_MAX, DatasetRow, TrellisError, formatPath } from '@trellis/schema';
import { schemaProblems } from '@trellis/nodes/server';

export interface ImportOptions {
  format: 'csv' | 'jsonl';
  text: string;
  /** Where each CSV column goes: `input.<field>`, `input`, `expected`, `expected.<field>`, `metadata.<key>`, `skip`. */
  columns?: Record<string, string> | undefined;
  /** The flow's input schema: CSV values are typed by it, and every row's input is checked against it. */
  inputSchema?: Record<string, unknown> | undefined;
  /** Names the file in sources and messages (`tickets.csv`). */
  name?: string;
}

/** A problem of one row, as the API lists it. */
export interface RowProblem {
  row: number;
  field?: string;
  message: string;
}

const MAX_PROBLEMS = 20;

/** The rows of a file, or `invalid_dataset` naming each problem (the first 20) by row and field. */
export function importRows(options: ImportOptions): DatasetRow[] {
  const problems: RowProblem[] = [];
  const rows = options.format === 'csv' ? csvRows(options, problems) : jsonlRows(options, problems);
  if (rows.length > DATASET_ROWS_MAX) problems.push({ row: DATASET_ROWS_MAX + 1, message: `a dataset holds at most ${DATASET_ROWS_MAX} rows; the file has ${rows.length}` });
  if (options.inputSchema && !problems.length) {
    rows.forEach((row, i) => {
      for (const p of schemaProblems(row.input ?? {}, options.inputSchema!, 'the input')) problems.push({ row: i + 1, field: `input${p.path ? `.${p.path}` : ''}`, message: p.message });
    });
  }
  if (problems.length) {
    const [first] = problems;
    const where = (p: RowProblem) => `row ${p.row}${p.field ? `, ${p.field}` : ''}`;
    throw new TrellisError('invalid_dataset', `the file has ${problems.length}${problems.length > MAX_PROBLEMS ? '+' : ''} problem${problems.length === 1 ? '' : 's'}; ${where(first!)}: ${first!.message}`, {
      details: { problems: problems.slice(0, MAX_PROBLEMS).map((p) => ({ ...p, path: where(p) })) },
    });
  }
  if (!rows.length) throw new TrellisError('invalid_dataset', 'the file has no rows');
  return rows;
}

function csvRows(options: ImportOptions, problems: RowProblem[]): DatasetRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(options.text, { columns: true, bom: true, skip_empty_lines: true, info: true, relax_column_count: false }) as typeof records;
  } catch (error) {
    const { lines } = error as { lines?: number };
    problems.push({ row: lines ?? 0, message: `this is not a CSV file this can read: ${(error as Error).message}` });
    return [];
  }
  const properties = ((options.inputSchema?.properties ?? {}) as Record<string, { type?: unknown }>);
  const header = records[0] ? Object.keys(records[0].record) : [];
  for (const [column, target] of Object.entries(options.columns ?? {})) {
    if (!header.includes(column)) problems.push({ row: 0, field: `columns.${column}`, message: `the file has no column "${column}" (it has: ${header.map((h) => `"${h}"`).join(', ')})` });
    if (!/^(skip|input|expected|(input|expected|metadata)\.[^.].*)$/.test(target)) problems.push({ row: 0, field: `columns.${column}`, message: `"${target}" is not a place a column can go: use input.<field>, input, expected, expected.<field>, metadata.<key> or skip` });
  }
  if (problems.length) return [];
  return records.map(({ record, info }, i) => {
    const row: DatasetRow & { input: Record<string, unknown> | unknown } = { input: {}, source: `${options.name ?? 'CSV'} line ${info.lines}` };
    for (const [column, text] of Object.entries(record)) {
      const target = options.columns?.[column] ?? (column === 'expected' ? 'expected' : `input.${column}`);
      if (target === 'skip' || text === '') continue;
      const [place, ...rest] = target.split('.');
      const key = rest.join('.');
      const type = place === 'input' && key ? properties[key]?.type : undefined;
      let value: unknown;
      try {
        value = typed(text, type);
      } catch (error) {
        problems.push({ row: i + 1, field: `column "${column}"`, message: (error as Error).message });
        continue;
      }
      if (place === 'metadata') row.metadata = { ...row.metadata, [key]: value };
      else if (!key) row[place as 'input' | 'expected'] = value;
      else row[place as 'input' | 'expected'] = { ...(row[place as 'input' | 'expected'] as Record<string, unknown> | undefined), [key]: value };
    }
    return row;
  });
}

/** A CSV cell as the input schema types its field: numbers, booleans and JSON parsed; text as it is. */
function typed(text: string, type: unknown): unknown {
  const types = Array.isArray(type) ? type : [type];
  if (types.includes('integer') || types.includes('number')) {
    const n = Number(text.trim());
    if (text.trim() === '' || !Number.isFinite(n)) throw new Error(`"${text}" is not a number`);
    if (types.includes('integer') && !types.includes('number') && !Number.isInteger(n)) throw new Error(`"${text}" is not a whole number`);
    return n;
  }
  if (types.includes('boolean')) {
    const t = text.trim().toLowerCase();
    if (['true', 'yes', '1'].includes(t)) return true;
    if (['false', 'no', '0'].includes(t)) return false;
    throw new Error(`"${text}" is not true or false`);
  }
  if (types.includes('object') || types.includes('array')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`"${text.slice(0, 60)}" is not JSON (the field is ${types.includes('array') ? 'a list' : 'an object'})`);
    }
  }
  if (type !== undefined) return text;
  // A column without a declared type: JSON when it reads as a JSON object or list, text otherwise.
  if (/^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function jsonlRows(options: ImportOptions, problems: RowProblem[]): DatasetRow[] {
  const rows: DatasetRow[] = [];
  const lines = options.text.split(/\r?\n/);
  // A row is a line that is not blank, counted whether or not it reads.
  let row = 0;
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      problems.push({ row, message: `line ${i + 1} is not valid JSON: ${(error as Error).message}` });
      return;
    }
    const source = `${options.name ?? 'JSONL'} line ${i + 1}`;
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'input' in value) {
      const parsed = DatasetRow.safeParse({ source, ...value });
      if (!parsed.success) {
        for (const issue of parsed.error.issues.slice(0, 3)) problems.push({ row, field: formatPath(issue.path as (string | number)[]) || undefined, message: issue.message } as RowProblem);
        return;
      }
      rows.push(parsed.data);
    } else rows.push({ input: value, source });
  });
  return rows;
}
