import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { Flow, RunEvent, Usage } from '@trellis/schema';
import type { CheckpointStore, Commit, NodeState, RunRecord } from '@trellis/runner';
import type { Store } from '@trellis/runner/store';

// Records for the store suites: ids of their own (one database serves every suite), runs of
// inline flows, events and commits shaped as the engine writes them.

export function uid(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 12)}`;
}

export function flowDoc(id: string, extra: { name?: string; description?: string } = {}): Flow {
  return {
    schema: 'trellis.flow/v1',
    id,
    name: extra.name ?? 'Test flow',
    ...(extra.description ? { description: extra.description } : {}),
    nodes: [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } }],
    edges: [],
  };
}

export function usage(totalTokens = 0, costUsd: number | null = 0): Usage {
  return { inputTokens: totalTokens, outputTokens: 0, totalTokens, modelCalls: totalTokens ? 1 : 0, costUsd };
}

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: uid('run'),
    flow: flowDoc(uid('inline')),
    input: { message: 'hello', n: 1 },
    status: 'queued',
    usage: usage(),
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export function event(runId: string, seq: number): RunEvent {
  return { runId, seq, ts: new Date(Date.UTC(2030, 0, 1, 0, 0, seq)).toISOString(), type: 'node.delta', nodeId: 'a', data: { text: `part ${seq}` } };
}

/** Commits like the engine's: a node starts, then completes, one commit per step. */
export function stepCommits(runId: string, from: number, to: number): Commit[] {
  return Array.from({ length: to - from }, (_, k) => {
    const step = from + k;
    const nodeId = `n${step === 0 ? 0 : 5}`;
    const seq = step * 2 + 1;
    return {
      run: { status: 'running', usage: usage(step) },
      nodes: { [nodeId]: { status: 'succeeded', attempts: 1, output: step === 0 ? 0 : 5 } },
      events: [
        { runId, seq, ts: new Date().toISOString(), type: 'node.started', nodeId, data: { kind: 'prompt', attempt: 1 } },
        { runId, seq: seq + 1, ts: new Date().toISOString(), type: 'node.delta', nodeId, data: { text: `step ${step}` } },
      ],
    };
  });
}

export function waitingNode(waitId: string, extra: { payload?: unknown; deadline?: string } = {}): NodeState {
  return { status: 'waiting', attempts: 1, wait: { id: waitId, kind: 'approval', message: 'Send it?', ...extra }, saved: { draft: 1 } };
}

export function resumed(runId: string, seq: number, ts: string, data: Extract<RunEvent, { type: 'run.resumed' }>['data']): RunEvent {
  return { runId, seq, ts, type: 'run.resumed', nodeId: 'ask', data };
}

/** A run whose node `ask` waits on `w1`, committed as the engine does (its approval opened with it). */
export async function startWaiting(store: CheckpointStore, extra: { payload?: unknown; deadline?: string } = {}): Promise<RunRecord> {
  const run = runRecord({ status: 'running' });
  await store.createRun(run);
  const ts = new Date().toISOString();
  await store.commit(run.id, {
    run: { status: 'waiting' },
    nodes: { ask: waitingNode('w1', extra) },
    events: [
      { runId: run.id, seq: 1, ts, type: 'node.started', nodeId: 'ask', data: { kind: 'approval', attempt: 1 } },
      { runId: run.id, seq: 2, ts, type: 'run.waiting', nodeId: 'ask', data: { waitId: 'w1', kind: 'approval', message: 'Send it?', ...extra } },
    ],
    approvals: [{ kind: 'open', nodeId: 'ask', waitId: 'w1', waitKind: 'approval', message: 'Send it?', ...extra, at: ts }],
  });
  return run;
}

/** A waiting run (see startWaiting) with the approval the store opened for it. */
export async function waitingRun(store: Store, extra: { payload?: unknown; deadline?: string } = {}) {
  const run = await startWaiting(store, extra);
  const approvals = await store.listApprovals({ runId: run.id });
  expect(approvals).toHaveLength(1);
  expect(approvals[0]?.createdAt).toBe((await store.listEvents(run.id))[0]?.ts);
  return { run, approval: approvals[0]! };
}
