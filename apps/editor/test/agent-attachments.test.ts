import { FLOW_SCHEMA_V1, type Flow, type RunEvent } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { checkConnection } from '../src/store/graph-edit.js';
import { applyEvent, emptyTrace } from '../src/run/trace.js';

const agent = (id: string) => ({ id, type: 'agent', position: { x: 0, y: 0 }, config: { model: 'test:m', instructions: `You are ${id}.` } });

function doc(): Flow {
  return {
    schema: FLOW_SCHEMA_V1,
    id: 'support',
    name: 'Support',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
      agent('triage'),
      agent('billing'),
      { id: 'lookup', type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'transform', expression: '1' } },
    ],
    edges: [{ id: 'e1', source: 'in', sourceHandle: 'out', target: 'triage', targetHandle: 'in' }],
  };
}

describe('wiring agents to agents', () => {
  it('takes an agent on handoffs or tools, and refuses a tool on handoffs with the reason', () => {
    expect(checkConnection(doc(), { source: 'billing', sourceHandle: 'agent', target: 'triage', targetHandle: 'handoffs' })).toEqual({ ok: true });
    expect(checkConnection(doc(), { source: 'billing', sourceHandle: 'agent', target: 'triage', targetHandle: 'tools' })).toEqual({ ok: true });
    expect(checkConnection(doc(), { source: 'lookup', sourceHandle: 'tool', target: 'triage', targetHandle: 'handoffs' })).toEqual({
      ok: false,
      reason: '"lookup" (tool) cannot be attached at handoffs: only agents can be handoff targets',
    });
    // The step agent runs as a step, so it cannot also be another agent's handoff target.
    expect(checkConnection(doc(), { source: 'triage', sourceHandle: 'agent', target: 'billing', targetHandle: 'handoffs' }).ok).toBe(false);
  });
});

describe('the trace of attached agents', () => {
  it('keeps handoffs, nested text and which agent made each tool call', () => {
    let seq = 0;
    const ev = (e: Record<string, unknown>) => ({ runId: 'r', ts: '2026-01-01T00:00:00Z', seq: ++seq, nodeId: 'triage', ...e }) as unknown as RunEvent;
    let trace = emptyTrace();
    for (const e of [
      ev({ type: 'node.started', data: { kind: 'agent', attempt: 1 } }),
      ev({ type: 'node.delta', data: { text: 'Passing you on.' } }),
      ev({ type: 'node.handoff', data: { from: 'triage', to: 'billing', reason: 'money', count: 1, history: 'full' } }),
      ev({ type: 'node.delta', data: { text: 'Refund ', agent: 'billing', path: ['billing'] } }),
      ev({ type: 'node.delta', data: { text: 'issued.', agent: 'billing', path: ['billing'] } }),
      ev({ type: 'node.tool_call', data: { toolCallId: 'c1', tool: 'refund', args: {}, agent: 'billing', path: ['billing'] } }),
    ]) trace = applyEvent(trace, e);
    const [step] = trace.steps;
    expect(step!.text).toBe('Passing you on.');
    expect(step!.handoffs).toEqual([{ from: 'triage', to: 'billing', reason: 'money', count: 1, history: 'full' }]);
    expect(step!.nestedText).toEqual([{ agent: 'billing', path: ['billing'], text: 'Refund issued.' }]);
    expect(step!.tools).toEqual([{ id: 'c1', tool: 'refund', args: {}, agent: 'billing', path: ['billing'] }]);
  });
});
