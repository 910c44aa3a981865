import { TrellisError } from '../../errors.js';
import { evaluateExpression } from '../../lib/expression.js';
import { defineExecutor } from '../../runtime.js';
import { ELSE_BRANCH, type ConditionConfig } from './spec.js';

export const conditionExecutor = defineExecutor<ConditionConfig>({
  type: 'condition',
  pure: () => true,
  async execute({ config, scope }) {
    const evaluated: { branch: string; when: string; value: unknown }[] = [];
    for (const branch of config.branches) {
      let value: unknown;
      try {
        value = evaluateExpression(branch.when, scope);
      } catch (error) {
        throw new TrellisError('expression_failed', `branch "${branch.id}" (${branch.when}): ${(error as Error).message}`);
      }
      evaluated.push({ branch: branch.id, when: branch.when, value });
      if (typeof value !== 'boolean') {
        throw new TrellisError('expression_failed', `branch "${branch.id}" (${branch.when}) gave ${JSON.stringify(value)}, not true or false`);
      }
      if (value) return { status: 'done', output: { branch: branch.id }, ports: [branch.id], decision: { branch: branch.id, evaluated } };
    }
    return { status: 'done', output: { branch: ELSE_BRANCH }, ports: [ELSE_BRANCH], decision: { branch: ELSE_BRANCH, evaluated } };
  },
});
