import { errorMessage } from '@trellis/schema';
/** JSON typed by a person: parsed with an error they can act on, printed the way they read it. */

export type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

/** Empty text means "no value": the field's key is removed. */
export function parseJsonText(text: string): Parsed {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: describeJsonError(text, error) };
  }
}

/** V8 names a position ("at position 12"); a line and column is what an editor shows. */
function describeJsonError(text: string, error: unknown): string {
  const message = errorMessage(error);
  if (/line \d+ column \d+/.test(message)) return message;
  const at = /at position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message.replace(/\s*at position \d+.*$/, '')} at line ${line}, column ${column}`;
}

export function formatJson(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}
