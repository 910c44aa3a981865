import { TrellisError } from '../../errors.js';
import { renderValue } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { SubflowConfig } from './spec.js';

export const subflowExecutor = defineExecutor<SubflowConfig>({
  type: 'subflow',
  async execute({ config, scope, runChild }) {
    if (!runChild) throw new TrellisError('unsupported', 'this engine cannot run sub-flows');
    const input = config.input === undefined ? scope.input : await renderValue(config.input, scope);
    const child = await runChild(input);
    if (child.status === 'succeeded') {
      return { status: 'done', output: child.output, decision: { childRunId: child.runId, flowId: config.flow } };
    }
    if (child.status === 'failed') {
      throw new TrellisError('subflow_failed', `the flow "${config.flow}" failed (run ${child.runId}): ${child.error.message}`, { details: { childRunId: child.runId, error: child.error } });
    }
    return { status: 'suspend' }; // the child waits for a person, or was drained: this step goes on when it ends
  },
});
