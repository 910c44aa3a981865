import { TrellisError } from '../../errors.js';
import { describeViolations } from '../../lib/json-schema.js';
import { validateJson } from '../../lib/json-schema-validate.js';
import { defineExecutor } from '../../runtime.js';
import type { InputConfig } from './spec.js';

export const inputExecutor = defineExecutor<InputConfig>({
  type: 'input',
  pure: () => true,
  async execute({ config, scope }) {
    const violations = validateJson(scope.input, config.schema);
    if (violations.length) {
      throw new TrellisError('invalid_input', `the run input does not match the input schema: ${describeViolations(violations)}`);
    }
    return { status: 'done', output: scope.input };
  },
});
