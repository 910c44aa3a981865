import { TrellisError } from '../../errors.js';
import { renderTemplate } from '../../lib/template.js';
import { schemaProblems } from '../../lib/json-schema-validate.js';
import { describeViolations } from '../../lib/json-schema.js';
import { DEFAULT_ANSWER_SCHEMA, answerOf, questionWait } from '../../lib/question.js';
import { defineExecutor } from '../../runtime.js';
import type { HumanInputConfig } from './spec.js';

/**
 * Asks a question and waits, as an approval does (the wait is the engine's: durable, with a
 * deadline, answered once). The engine checks the answer against the schema before the node runs
 * on, so the answer arrives valid and becomes the output as it is.
 */
export const humanInputExecutor = defineExecutor<HumanInputConfig>({
  type: 'human-input',
  async execute({ config, scope, node, resume }) {
    const schema = config.schema ?? { ...DEFAULT_ANSWER_SCHEMA };
    if (!resume) {
      const message = await renderTemplate(config.question, scope);
      return { status: 'wait', wait: questionWait({ id: node.id, message, schema, defaultAnswer: config.defaultAnswer, ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}) }) };
    }
    const said = answerOf(resume.decision);
    if (!said.answered) {
      const after = `no answer to the question of "${node.id}" came within ${config.timeoutMs ?? 0} ms`;
      if (config.onTimeout === 'fail') throw new TrellisError('question_timed_out', after);
      if (config.onTimeout === 'default') {
        const problems = schemaProblems(config.defaultAnswer, schema);
        if (problems.length) throw new TrellisError('invalid_config', `${after}, and its default answer does not match the answer form: ${describeViolations(problems.map((p) => ({ ...p, path: p.path ? `defaultAnswer.${p.path}` : 'defaultAnswer' })))}`);
        return { status: 'done', output: config.defaultAnswer, ports: ['answered'], decision: { answer: config.defaultAnswer, timedOut: true } };
      }
      return { status: 'done', output: config.defaultAnswer ?? null, ports: ['timeout'], decision: { timedOut: true } };
    }
    const decision = { answer: said.answer, ...(said.by ? { by: said.by } : {}), ...(said.comment ? { comment: said.comment } : {}) };
    return { status: 'done', output: said.answer, ports: ['answered'], decision };
  },
});
