import { TrellisError } from '@trellis/nodes/server';
import type { NodeState } from './checkpoint.js';
import type { Journal } from './journal.js';
import type { Answer } from './types.js';

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

  /** Takes the answer into the run; returns the node that goes on with it. */
  apply(answer: Answer): string {
    const [nodeId, state] = this.waitingNode(answer.waitId);
    const { journal } = this;
    const { waitId, ...decision } = answer;
    state.resume = { waitId, decision };
    state.status = 'pending';
    journal.touch(nodeId);
    journal.setRun({ status: 'running' });
    const resumed = journal.emit('run.resumed', nodeId, {
      reason: decision.timedOut ? 'timeout' : 'decision',
      waitId,
      decision: {
        approved: decision.approved,
        ...(decision.by ? { by: decision.by } : {}),
        ...(decision.comment ? { comment: decision.comment } : {}),
        ...(decision.payload === undefined ? {} : { payload: decision.payload }),
      },
    });
    const status = decision.timedOut ? 'timed_out' : decision.approved ? 'approved' : 'rejected';
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
      ...(decision.payload === undefined ? {} : { payload: decision.payload }),
    });
    return nodeId;
  }
}
