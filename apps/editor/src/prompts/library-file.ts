import { errorMessage, type PromptImportResult, type PromptLibraryFile } from '@trellis/schema';

export const LIBRARY_FILE_NAME = 'trellis-prompts.json';

/** The library file as a person reads it: two-space indent, a final newline. */
export const libraryText = (file: PromptLibraryFile) => `${JSON.stringify(file, null, 2)}\n`;

/** A file's text, when it is a library file (checked in detail by the runner), or why not, in words. */
export function readLibraryFile(text: string): { ok: true; file: PromptLibraryFile } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `it is not JSON (${errorMessage(e)})` };
  }
  const schema = (parsed as { schema?: unknown } | null)?.schema;
  if (typeof parsed !== 'object' || parsed === null || schema !== 'trellis.prompts/v1') {
    return { ok: false, error: 'it is not a Trellis prompt library (its "schema" should be "trellis.prompts/v1"; flow files are imported on the Flows page)' };
  }
  return { ok: true, file: parsed as PromptLibraryFile };
}

const count = (n: number, what: string) => `${n} prompt${n === 1 ? '' : 's'} ${what}`;
const named = (names: readonly string[]) => (names.length ? ` (${names.join(', ')})` : '');

/** "1 prompt created (a), 0 prompts updated, 2 prompts unchanged (b, c)". */
export function describeImport(result: PromptImportResult): string {
  return [count(result.created.length, 'created') + named(result.created), count(result.updated.length, 'updated') + named(result.updated), count(result.unchanged.length, 'unchanged') + named(result.unchanged)].join(', ');
}

/** "3 prompts, 7 versions". */
export function describeExport(file: PromptLibraryFile): string {
  const versions = file.prompts.reduce((n, p) => n + p.versions.length, 0);
  return `${file.prompts.length} prompt${file.prompts.length === 1 ? '' : 's'}, ${versions} version${versions === 1 ? '' : 's'}`;
}
