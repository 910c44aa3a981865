import { TrellisError, describeViolations, schemaProblems } from '@trellis/nodes/server';
import type { NodeState } from './checkpoint.js';
import type { Journal } from './journal.js';
import { eventPlace } from './level.js';
import type { Answer } from './types.js';
import type { DecidedStatus, WaitKind } from '@trellis/schema';

/**
 * A person's answers to a run's waits, as the execution takes them: each is checked against the
 * waits open now, and turns into the node's resume, a `run.resumed` event and the approval's
 * decision for the store. An answer to a wait decided here already hears who decided and when.
 */
export class Answers {
  /** The answers taken by this execution, by wait. */
  private readonly decided = new Map<string, { status: string; by?: string; at: string }>();

  constructor(
    private readonly runId: string,
    private readonly nodes: ReadonlyMap<string, NodeState>,
    private readonly journal: Journal,
    /** Who executes the run (ExecutionDeps.runnerId), for the trace. */
    private readonly runnerId: string | undefined,
  ) {}

  /** The node waiting on `waitId`; throws `already_decided` or `unknown_wait` when there is none. */
  waitingNode(waitId: string): [string, NodeState] {
    const entry = [...this.nodes].find(([, s]) => s.status === 'waiting' && s.wait?.id === waitId);
    if (!entry) {
      const decided = this.decided.get(waitId);
      if (decided) {
        throw new TrellisError('already_decided', `the wait "${waitId}" of run ${this.runId} was already ${decided.status.replace('_', ' ')}${decided.by ? ` by ${decided.by}` : ''} at ${decided.at}`);
      }
      const waits = [...this.nodes.values()].filter((s) => s.status === 'waiting').map((s) => s.wait?.id);
      throw new TrellisError('unknown_wait', `run ${this.runId} is not waiting on "${waitId}"${waits.length ? ` (it waits on ${waits.join(', ')})` : ''}`);
    }
    return entry;
  }

  /**
   * Checks an answer before anything changes: the run must wait on it, and a question's answer
   * must match its schema (`invalid_input`, naming each field under `answer`). Returns its node.
   */
  check(answer: Answer): [string, NodeState] {
    const entry = this.waitingNode(answer.waitId);
    checkAnswerTo(entry[1].wait!, answer);
    return entry;
  }

  /** Takes the answer into the run; returns the node that goes on with it. */
  apply(answer: Answer): string {
    const [nodeId, state] = this.check(answer);
    const question = state.wait?.kind === 'question';
    const { journal } = this;
    const { waitId, ...decision } = answer;
    state.resume = { waitId, decision };
    state.status = 'pending';
    journal.touch(nodeId);
    journal.setRun({ status: 'running' });
    const place = eventPlace(nodeId);
    const resumed = journal.emit('run.resumed', place.nodeId, {
      reason: decision.timedOut ? 'timeout' : 'decision',
      waitId,
      decision: {
        approved: decision.approved,
        ...(decision.by ? { by: decision.by } : {}),
        ...(decision.comment ? { comment: decision.comment } : {}),
        ...(decision.payload === undefined ? {} : { payload: decision.payload }),
        ...(decision.answer === undefined ? {} : { answer: decision.answer }),
      },
      ...(this.runnerId === undefined ? {} : { runner: this.runnerId }),
    }, place.path);
    const status = decidedStatus(state.wait!.kind, decision);
    const at = resumed?.ts ?? new Date().toISOString();
    this.decided.set(waitId, { status, at, ...(decision.by ? { by: decision.by } : {}) });
    // The store takes the decision only while the wait is pending: of two answers, one wins.
    journal.approval({
      kind: 'decide',
      waitId,
      status,
      at,
      ...(decision.by ? { by: decision.by } : {}),
      ...(decision.comment ? { comment: decision.comment } : {}),
      // A question's answer is kept where an approver's edited payload is.
      ...((question ? decision.answer : decision.payload) === undefined ? {} : { payload: question ? decision.answer : decision.payload }),
    });
    return nodeId;
  }
}

/**
 * Checks an answer against what its wait asks (`invalid_input`, naming each field under `answer`):
 * a question takes an answer matching its schema, an approval a decision. Also where the wait is
 * known only from its stored approval (an answer forwarded to the runner holding the run).
 */
export function checkAnswerTo(wait: { id: string; kind: WaitKind; schema?: Record<string, unknown> }, answer: Answer): void {
  if (wait.kind === 'question' && !answer.timedOut) {
    if (answer.answer === undefined) {
      throw new TrellisError('invalid_input', `"${wait.id}" waits on a question: send its answer (not a decision)`, { details: { problems: [{ path: 'answer', message: 'is required' }] } });
    }
    const problems = schemaProblems(answer.answer, wait.schema ?? {}, "the question's form").map((v) => ({ path: v.path ? `answer.${v.path}` : 'answer', message: v.message }));
    if (problems.length) {
      throw new TrellisError('invalid_input', `the answer does not match the question's form: ${describeViolations(problems)}`, { details: { problems } });
    }
  } else if (wait.kind !== 'question' && answer.answer !== undefined) {
    throw new TrellisError('invalid_input', `"${wait.id}" waits on an approval: send a decision (approve or reject), not an answer`, { details: { problems: [{ path: 'answer', message: 'is for questions' }] } });
  }
}

/** The status an answer gives its wait: timed out, a question answered, an approval approved or rejected. */
export function decidedStatus(kind: WaitKind, decision: Pick<Answer, 'approved' | 'timedOut'>): DecidedStatus {
  return decision.timedOut ? 'timed_out' : kind === 'question' ? 'answered' : decision.approved ? 'approved' : 'rejected';
}
