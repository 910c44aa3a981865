import { cleanTitle, TITLE_MAX_LENGTH, type Flow } from '@trellis/schema';

/** The flow format's limit on a name. */
const MAX_NAME = TITLE_MAX_LENGTH;

/** A deep copy of `doc` under another id and name; nothing else changes (nodes, samples, vars…). */
export function copyOf(doc: Flow, id: string, name: string): Flow {
  return { ...structuredClone(doc), id, name };
}

/** The name a duplicate gets: `Support triage (copy)`, kept within the format's limit. */
export function copyName(name: string): string {
  const suffix = ' (copy)';
  return `${name.slice(0, MAX_NAME - suffix.length)}${suffix}`;
}

/** A name a person typed, trimmed; or why it cannot be a flow's name (the words prompts use too: `cleanTitle`). */
export const cleanName = (typed: string) => cleanTitle('flow', typed);
