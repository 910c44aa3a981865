import { TrellisError } from '../../errors.js';
import { describeViolations } from '../../lib/json-schema.js';
import { validateJson } from '../../lib/json-schema-validate.js';
import { renderValue } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { OutputConfig } from './spec.js';

export const outputExecutor = defineExecutor<OutputConfig>({
  type: 'output',
  pure: () => true,
  async execute({ config, scope }) {
    const output = await renderValue(config.value, scope);
    const violations = config.schema ? validateJson(output, config.schema) : [];
    if (violations.length) throw new TrellisError('invalid_output', `the result does not match the output schema: ${describeViolations(violations)}`);
    return { status: 'done', output };
  },
});
