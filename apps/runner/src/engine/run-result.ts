import type { ErrorInfo, FlowGraph } from '@trellis/schema';
import { TrellisError, normalizeError, type Kinds } from '@trellis/nodes/server';
import type { NodeState, RunRecord } from './checkpoint.js';
import { STORE_UNAVAILABLE, type PendingWait, type RunResult } from './types.js';

/** Where a run stands, as its caller hears it: status, output or error, the waits open, usage. */
export function runResult(record: RunRecord, nodes: ReadonlyMap<string, NodeState>): RunResult {
  const waiting: PendingWait[] = [];
  for (const [nodeId, s] of nodes) {
    if (s.status !== 'waiting' || !s.wait) continue;
    waiting.push({
      nodeId,
      waitId: s.wait.id,
      kind: s.wait.kind,
      message: s.wait.message,
      ...(s.wait.payload === undefined ? {} : { payload: s.wait.payload }),
      ...(s.wait.schema ? { schema: s.wait.schema } : {}),
      ...(s.wait.deadline ? { deadline: s.wait.deadline } : {}),
    });
  }
  return {
    runId: record.id,
    status: record.status,
    ...(record.output === undefined ? {} : { output: record.output }),
    ...(record.error ? { error: record.error } : {}),
    waiting,
    usage: { ...record.usage },
  };
}

/**
 * The result is what the nodes of run-output kinds produced (one value, or each by node id),
 * among the steps of one level: the flow's own, or one round of a container's body.
 */
export function collectOutput(steps: Iterable<readonly [string, NodeState]>, graph: FlowGraph, kinds: Kinds<string>): unknown {
  const produced = [...steps].filter(([id, s]) => s.status === 'succeeded' && kinds.get(graph.nodes.get(id)!.type)?.runOutput);
  if (produced.length === 0) return null;
  if (produced.length === 1) return produced[0]![1].output;
  return Object.fromEntries(produced.map(([id, s]) => [id, s.output]));
}

/**
 * The result of a run whose writes the store refused: it is not failed in the store (that
 * write would fail too) but stays as its last checkpoint left it, so it can be resumed. A write
 * refused for good (e.g. an answer someone else gave first) says why; a store that stayed
 * unreachable says what happens next.
 */
export function unsavedResult(result: RunResult, lost: unknown): RunResult {
  const err = normalizeError(lost);
  const refused = TrellisError.isInstance(lost) && !lost.retryable;
  const error: ErrorInfo = refused
    ? { code: err.code, message: `could not save the run: ${err.message}` }
    : {
        code: STORE_UNAVAILABLE,
        message: `could not save the run: ${err.message}. It stays as its last checkpoint left it and resumes once the database is reachable again (or when the runner next starts).`,
        retryable: true,
      };
  return { ...result, status: 'failed', error };
}
