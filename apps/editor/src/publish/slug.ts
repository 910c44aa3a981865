// The runner's own rule (packages/schema), so the editor explains a slug before the runner refuses it.
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '@trellis/schema';

/** What is wrong with `slug` as an endpoint name, in words; undefined when it is fine. */
export function slugProblem(slug: string): string | undefined {
  if (slug === '') return 'Enter a slug: it becomes the endpoint path /v1/flows/<slug>.';
  if (slug.length > SLUG_MAX_LENGTH) return `A slug has at most ${SLUG_MAX_LENGTH} characters (this one has ${slug.length}).`;
  if (!SLUG_PATTERN.test(slug)) {
    const bad = [...new Set(slug.replace(/[a-z0-9-]/g, ''))].map((c) => (c === ' ' ? 'space' : `"${c}"`));
    if (bad.length) return `Use lowercase letters, digits and "-" only (not ${bad.join(', ')}).`;
    return 'Start the slug with a lowercase letter or a digit, not "-".';
  }
  return undefined;
}

/**
 * A valid slug close to a flow id: flow ids may hold capitals and "_" (e.g. "Support_Triage"),
 * slugs may not. Falls back to "flow" when nothing usable is left.
 */
export function suggestSlug(flowId: string): string {
  const slug = flowId
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+/, '')
    .slice(0, SLUG_MAX_LENGTH)
    .replace(/-+$/, '');
  return slug || 'flow';
}
