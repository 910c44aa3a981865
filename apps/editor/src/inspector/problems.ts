/**
 * Sorting a node's problems into the form: each under the field it is about, the rest at the
 * top of the inspector. A problem's path is `['nodes', <index>, 'config', …configPath]`.
 */
import type { Problem } from '@trellis/schema';
import { splitPath } from './paths';

/** The part of a problem's path inside the node's config, or undefined when it is not about the config. */
export function configPathOf(problem: Problem): (string | number)[] | undefined {
  const [root, , config, ...rest] = problem.path;
  return root === 'nodes' && config === 'config' ? rest : undefined;
}

function startsWith(path: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => String(path[i]) === String(key));
}

export interface SortedProblems {
  /** Field path → its problems, in the order found. */
  byField: Map<string, Problem[]>;
  /** Problems no shown field claims: about the node as a whole, its wiring, or a hidden field. */
  rest: Problem[];
}

/**
 * A field claims a problem inside it (`prompt.template` claims `['prompt','template']`) and one
 * about the object that holds it (`['prompt']`: "expected an object"), so the message shows
 * where the person can fix it. The first field that claims a problem gets it.
 */
export function sortProblems(problems: readonly Problem[], fieldPaths: readonly string[]): SortedProblems {
  const byField = new Map<string, Problem[]>();
  const rest: Problem[] = [];
  const fields = fieldPaths.map((path) => ({ path, keys: splitPath(path) }));
  for (const problem of problems) {
    const at = configPathOf(problem);
    const field = at && at.length > 0 ? fields.find((f) => startsWith(at, f.keys) || startsWith(f.keys, at)) : undefined;
    if (field) byField.set(field.path, [...(byField.get(field.path) ?? []), problem]);
    else rest.push(problem);
  }
  return { byField, rest };
}
