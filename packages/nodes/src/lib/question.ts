import type { Decision, WaitRequest } from '../runtime.js';

/**
 * A question for a person, as any node asks it: the human-input kind as a step, and an agent
 * from inside its loop (its "ask a person" tool) alike. The node returns `questionWait(…)` as its
 * wait; the engine keeps it durable (across restarts, with its deadline), shows it with its form
 * everywhere (API, endpoint 202, editor, terminal), checks the answer against the form and
 * takes one answer; the node, run again with the resume, reads it with `answerOf(…)`.
 */
export interface Question {
  /** The wait's id, unique among the run's waits (a step uses its node id; an agent, one per tool call). */
  id: string;
  /** What the person reads. */
  message: string;
  /** JSON Schema of the answer; one text field (`{ answer }`) when not given. */
  schema?: Record<string, unknown>;
  /** Offered as the form's own `default` (a terminal run that cannot ask anyone takes it). */
  defaultAnswer?: unknown;
  /** With no answer after this long, the node is resumed with a timeout. */
  timeoutMs?: number;
}

/** The answer form of a question that names none: one text field. */
export const DEFAULT_ANSWER_SCHEMA: Readonly<Record<string, unknown>> = Object.freeze({
  type: 'object',
  properties: { answer: { type: 'string', title: 'Answer', minLength: 1 } },
  required: ['answer'],
});

/** The wait a node returns to ask `question`. */
export function questionWait(question: Question): WaitRequest {
  const schema = question.schema ?? { ...DEFAULT_ANSWER_SCHEMA };
  return {
    id: question.id,
    kind: 'question',
    message: question.message,
    // The default answer travels as the form's own `default`, so every form (editor, terminal, an API client) can offer it.
    schema: question.defaultAnswer === undefined || 'default' in schema ? schema : { ...schema, default: question.defaultAnswer },
    ...(question.timeoutMs ? { timeoutMs: question.timeoutMs } : {}),
  };
}

/** What the person said, as the resume brings it: their answer (valid under the form) and who gave it, or that nobody answered in time. */
export function answerOf(decision: Decision): { answered: true; answer: unknown; by?: string; comment?: string } | { answered: false; timedOut: true } {
  if (decision.timedOut || decision.answer === undefined) return { answered: false, timedOut: true };
  return { answered: true, answer: decision.answer, ...(decision.by ? { by: decision.by } : {}), ...(decision.comment ? { comment: decision.comment } : {}) };
}
