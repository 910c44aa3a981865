import type { RunEvent } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { applyEvent, emptyTrace, statusByNode, stepInput, testProviderSteps, type Trace } from '../src/run/trace.js';

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
    expect(trace.waiting).toEqual({ nodeId: 'ok', waitId: 'ok', kind: 'approval', message: 'Send?', payload: { a: 1 } });
    const ask = trace.steps.find((s) => s.nodeId === 'ask')!;
    expect(ask.text).toBe('Let me check.');
    expect(ask.tools).toEqual([{ id: 't1', tool: 'lookup', args: { id: 1 }, result: { ok: true } }]);
    expect(testProviderSteps(trace).map(({ step, reason }) => [step.nodeId, reason])).toEqual([['ask', 'no OPENAI_API_KEY']]);
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
  it('keeps a retried step as one step, with each failed attempt and why', () => {
    seq = 0;
    let trace = emptyTrace();
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'a', data: { kind: 'prompt', attempt: 1 } }));
    trace = applyEvent(trace, ev({ type: 'node.failed', nodeId: 'a', data: { error: { code: 'x', message: 'rate limited' }, durationMs: 3, attempt: 1, willRetry: true, retryInMs: 500 } }));
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'a', data: { kind: 'prompt', attempt: 2 } }));
    trace = applyEvent(trace, ev({ type: 'node.completed', nodeId: 'a', data: { output: 'ok', durationMs: 9, usage, ports: ['out'] } }));
    expect(trace.steps).toHaveLength(1);
    expect(trace.steps[0]).toMatchObject({ status: 'succeeded', attempt: 2, retries: [{ attempt: 1, error: 'rate limited', retryInMs: 500 }] });
  });

  it('records what the run started with, names, skip reasons, a condition\'s decision, an answer and a deadline', () => {
    seq = 0;
    let trace = emptyTrace();
    const events = [
      ev({ type: 'run.started', ts: '2026-01-01T00:00:00.000Z', data: { flowId: 'f', flowVersion: 3, input: { message: 'hi' }, mocked: ['classify'] } }),
      ev({ type: 'node.started', ts: '2026-01-01T00:00:00.250Z', nodeId: 'route', data: { kind: 'condition', attempt: 1, name: 'Routine?' } }),
      ev({ type: 'node.completed', nodeId: 'route', data: { output: { branch: 'else' }, durationMs: 1, usage, ports: ['else'], decision: { branch: 'else', evaluated: [{ branch: 'b', when: 'x > 1', value: false }] } } }),
      ev({ type: 'node.skipped', nodeId: 'draft', data: { reason: 'branch "b" was not taken' } }),
      ev({ type: 'node.started', nodeId: 'ok', data: { kind: 'approval', attempt: 1 } }),
      ev({ type: 'run.waiting', nodeId: 'ok', data: { waitId: 'w1', kind: 'approval', message: 'Send?', deadline: '2026-01-03T00:00:00Z' } }),
    ];
    for (const e of events) trace = applyEvent(trace, e);
    expect(trace).toMatchObject({ flowVersion: 3, input: { message: 'hi' }, mocked: ['classify'], startedAt: '2026-01-01T00:00:00.000Z' });
    expect(trace.waiting?.deadline).toBe('2026-01-03T00:00:00Z');
    expect(trace.steps[0]).toMatchObject({ nodeId: 'route', name: 'Routine?', startedAt: '2026-01-01T00:00:00.250Z', decision: { branch: 'else' } });
    expect(trace.steps[1]).toMatchObject({ nodeId: 'draft', status: 'skipped', skipReason: 'branch "b" was not taken' });

    trace = applyEvent(trace, ev({ type: 'run.resumed', nodeId: 'ok', data: { reason: 'decision', waitId: 'w1', decision: { approved: false, by: 'dana', comment: 'too much' } } }));
    expect(trace.steps.find((s) => s.nodeId === 'ok')?.answers).toEqual([{ approved: false, by: 'dana', comment: 'too much' }]);
  });

  it('stops running and waiting steps when the run is cancelled', () => {
    seq = 0;
    let trace = emptyTrace();
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'a', data: { kind: 'agent', attempt: 1 } }));
    trace = applyEvent(trace, ev({ type: 'node.started', nodeId: 'b', data: { kind: 'approval', attempt: 1 } }));
    trace = applyEvent(trace, ev({ type: 'run.waiting', nodeId: 'b', data: { waitId: 'b', kind: 'approval', message: 'ok?' } }));
    trace = applyEvent(trace, ev({ type: 'run.cancelled', data: { reason: 'cancelled from the editor' } }));
    expect(trace).toMatchObject({ status: 'cancelled', cancelReason: 'cancelled from the editor' });
    expect(trace.waiting).toBeUndefined();
    expect(Object.fromEntries(statusByNode(trace))).toEqual({ a: 'cancelled', b: 'cancelled' });
  });

  it('rebuilds a step\'s input: the run input for the input node, else the outputs wired into it', () => {
    const flow: Flow = {
      schema: FLOW_SCHEMA_V1,
      id: 'f',
      name: 'F',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'lookup', type: 'tool', position: { x: 0, y: 0 }, config: {} },
        { id: 'agent', type: 'agent', position: { x: 0, y: 0 }, config: {} },
      ],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'agent', targetHandle: 'in' },
        { id: 'e2', source: 'lookup', sourceHandle: 'out', target: 'agent', targetHandle: 'tools' },
      ],
    };
    const trace: Trace = {
      ...emptyTrace(),
      input: { message: 'hi' },
      steps: [{ nodeId: 'in', status: 'succeeded', attempt: 1, output: { message: 'hi' }, text: '', tools: [], retries: [], answers: [] }],
    };
    expect(stepInput(trace, flow, 'in')).toEqual({ message: 'hi' });
    // A tool wired to the agent's tools handle is a tool it may call, not an input.
    expect(stepInput(trace, flow, 'agent')).toEqual({ in: { message: 'hi' } });
    expect(stepInput(trace, flow, 'lookup')).toBeUndefined();
  });
});
