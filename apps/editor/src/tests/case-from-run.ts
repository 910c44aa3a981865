import type { Assertion, CaseAnswer, Sample } from '@trellis/schema';
import type { Trace } from '../run/trace';

/**
 * A test case made from a run on show: its input, the mock script it ran with (when known), the
 * answers people gave it, and its output as the expectation (or, for a run that did not succeed,
 * how it ended).
 */
export function caseFromRun(name: string, trace: Trace, mocks: Record<string, unknown> | undefined): Sample {
  const answers: Record<string, CaseAnswer> = {};
  for (const step of trace.steps) {
    const [first] = step.answers;
    if (!first || first.timedOut || answers[step.nodeId]) continue;
    answers[step.nodeId] = first.question
      ? { answer: first.answer }
      : { approved: first.approved, ...(first.comment ? { comment: first.comment } : {}), ...(first.edited ? { payload: first.payload } : {}) };
  }
  const expect: Assertion[] =
    trace.status === 'succeeded' ? [{ type: 'equals', value: trace.output ?? null }]
    : trace.status === 'failed' ? [{ type: 'status', status: 'failed', ...(trace.error ? { error: trace.error.slice(0, 200) } : {}) }]
    : [{ type: 'status', status: trace.status === 'cancelled' ? 'cancelled' : 'waiting' }];
  return {
    name,
    input: trace.input ?? {},
    ...(mocks ? { mocks: mocks as Sample['mocks'] } : {}),
    ...(Object.keys(answers).length ? { answers } : {}),
    expect,
  };
}
