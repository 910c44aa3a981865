import { Id } from '@trellis/schema';
import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { expressionSyntaxError } from '../../lib/expression.js';
import { pureStepPolicy } from '../../lib/policy.js';

export const ELSE_BRANCH = 'else';

export const ConditionConfig = z.object({
  /** Checked in order; the first whose expression is true fires, else `else`. */
  branches: z
    .array(
      z.object({
        id: Id,
        label: z.string().max(100).optional(),
        /** A CEL expression over the scope, e.g. `nodes.classify.output.category == 'billing'`. */
        when: z.string().min(1, 'the branch needs an expression'),
      }),
    )
    .min(1, 'a condition needs at least one branch')
    .max(50),
});
export type ConditionConfig = z.infer<typeof ConditionConfig>;

export const conditionSpec = defineKind<ConditionConfig>({
  type: 'condition',
  version: 1,
  label: 'Condition',
  description: 'Ordered branches, each an expression over the scope, plus else: exactly one fires.',
  category: 'logic',
  configSchema: ConditionConfig,
  defaults: () => ({ branches: [{ id: 'yes', label: 'Yes', when: "input.message != ''" }] }),
  ports: (config) => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      ...config.branches.map((b) => ({ id: b.id, label: b.label ?? b.id, type: 'data' as const })),
      { id: ELSE_BRANCH, label: 'Else', type: 'data' as const },
    ],
  }),
  check: (config) => {
    const problems: KindProblem[] = [];
    const seen = new Set<string>();
    config.branches.forEach((branch, i) => {
      if (branch.id === ELSE_BRANCH) {
        problems.push({ code: 'invalid_config', path: ['branches', i, 'id'], message: '"else" is the fallback branch; give this branch another id' });
      } else if (seen.has(branch.id)) {
        problems.push({ code: 'invalid_config', path: ['branches', i, 'id'], message: `two branches have the id "${branch.id}"` });
      }
      seen.add(branch.id);
      const syntax = expressionSyntaxError(branch.when);
      if (syntax) {
        problems.push({ code: 'invalid_expression', path: ['branches', i, 'when'], message: `branch "${branch.id}": ${syntax}` });
      }
    });
    return problems;
  },
  fields: [{ path: 'branches', label: 'Branches', widget: 'branches', help: "CEL expressions, e.g. nodes.classify.output.category == 'billing'" }],
  defaultPolicy: pureStepPolicy,
});
