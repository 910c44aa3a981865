import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { expressionSyntaxError } from '../../lib/expression.js';
import { containerPolicy } from '../../lib/policy.js';

/** A loop repeats its body at most this often: every round may cost model calls. */
export const MAX_LOOP_ITERATIONS = 100;

export const LoopConfig = z.object({
  /** Required: the bound that ends the loop when its condition never holds. */
  maxIterations: z
    .number({ error: 'say how many rounds at most (1-100)' })
    .int()
    .min(1, 'must be at least 1')
    .max(MAX_LOOP_ITERATIONS, `must be at most ${MAX_LOOP_ITERATIONS}`),
  /**
   * A CEL expression checked after each round, over the scope plus `output` (what the round
   * gave) and `iteration`: the loop ends once it is true, e.g. `output.verdict == 'pass'`.
   */
  until: z.string().min(1, "say when the loop is done, e.g. output.verdict == 'pass'").max(2_000),
});
export type LoopConfig = z.infer<typeof LoopConfig>;

export const loopSpec = defineKind<LoopConfig>({
  type: 'loop',
  version: 1,
  label: 'Loop',
  description: 'Repeats the steps inside it until a condition holds or the round limit is reached; gives the last round\'s output.',
  category: 'logic',
  configSchema: LoopConfig,
  container: { scope: ['iteration', 'previous'] },
  defaults: () => ({ maxIterations: 3, until: "output.verdict == 'pass'" }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [{ id: 'out', label: 'Last round', type: 'data' }],
  }),
  check: (config) => {
    const problems: KindProblem[] = [];
    const syntax = expressionSyntaxError(config.until);
    if (syntax) problems.push({ code: 'invalid_expression', path: ['until'], message: `until: ${syntax}` });
    return problems;
  },
  fields: [
    { path: 'until', label: 'Until', widget: 'expression', help: "Checked after each round over output (the round's result) and iteration, e.g. output.verdict == 'pass'." },
    { path: 'maxIterations', label: 'At most rounds', widget: 'number', help: 'Required, 1-100. Inside, steps see iteration and previous.' },
  ],
  defaultPolicy: containerPolicy,
});
