import { z } from 'zod';
import type { KindProblem } from '../../spec.js';
import type { FieldHint } from '../../spec.js';
import { TrellisError } from '../../errors.js';
import { JsonSchemaObject } from '../../lib/json-schema.js';
import type { ModelTool } from '../../lib/model-call.js';
import { DEFAULT_ANSWER_SCHEMA, answerOf, questionWait } from '../../lib/question.js';
import type { Decision, WaitRequest } from '../../runtime.js';

/*
 * An agent's "ask a person" tool: the human-input kind's question, asked from inside the agent's
 * loop. The model calls `ask_a_person` with `{ question }`; the step waits on a question (one wait
 * per tool call, the form the agent's `askPerson.schema`), durable like any wait; the person's
 * answer (checked against the form by the engine) is the tool's result, and the loop goes on.
 * A deadline (`timeoutMs`) resolves as `onTimeout` says: the agent is told nobody answered
 * (`tell-agent`, the agent-loop analogue of a human-input's timeout route), the default answer is
 * the result (`default`), or the agent fails (`fail`: the step, or for a worker, its orchestrator's
 * tool call).
 */

/** The tool's name, as the model sees it. */
export const ASK_PERSON_TOOL = 'ask_a_person';

export const ASK_ON_TIMEOUT = ['tell-agent', 'default', 'fail'] as const;

export const AskPersonConfig = z.object({
  /** Whether the model gets the `ask_a_person` tool. */
  enabled: z.boolean().default(false),
  /** When to ask: the tool's description for the model. */
  description: z.string().max(2_000).optional(),
  /** JSON Schema of the answer: one text field (`{ answer }`) unless given. The answer is the tool's result. */
  schema: JsonSchemaObject.optional(),
  /** With no answer after this long, the question resolves as `onTimeout` says. */
  timeoutMs: z.number().int().min(1_000).max(30 * 86_400_000).optional(),
  onTimeout: z.enum(ASK_ON_TIMEOUT).default('tell-agent'),
  /** The result at a timeout (`onTimeout: default`), and the answer runs that cannot ask anyone take (a terminal with no TTY). */
  defaultAnswer: z.unknown().optional(),
});
export type AskPersonConfig = z.infer<typeof AskPersonConfig>;

const DEFAULT_DESCRIPTION = 'Ask a person a question and wait for the answer: for a fact only they know, a choice that is theirs to make, or a confirmation. Ask one clear question.';

/** The agent's config problems about its question. */
export function checkAskPerson(config: AskPersonConfig | undefined): KindProblem[] {
  if (!config?.enabled || config.onTimeout !== 'default' || config.defaultAnswer !== undefined) return [];
  return [{ code: 'invalid_config', path: ['askPerson', 'defaultAnswer'], message: 'on timeout the default answer is taken: give one' }];
}

const shown = { path: 'askPerson.enabled', equals: [true] } as const;

/** The agent inspector's fields for it. */
export const askPersonFields: readonly FieldHint[] = [
  { path: 'askPerson.enabled', label: 'Can ask a person', widget: 'boolean', help: `Gives the model an ${ASK_PERSON_TOOL} tool: the run waits for a person's answer, which is the tool's result.` },
  { path: 'askPerson.description', label: 'When to ask', widget: 'textarea', help: 'The tool description the model reads.', showWhen: shown },
  { path: 'askPerson.schema', label: 'Answer form', widget: 'json-schema', help: 'JSON Schema of the answer; one text field unless given.', showWhen: shown },
  { path: 'askPerson.timeoutMs', label: 'Answer within (ms)', widget: 'number', showWhen: shown },
  {
    path: 'askPerson.onTimeout',
    label: 'On timeout',
    widget: 'select',
    options: ASK_ON_TIMEOUT,
    help: 'tell-agent: the agent is told nobody answered and goes on; default: the default answer is the result; fail: the agent fails.',
    showWhen: shown,
  },
  { path: 'askPerson.defaultAnswer', label: 'Default answer', widget: 'json', help: 'Taken at a timeout (on timeout: default) and by terminal runs that cannot ask anyone.', showWhen: shown },
];

/** A question an agent asked, as its loop saves it until the answer is in the conversation. */
export interface AskedQuestion {
  kind: 'question';
  toolCallId: string;
  /** The agent that asked. */
  agent: string;
  question: string;
  schema: Record<string, unknown>;
  timeoutMs?: number;
  onTimeout: AskPersonConfig['onTimeout'];
  defaultAnswer?: unknown;
  /** What the tool call returns, once answered (or timed out); `failed` ends the agent. */
  result?: { output: unknown } | { error: string; failed?: true };
}

/** Where an agent's questions wait in its loop's saved progress. */
export interface Asking {
  asked?: AskedQuestion[];
}

export function isAsked(wait: unknown): wait is AskedQuestion {
  return typeof wait === 'object' && wait !== null && (wait as { kind?: unknown }).kind === 'question';
}

/** The `ask_a_person` tool for an agent that may ask (none otherwise). The caller answers it: it has no `execute`. */
export function askPersonTools(config: { askPerson?: AskPersonConfig | undefined }): ModelTool[] {
  if (!config.askPerson?.enabled) return [];
  return [
    {
      name: ASK_PERSON_TOOL,
      description: config.askPerson.description ?? DEFAULT_DESCRIPTION,
      inputSchema: {
        type: 'object',
        properties: { question: { type: 'string', description: 'What to ask, with what the person needs to know to answer' } },
        required: ['question'],
        additionalProperties: false,
      },
      requiresApproval: false,
    },
  ];
}

/** Takes the questions a model turn asked into the loop; returns how many. */
export function takeQuestions(loop: Asking, agent: string, config: { askPerson?: AskPersonConfig | undefined }, calls: readonly { toolCallId: string; toolName: string; input: unknown }[]): number {
  const ask = config.askPerson;
  if (!ask?.enabled) return 0;
  const asked = calls.filter((c) => c.toolName === ASK_PERSON_TOOL);
  for (const c of asked) {
    const question = String((c.input as { question?: unknown } | undefined)?.question ?? '').trim() || 'The agent asks for your input.';
    (loop.asked ??= []).push({
      kind: 'question',
      toolCallId: c.toolCallId,
      agent,
      question,
      schema: ask.schema ?? { ...DEFAULT_ANSWER_SCHEMA },
      ...(ask.timeoutMs ? { timeoutMs: ask.timeoutMs } : {}),
      onTimeout: ask.onTimeout ?? 'tell-agent',
      ...(ask.defaultAnswer === undefined ? {} : { defaultAnswer: ask.defaultAnswer }),
    });
  }
  return asked.length;
}

/** The question the loop waits on: the first asked and not answered. */
export function waitingQuestion(loop: Asking): AskedQuestion | undefined {
  return loop.asked?.find((q) => !q.result);
}

/** Gives the person's answer (or the timeout) to the question the loop waits on; false when it waits on none. */
export function answerQuestion(loop: Asking, decision: Decision): boolean {
  const q = waitingQuestion(loop);
  if (!q) return false;
  const said = answerOf(decision);
  if (said.answered) {
    q.result = { output: said.answer };
    return true;
  }
  const after = `nobody answered within ${q.timeoutMs ?? 0} ms`;
  if (q.onTimeout === 'default') q.result = { output: q.defaultAnswer ?? null };
  else if (q.onTimeout === 'fail') q.result = { error: `no answer to the question of agent "${q.agent}": ${after}`, failed: true };
  else q.result = { output: `No answer in time: ${after}. Go on without it.` };
  return true;
}

/**
 * Takes the answered questions out of the loop once none waits, as tool results for the
 * conversation (emitting each as the tool's result); throws for a question that fails the agent.
 */
export function settleQuestions(loop: Asking, emit: (data: { toolCallId: string; tool: string; result?: unknown; error?: string }) => void): { toolCallId: string; tool: string; result: { output: unknown } | { error: string } }[] {
  if (!loop.asked?.length || waitingQuestion(loop)) return [];
  const settled = loop.asked;
  delete loop.asked;
  const failed = settled.find((q) => q.result && 'failed' in q.result);
  if (failed) throw new TrellisError('question_timed_out', (failed.result as { error: string }).error);
  return settled.map((q) => {
    const result = q.result!;
    emit({ toolCallId: q.toolCallId, tool: ASK_PERSON_TOOL, ...('error' in result ? { error: result.error } : { result: result.output }) });
    return { toolCallId: q.toolCallId, tool: ASK_PERSON_TOOL, result };
  });
}

/** The wait for a question: one per tool call, naming the agent (and its path when it is attached to the step's agent). */
export function askWait(nodeId: string, q: AskedQuestion, path: string[]): WaitRequest {
  return {
    ...questionWait({
      id: `${nodeId}:${q.toolCallId}`,
      message: q.question,
      schema: q.schema,
      defaultAnswer: q.defaultAnswer,
      ...(q.timeoutMs ? { timeoutMs: q.timeoutMs } : {}),
    }),
    payload: { tool: ASK_PERSON_TOOL, agent: q.agent, ...(path.length ? { path } : {}) },
  };
}
