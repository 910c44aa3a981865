/** The list editing behind a condition's branches: pure, so the rules are easy to test. */
import { ELSE_BRANCH } from '@trellis/nodes';
import { ID_PATTERN, type FlowEdge } from '@trellis/schema';

export interface Branch {
  id: string;
  label?: string;
  when: string;
}

/** Reads the branches of a config as they are, tolerating a list half-edited by hand. */
export function readBranches(value: unknown): Branch[] {
  if (!Array.isArray(value)) return [];
  return value.map((raw) => {
    const b = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const branch: Branch = { id: typeof b.id === 'string' ? b.id : '', when: typeof b.when === 'string' ? b.when : '' };
    if (typeof b.label === 'string') branch.label = b.label;
    return branch;
  });
}

/** `branch`, `branch-2`, … : the first id no other branch (nor `else`) has. */
export function uniqueBranchId(branches: readonly Branch[], base = 'branch'): string {
  const taken = new Set([...branches.map((b) => b.id), ELSE_BRANCH]);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return [...list];
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  return next;
}

/**
 * Edges that leave this condition from a handle no branch has any more (a branch renamed or
 * removed): they no longer attach, and the flow will not run until they are rewired.
 */
export function danglingBranchEdges(nodeId: string, branches: readonly Branch[], edges: readonly FlowEdge[]): FlowEdge[] {
  const handles = new Set([...branches.map((b) => b.id), ELSE_BRANCH]);
  return edges.filter((e) => e.source === nodeId && !handles.has(e.sourceHandle));
}

/** Ids used twice or the reserved `else`: the loader refuses them, the form says so at once. */
export function branchIdProblem(branches: readonly Branch[], index: number): string | undefined {
  const id = branches[index]?.id ?? '';
  if (id.trim() === '') return 'the branch needs an id (it names the handle its wire leaves from)';
  if (id === ELSE_BRANCH) return '"else" is the fallback branch; give this branch another id';
  // A branch id is a handle id, which the condition kind reads as an `Id`.
  if (!ID_PATTERN.test(id)) return 'start with a letter or _ and use only letters, digits, _ and -';
  if (branches.findIndex((b) => b.id === id) !== index) return `another branch has the id "${id}"`;
  return undefined;
}
