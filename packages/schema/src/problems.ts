import { z } from 'zod';

export const PROBLEM_CODES = [
  'invalid_json',
  'not_a_flow',
  'unsupported_version',
  'invalid_flow',
  'duplicate_id',
  'unknown_kind',
  'invalid_config',
  'dangling_edge',
  'unknown_handle',
  'incompatible_ports',
  'no_input',
  'multiple_inputs',
  'unreachable',
  'cycle',
  'invalid_expression',
  'invalid_template',
  'unknown_variable',
  'invalid_wiring',
  'invalid_body',
  'unwired_outcome',
  'invalid_case',
] as const;
export const ProblemCode = z.enum(PROBLEM_CODES);
export type ProblemCode = z.infer<typeof ProblemCode>;

/** One thing wrong with a flow, said so a person can fix it. */
export const Problem = z
  .object({
    severity: z.enum(['error', 'warning']),
    code: ProblemCode,
    message: z.string(),
    nodeId: z.string().optional(),
    edgeId: z.string().optional(),
    /** Where in the document, e.g. ['nodes', 2, 'config', 'branches', 0, 'when']. */
    path: z.array(z.union([z.string(), z.number()])),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

/** A problem a kind's own check reports; the loader adds the node id and the path prefix. */
export type KindProblem = Omit<Problem, 'nodeId' | 'edgeId' | 'path' | 'severity'> & {
  severity?: Problem['severity'];
  /** Path inside the node's config. */
  path?: (string | number)[];
};

export function formatPath(path: (string | number)[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out;
}

/** One line per problem, for terminals and logs. */
export function formatProblem(p: Problem): string {
  const where = p.nodeId ? `node "${p.nodeId}"` : p.edgeId ? `edge "${p.edgeId}"` : 'flow';
  const at = p.path.length ? ` (at ${formatPath(p.path)})` : '';
  return `${p.severity}: ${where}: ${p.message}${at}`;
}
