/** "Try it": which versions to run, the test provider's reply, and the results as a grid. */
import { errorMessage, MockReply, type TryPromptResult } from '@trellis/schema';

/** The draft (the editor's unsaved template) is tried as version 0. */
export const DRAFT = 0;

export const versionLabel = (version: number) => (version === DRAFT ? 'Unsaved draft' : `Version ${version}`);

export interface TryTargets {
  /** Saved versions, for the request. */
  versions: number[];
  /** The draft's template, when it is tried. */
  draft?: string;
  /** Every column in the order chosen, the draft as 0. */
  order: number[];
}

/** The chosen versions (`undefined` for an empty choice), without repeats. */
export function tryTargets(choices: ReadonlyArray<number | undefined>, draftTemplate: string): TryTargets {
  const order = [...new Set(choices.filter((c): c is number => c !== undefined))];
  const versions = order.filter((v) => v !== DRAFT);
  return { versions, order, ...(order.includes(DRAFT) ? { draft: draftTemplate } : {}) };
}

const MockReplies = MockReply.or(MockReply.array().min(1));

/** The test provider's reply as typed: empty for none, else a reply (or a list of them) in JSON. */
export function parseMock(text: string): { ok: true; mock?: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `The mock reply is not valid JSON: ${errorMessage(e)}` };
  }
  const checked = MockReplies.safeParse(parsed);
  if (!checked.success) return { ok: false, error: 'The mock reply must be like {"text": "…"} or {"object": {…}} (or a list of such replies, one per call).' };
  return { ok: true, mock: checked.data };
}

export interface TryRow {
  label: string;
  /** One cell per column, in the grid's order. */
  cells: Array<TryPromptResult | undefined>;
}

export interface TryGrid {
  columns: number[];
  rows: TryRow[];
  /** True when the test provider answered any of them. */
  testProvider: boolean;
}

/** The results with one row per sample and one column per version, columns in the order asked for. */
export function tryGrid(results: readonly TryPromptResult[], order: readonly number[]): TryGrid {
  const columns = [...order, ...new Set(results.map((r) => r.version).filter((v) => !order.includes(v)))];
  const samples = [...new Set(results.map((r) => r.sample))].sort((a, b) => a - b);
  const rows = samples.map((sample, i) => ({
    label: `Sample ${i + 1}`,
    cells: columns.map((version) => results.find((r) => r.sample === sample && r.version === version)),
  }));
  return { columns, rows, testProvider: results.some((r) => r.testProvider) };
}
