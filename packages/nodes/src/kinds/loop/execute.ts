import { TrellisError } from '../../errors.js';
import { evaluateExpression } from '../../lib/expression.js';
import { defineExecutor } from '../../runtime.js';
import type { LoopConfig } from './spec.js';

export const loopExecutor = defineExecutor<LoopConfig>({
  type: 'loop',
  async execute({ config, scope, runBody }) {
    if (!runBody) throw new TrellisError('unsupported', 'this engine cannot run a loop\'s body');
    let previous: unknown = null;
    for (let iteration = 1; iteration <= config.maxIterations; iteration++) {
      // A round that finished before (the run resumed) gives its output at once: the same checks follow.
      const round = await runBody(iteration, { iteration, previous });
      if (round.status === 'failed') {
        throw new TrellisError('iteration_failed', `round ${iteration} failed: ${round.error.message}`, { details: { iteration, error: round.error } });
      }
      if (round.status !== 'succeeded') return { status: 'suspend' };
      let done: unknown;
      try {
        done = evaluateExpression(config.until, { ...scope, iteration, previous, output: round.output });
      } catch (error) {
        throw new TrellisError('expression_failed', `until (${config.until}), after round ${iteration}: ${(error as Error).message}`);
      }
      if (typeof done !== 'boolean') {
        throw new TrellisError('expression_failed', `until (${config.until}) gave ${JSON.stringify(done)} after round ${iteration}, not true or false`);
      }
      if (done) {
        return {
          status: 'done',
          output: { output: round.output, iterations: iteration, endedBy: 'condition' },
          decision: { endedBy: 'condition', until: config.until, iterations: iteration },
        };
      }
      previous = round.output;
    }
    return {
      status: 'done',
      output: { output: previous, iterations: config.maxIterations, endedBy: 'maxIterations' },
      decision: { endedBy: 'maxIterations', until: config.until, iterations: config.maxIterations, maxIterations: config.maxIterations },
    };
  },
});
