import { FLOW_SCHEMA_V1, type EventPage, type Flow, type RunEvent } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../src/api.js';
import { describeAnswer, describeCondition, formatCost, formatDuration, stepName, timeLeft } from '../src/run/describe.js';
import { watchRun } from '../src/run/follow.js';
import type { Trace } from '../src/run/trace.js';

const flow: Flow = {
  schema: FLOW_SCHEMA_V1,
  id: 'triage',
  name: 'Triage',
  nodes: [
    { id: 'route', type: 'condition', name: 'Routine?', position: { x: 0, y: 0 }, config: { branches: [{ id: 'routine', label: 'Routine billing', when: "category == 'billing'" }] } },
    { id: 'draft', type: 'prompt', position: { x: 0, y: 0 }, config: {} },
  ],
  edges: [],
};

describe('how the run panel words a step', () => {
  it('names a step by the node name in the flow, then the name it ran with, then its id', () => {
    expect(stepName(flow, { nodeId: 'route', name: 'Old name' })).toBe('Routine?');
    expect(stepName(flow, { nodeId: 'gone', name: 'Removed since' })).toBe('Removed since');
    expect(stepName(flow, { nodeId: 'draft' })).toBe('draft');
  });

  it("says which branch a condition took and the expression that decided it", () => {
    const took = { branch: 'routine', evaluated: [{ branch: 'routine', when: "category == 'billing'", value: true }] };
    expect(describeCondition(took, flow, 'route')).toBe(`Took "Routine billing": category == 'billing' is true.`);
    const fellThrough = { branch: 'else', evaluated: [{ branch: 'routine', when: "category == 'billing'", value: false }] };
    expect(describeCondition(fellThrough, flow, 'route')).toBe(`Took "else": no branch held (category == 'billing' is false).`);
    // An approval's decision is not a condition's.
    expect(describeCondition({ approved: true }, flow, 'route')).toBeUndefined();
  });

  it("words a person's answer, durations, cost and a deadline", () => {
    expect(describeAnswer({ approved: true, by: 'editor', comment: 'checked', edited: true })).toBe('Approved by editor: “checked” (payload edited)');
    expect(describeAnswer({ approved: false, timedOut: true })).toBe('Rejected (no answer in time)');
    expect([formatDuration(12.4), formatDuration(1530), formatDuration(125_000)]).toEqual(['12 ms', '1.5 s', '2 min 5 s']);
    expect(formatCost({ inputTokens: 1, outputTokens: 1, totalTokens: 2, modelCalls: 1, costUsd: 0.00123 })).toBe('$0.0012');
    expect(formatCost({ inputTokens: 1, outputTokens: 1, totalTokens: 2, modelCalls: 1, costUsd: null })).toBeUndefined();
    expect(formatCost({ inputTokens: 1, outputTokens: 1, totalTokens: 2, modelCalls: 1, costUsd: 0.00001 })).toBe('< $0.0001');
    expect(formatCost({ inputTokens: 1, outputTokens: 1, totalTokens: 2, modelCalls: 1, costUsd: 0 })).toBeUndefined();
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(timeLeft('2026-01-03T00:00:00Z', now)).toBe('in 2 days');
    expect(timeLeft('2026-01-01T03:00:00Z', now)).toBe('in 3 h');
    expect(timeLeft('2025-12-31T00:00:00Z', now)).toBe('passed');
  });
});

describe('opening a past run', () => {
  const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: null };
  const events = (count: number): RunEvent[] => [
    { runId: 'r', seq: 1, ts: 't', type: 'run.started', data: { flowId: 'triage', flowVersion: 2, input: {} } },
    ...Array.from({ length: count }, (_, i): RunEvent => ({ runId: 'r', seq: i + 2, ts: 't', type: 'node.delta', nodeId: 'draft', data: { text: 'x' } })),
    { runId: 'r', seq: count + 2, ts: 't', type: 'run.completed', data: { output: 'done', durationMs: 5, usage } },
  ];

  it('reads every page of an ended run, so a long trace shows whole', async () => {
    const all = [...events(1500)];
    const asked: number[] = [];
    const api = {
      listEvents: async (_id: string, q: { after?: number; limit?: number }): Promise<EventPage> => {
        asked.push(q.after ?? 0);
        const items = all.filter((e) => e.seq > (q.after ?? 0)).slice(0, q.limit ?? 1000);
        return { items, lastSeq: items.at(-1)?.seq ?? q.after ?? 0 };
      },
    } as unknown as ApiClient;
    let shown: Trace | undefined;
    await new Promise<void>((resolve, reject) => watchRun(api, { id: 'r', status: 'succeeded' }, { onTrace: (t) => (shown = t), onError: reject, onEnd: resolve }));
    expect(asked).toEqual([0, 1000]);
    expect(shown).toMatchObject({ status: 'succeeded', flowVersion: 2, output: 'done' });
    expect(shown?.steps).toEqual([]);
  });

  it('follows a run that has not ended from its first event', () => {
    const followed: Array<{ id: string; after?: number }> = [];
    const api = {
      followRun: (id: string, onEvent: (e: RunEvent) => void, options: { after?: number }) => {
        followed.push({ id, after: options.after });
        for (const e of events(0)) onEvent(e);
        return () => {};
      },
    } as unknown as ApiClient;
    let shown: Trace | undefined;
    watchRun(api, { id: 'r', status: 'waiting' }, { onTrace: (t) => (shown = t), onError: (m) => expect.fail(m) });
    expect(followed).toEqual([{ id: 'r', after: undefined }]);
    expect(shown?.status).toBe('succeeded');
  });

  it('says why a trace could not be loaded', async () => {
    const api = { listEvents: () => Promise.reject(new Error('run "r" not found')) } as unknown as ApiClient;
    const message = await new Promise<string>((resolve) => watchRun(api, { id: 'r', status: 'failed' }, { onTrace: () => {}, onError: resolve }));
    expect(message).toBe('Could not load the run\'s trace: run "r" not found');
  });
});
