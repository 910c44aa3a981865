import { TrellisError } from '../../errors.js';
import { renderTemplate } from '../../lib/template.js';
import { validateJson } from '../../lib/json-schema-validate.js';
import { describeViolations } from '../../lib/json-schema.js';
import { defineExecutor } from '../../runtime.js';
import { DEFAULT_ANSWER_SCHEMA, type HumanInputConfig } from './spec.js';

/**
 * Asks a question and waits, as an approval does (the wait is the engine's: durable, with a
 * deadline, answered once). The engine checks the answer against the schema before the node runs
 * on, so the answer arrives valid and becomes the output as it is.
 */
export const humanInputExecutor = defineExecutor<HumanInputConfig>({
  type: 'human-input',
  async execute({ config, scope, node, resume }) {
    const schema = config.schema ?? DEFAULT_ANSWER_SCHEMA;
    if (!resume) {
      return {
        status: 'wait',
        wait: {
          id: node.id,
          kind: 'question',
          message: await renderTemplate(config.question, scope),
          // The default answer travels as the form's own `default`, so every form (editor, terminal, an API client) can offer it.
          schema: config.defaultAnswer === undefined || 'default' in schema ? schema : { ...schema, default: config.defaultAnswer },
          ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}),
        },
      };
    }
    const { decision } = resume;
    if (decision.timedOut) {
      const after = `no answer to the question of "${node.id}" came within ${config.timeoutMs ?? 0} ms`;
      if (config.onTimeout === 'fail') throw new TrellisError('question_timed_out', after);
      if (config.onTimeout === 'default') {
        const violations = validateJson(config.defaultAnswer, schema);
        if (violations.length) throw new TrellisError('invalid_config', `${after}, and its default answer does not match the answer form: ${describeViolations(violations.map((v) => ({ ...v, path: v.path ? `defaultAnswer.${v.path}` : 'defaultAnswer' })))}`);
        return { status: 'done', output: config.defaultAnswer, ports: ['answered'], decision: { answer: config.defaultAnswer, timedOut: true } };
      }
      return { status: 'done', output: config.defaultAnswer ?? null, ports: ['timeout'], decision: { timedOut: true } };
    }
    return {
      status: 'done',
      output: decision.answer,
      ports: ['answered'],
      decision: { answer: decision.answer, ...(decision.by ? { by: decision.by } : {}), ...(decision.comment ? { comment: decision.comment } : {}) },
    };
  },
});
