import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { checkTemplate } from '../../lib/template.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import { humanPolicy } from '../../lib/policy.js';
import { DEFAULT_ANSWER_SCHEMA } from '../../lib/question.js';

export { DEFAULT_ANSWER_SCHEMA };

/** What happens when nobody answers in time: the `timeout` handle fires, the default answer is taken, or the step fails. */
export const QUESTION_ON_TIMEOUT = ['route', 'default', 'fail'] as const;

export const HumanInputConfig = z.object({
  /** What the person reads; a template over the scope. */
  question: z.string().min(1, 'ask the person something').max(20_000),
  /** JSON Schema of the answer: the person's answer is checked against it and becomes the node's output. */
  schema: JsonSchemaObject.default(() => ({ ...DEFAULT_ANSWER_SCHEMA })),
  /** With no answer after this long, the step resolves as `onTimeout` says. */
  timeoutMs: z.number().int().min(1_000).max(30 * 86_400_000).optional(),
  onTimeout: z.enum(QUESTION_ON_TIMEOUT).default('route'),
  /** The answer taken at a timeout (`onTimeout: default`) and by runs that cannot ask anyone (a terminal with no TTY). */
  defaultAnswer: z.unknown().optional(),
});
export type HumanInputConfig = z.infer<typeof HumanInputConfig>;

/** Whether the node has a `timeout` handle: it routes there when its deadline passes. */
export const routesTimeout = (config: Pick<HumanInputConfig, 'timeoutMs' | 'onTimeout'>) => config.timeoutMs !== undefined && (config.onTimeout ?? 'route') === 'route';

export const humanInputSpec = defineKind<HumanInputConfig>({
  type: 'human-input',
  version: 1,
  label: 'Human input',
  description: "Asks a person a question with a form for the answer; the answer is the node's output.",
  category: 'human',
  configSchema: HumanInputConfig,
  defaults: () => ({ question: 'What should happen next?', schema: { ...DEFAULT_ANSWER_SCHEMA }, onTimeout: 'route' as const }),
  ports: (config) => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      { id: 'answered', label: 'Answered', type: 'data' },
      ...(routesTimeout(config)
        ? [{ id: 'timeout', label: 'Timeout', type: 'data' as const, unwired: 'nothing is wired to Timeout: a question nobody answers in time would end the run here, succeeding with no output from this branch; wire Timeout to an output (or a step), or set onTimeout to fail' }]
        : []),
    ],
  }),
  check: (config, ctx) => {
    const problems: KindProblem[] = [...checkTemplate(config.question, ctx, ['question'])];
    if (config.onTimeout === 'default' && config.defaultAnswer === undefined) {
      problems.push({ code: 'invalid_config', path: ['defaultAnswer'], message: 'on timeout the default answer is taken: give one' });
    }
    return problems;
  },
  fields: [
    { path: 'question', label: 'Question', widget: 'template' },
    { path: 'schema', label: 'Answer form', widget: 'json-schema', help: 'JSON Schema of the answer; each field of an object is one field of the form.' },
    { path: 'timeoutMs', label: 'Timeout (ms)', widget: 'number' },
    { path: 'onTimeout', label: 'On timeout', widget: 'select', options: QUESTION_ON_TIMEOUT, help: 'route: the Timeout handle fires; default: the default answer is taken; fail: the step fails.' },
    { path: 'defaultAnswer', label: 'Default answer', widget: 'json', help: 'Taken at a timeout (on timeout: default) and by terminal runs that cannot ask anyone.' },
  ],
  defaultPolicy: humanPolicy,
});
