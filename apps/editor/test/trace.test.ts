import type { RunEvent } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { applyEvent, emptyTrace, statusByNode } from '../src/run/trace.js';

const usage = { inputTokens: 3, outputTokens: 4, totalTokens: 7, modelCalls: 1, costUsd: null };
let seq = 0;
const ev = (e: Record<string, unknown>) => ({ runId: 'r', ts: '2026-01-01T00:00:00Z', seq: ++seq, ...e }) as unknown as RunEvent;

describe('the trace a run panel shows', () => {
  it('follows steps, streamed text, tool calls, a wait and the end, ignoring a repeated event', () => {
    seq = 0;
    const events = [
      ev({ type: 'run.started', data: { flowId: 'f', input: {} } }),
      ev({ type: 'node.started', nodeId: 'ask', data: { kind: 'agent', attempt: 1 } }),
      ev({ type: 'node.delta', nodeId: 'ask', data: { text: 'Let me ' } }),
      ev({ type: 'node.tool_call', nodeId: 'ask', data: { toolCallId: 't1', tool: 'lookup', args: { id: 1 } } }),
      ev({ type: 'node.tool_result', nodeId: 'ask', data: { toolCallId: 't1', tool: 'lookup', result: { ok: true } } }),
      ev({ type: 'node.delta', nodeId: 'ask', data: { text: 'check.' } }),
      ev({ type: 'node.completed', nodeId: 'ask', data: { output: 'done', durationMs: 12, usage, ports: ['out'], models: [{ requested: 'openai:x', provider: 'test', modelId: 'x', testReason: 'no OPENAI_API_KEY' }] } }),
      ev({ type: 'node.skipped', nodeId: 'other', data: { reason: 'no branch' } }),
      ev({ type: 'node.started', nodeId: 'ok', data: { kind: 'approval', attempt: 1 } }),
      ev({ type: 'run.waiting', nodeId: 'ok', data: { waitId: 'ok', kind: 'approval', message: 'Send?', payload: { a: 1 } } }),
    ];
    let trace = emptyTrace();
    for (const e of events) trace = applyEvent(trace, e);
    trace = applyEvent(trace, events[2]!); // delivered again after a reconnect
    expect(trace.status).toBe('waiting');
    expect(trace.waiting).toEqual({ nodeId: 'ok', waitId: 'ok', message: 'Send?', payload: { a: 1 } });
    const ask = trace.steps.find((s) => s.nodeId === 'ask')!;
    expect(ask.text).toBe('Let me check.');
    expect(ask.tools).toEqual([{ id: 't1', tool: 'lookup', args: { id: 1 }, result: { ok: true } }]);
    expect(trace.testProvider).toEqual(['ask (no OPENAI_API_KEY)']);
    expect(Object.fromEntries(statusByNode(trace))).toEqual({ ask: 'succeeded', other: 'skipped', ok: 'waiting' });

    trace = applyEvent(trace, ev({ type: 'run.resumed', nodeId: 'ok', data: { reason: 'decision', waitId: 'ok', decision: { approved: true } } }));
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'ok', data: { kind: 'approval', attempt: 1, resumed: true } }));
    trace = applyEvent(trace, ev({ type: 'node.completed', nodeId: 'ok', data: { output: {}, durationMs: 1, usage, ports: ['approved'] } }));
    trace = applyEvent(trace, ev({ type: 'run.completed', data: { output: { sent: true }, durationMs: 40, usage } }));
    expect(trace.waiting).toBeUndefined();
    expect(trace.steps.filter((s) => s.nodeId === 'ok')).toHaveLength(1);
    expect(trace).toMatchObject({ status: 'succeeded', output: { sent: true }, durationMs: 40 });
  });

  it('keeps a retried step running and shows the failure that ended a run', () => {
    seq = 0;
    let trace = emptyTrace();
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'a', data: { kind: 'prompt', attempt: 1 } }));
    trace = applyEvent(trace, ev({ type: 'node.failed', nodeId: 'a', data: { error: { code: 'x', message: 'rate limited' }, durationMs: 3, attempt: 1, willRetry: true } }));
    expect(trace.steps[0]!.status).toBe('running');
    trace = applyEvent(trace, ev({ type: 'node.failed', nodeId: 'a', data: { error: { code: 'x', message: 'still rate limited' }, durationMs: 3, attempt: 2, willRetry: false } }));
    trace = applyEvent(trace, ev({ type: 'run.failed', data: { error: { code: 'x', message: 'still rate limited' }, usage } }));
    expect(trace).toMatchObject({ status: 'failed', error: 'still rate limited', steps: [{ status: 'failed', error: 'still rate limited' }] });
  });
});
