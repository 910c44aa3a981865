/**
 * Dotted paths into a node's config (`prompt.template`, `http.method`), as the kinds' field
 * hints name them. Setting returns a new config and leaves the old one untouched, because the
 * store's history keeps the old one and `updateNode` replaces the config whole.
 */

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function splitPath(path: string): string[] {
  return path.split('.').filter(Boolean);
}

export function getPath(config: unknown, path: string): unknown {
  let at: unknown = config;
  for (const key of splitPath(path)) {
    if (!isRecord(at)) return undefined;
    at = at[key];
  }
  return at;
}

/**
 * A copy of `config` with the value at `path` replaced. `undefined` removes the key, and then
 * any object on the way that became empty, so clearing "Structured output" leaves no `output: {}`
 * behind. Objects on the way that do not exist yet are created. The config itself is never
 * removed: the result is always an object.
 */
export function setPath(config: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const keys = splitPath(path);
  if (keys.length === 0) return isRecord(value) ? value : config;
  const set = (at: Record<string, unknown>, i: number): Record<string, unknown> | undefined => {
    const key = keys[i]!;
    const copy = { ...at };
    if (i === keys.length - 1) {
      if (value === undefined) delete copy[key];
      else copy[key] = value;
    } else {
      const inner = set(isRecord(at[key]) ? at[key] : {}, i + 1);
      if (inner === undefined) delete copy[key];
      else copy[key] = inner;
    }
    return Object.keys(copy).length === 0 && i > 0 ? undefined : copy;
  };
  return set(config, 0) ?? {};
}

/** Structural equality of JSON-like values (key order of objects does not matter). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    const other = Object.keys(b).filter((k) => b[k] !== undefined);
    return keys.length === other.length && keys.every((k) => sameValue(a[k], b[k]));
  }
  return false;
}

/** Whether a field hint's `showWhen` lets it show for this config. */
export function isShown(hint: { showWhen?: { path: string; equals: readonly unknown[] } }, config: unknown): boolean {
  if (!hint.showWhen) return true;
  const current = getPath(config, hint.showWhen.path);
  return hint.showWhen.equals.some((v) => sameValue(v, current));
}
