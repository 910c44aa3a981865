import { renderValue } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { OutputConfig } from './spec.js';

export const outputExecutor = defineExecutor<OutputConfig>({
  type: 'output',
  async execute({ config, scope }) {
    return { status: 'done', output: await renderValue(config.value, scope) };
  },
});
