import { formatPath } from './problems.js';

/**
 * How deep JSON may nest wherever Trellis reads it: request bodies, flows, run inputs, mock
 * scripts, vars. Serialising, template walking and schema checks recurse, and a document nested
 * thousands of levels deep would overflow the stack; no real flow comes near 64 levels (the
 * bundled examples stay under 15), while the stack holds thousands.
 */
export const MAX_JSON_DEPTH = 64;

/** A value nested deeper than the limit: where, and the limit it broke. */
export interface TooDeep {
  /** The path to the first object or array past the limit. */
  path: (string | number)[];
  limit: number;
}

interface Frame {
  value: object;
  depth: number;
  key?: string | number;
  parent?: Frame;
}

/**
 * The first object or array nested deeper than `limit` (the outermost one is level 1), or
 * undefined. Walks with its own stack, never recursing, so any depth is safe to check, and it
 * stops descending at the limit, so even a value that refers to itself ends.
 */
export function findTooDeep(value: unknown, limit = MAX_JSON_DEPTH): TooDeep | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const stack: Frame[] = [{ value, depth: 1 }];
  for (let frame = stack.pop(); frame; frame = stack.pop()) {
    if (frame.depth > limit) return { path: pathOf(frame), limit };
    const children: Iterable<[string | number, unknown]> = Array.isArray(frame.value) ? frame.value.entries() : Object.entries(frame.value);
    for (const [key, child] of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: frame.depth + 1, key, parent: frame });
    }
  }
  return undefined;
}

function pathOf(frame: Frame): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Frame | undefined = frame; at?.key !== undefined; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * How deep JSON text nests, counted from its brackets outside strings, without parsing it: a
 * cheap first look at a request body. Equals the nesting of the parsed value when the text is
 * valid JSON.
 */
export function jsonTextDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // a backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

/**
 * One sentence naming what nests too deep and the limit, e.g.
 * `input.a.b.c.d.e.f… nests deeper than 64 levels, the limit`. Long paths are cut short.
 */
export function describeTooDeep(what: string, found: TooDeep): string {
  const shown = found.path.slice(0, 6);
  const where = [what, formatPath(shown)].filter(Boolean).join(shown.length && typeof shown[0] === 'string' ? '.' : '');
  return `${where}${found.path.length > shown.length ? '…' : ''} nests deeper than ${found.limit} levels, the limit`;
}
