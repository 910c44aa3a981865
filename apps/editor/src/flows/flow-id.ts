/** Flow ids appear in URLs and API paths, so a new one is made from the name: lowercase words joined by `-`. */
const MAX_ID = 64;
/** Room left for a `-NNN` suffix when the id is taken. */
const SUFFIX_ROOM = 4;

/**
 * A url-safe id from any name: accents dropped, lowercase letters and digits joined by `-`,
 * starting with a letter as the flow format requires (`flow` when nothing is left).
 */
export function slugify(name: string): string {
  const plain = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  let slug = plain.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (!slug) return 'flow';
  if (!/^[a-z]/.test(slug)) slug = `flow-${slug}`;
  return slug.slice(0, MAX_ID - SUFFIX_ROOM).replace(/-+$/, '');
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
