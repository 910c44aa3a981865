import { HANDLE_MAX_LENGTH, handleFrom } from '@trellis/schema';

// Flow ids appear in URLs and API paths, so a new one is made from the name: lowercase words joined by `-`.

/** Room left for a `-NNN` suffix when the id is taken. */
const SUFFIX_ROOM = 4;

/**
 * A url-safe id from any name, by the rule flows and prompts share (`handleFrom` in
 * @trellis/schema): accents dropped, lowercase letters and digits joined by `-`, starting with a
 * letter (`flow` when nothing is left), with room for a `-NNN` suffix.
 */
export function slugify(name: string): string {
  return handleFrom(name, 'flow', HANDLE_MAX_LENGTH - SUFFIX_ROOM);
}

/** The slug of `name`, or the first of `slug-2`, `slug-3`, … that no flow in `taken` has. */
export function uniqueFlowId(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  const base = slugify(name);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!used.has(id)) return id;
  }
}
