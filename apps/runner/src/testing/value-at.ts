/**
 * The value at a dot path (`reply.items.0`), as cases' assertions and experiments' scorers read
 * outputs and expectations: a segment of digits indexes a list, any other names a field of an
 * object. When there is nothing there, `missing` is the path up to the first segment that found nothing.
 */
export function valueAt(value: unknown, path: string): { found: true; value: unknown } | { found: false; missing: string } {
  let here = value;
  const walked: string[] = [];
  for (const segment of path.split('.')) {
    if (Array.isArray(here) && /^\d+$/.test(segment)) here = here[Number(segment)];
    else if (typeof here === 'object' && here !== null && !Array.isArray(here) && Object.hasOwn(here, segment)) here = (here as Record<string, unknown>)[segment];
    else here = undefined;
    walked.push(segment);
    if (here === undefined) return { found: false, missing: walked.join('.') };
  }
  return { found: true, value: here };
}
