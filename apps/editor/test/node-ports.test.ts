import { describe, expect, it } from 'vitest';
import { kinds } from '@trellis/nodes';
import type { Flow } from '@trellis/schema';
import { edgeLabel, isAttachment, placedPorts } from '../src/canvas/node-ports.js';
import { attachedRows, layoutFlow, DEFAULT_NODE_SIZE } from '../src/canvas/layout.js';
import { runOnCanvasOf, formatDuration, outputPreview } from '../src/canvas/run-on-canvas.js';
import type { Trace } from '../src/run/trace.js';

const config = (type: string, extra: Record<string, unknown> = {}) => ({ ...(kinds.get(type)!.defaults() as Record<string, unknown>), ...extra });

describe('port placement', () => {
  it('puts an agent’s data ports on the sides and its attachments on the bottom and top edges', () => {
    const ports = placedPorts('agent', config('agent'));
    expect(ports.inputs.map((p) => p.id)).toEqual(['in']);
    expect(ports.outputs.map((p) => p.id)).toEqual(['out']);
    expect(ports.attachments.map((p) => [p.id, p.label, Math.round(p.at)])).toEqual([
      ['tools', 'Tools', 33],
      ['handoffs', 'Handoffs', 67],
    ]);
    expect(ports.offers.map((p) => p.id)).toEqual(['agent']);
    expect(ports.labelled).toBe(false);
  });

  it('labels the outputs of a node that has several: a condition’s branches, an approval’s answers', () => {
    const condition = config('condition', { branches: [{ id: 'vip', label: 'VIP customer', when: 'true' }] });
    expect(placedPorts('condition', condition)).toMatchObject({ labelled: true, outputs: [{ id: 'vip', label: 'VIP customer' }, { id: 'else', label: 'Else' }] });
    expect(edgeLabel('condition', condition, 'vip')).toBe('VIP customer');
    expect(edgeLabel('approval', config('approval'), 'rejected')).toBe('Rejected');
    expect(edgeLabel('guardrail', config('guardrail'), 'pass')).toBe('Pass');
    // One output needs no label.
    expect(edgeLabel('prompt', config('prompt'), 'out')).toBeUndefined();
    expect(placedPorts('tool', config('tool'))).toMatchObject({ labelled: false, offers: [{ id: 'tool' }] });
  });

  it('tells attachment wires from data wires by the port they enter', () => {
    expect(isAttachment('agent', config('agent'), 'tools')).toBe(true);
    expect(isAttachment('agent', config('agent'), 'handoffs')).toBe(true);
    expect(isAttachment('agent', config('agent'), 'in')).toBe(false);
    expect(isAttachment(undefined, undefined, 'tools')).toBe(false);
  });

  it('gives a config it cannot read no handles rather than throwing', () => {
    expect(placedPorts('condition', { branches: 'nope' })).toMatchObject({ inputs: [], outputs: [] });
    expect(placedPorts('nonesuch', {}).outputs).toEqual([]);
  });
});

describe('auto-layout of attached nodes', () => {
  const node = (id: string, type: string) => ({ id, type, position: { x: 0, y: 0 }, config: config(type) });
  const edge = (source: string, target: string, sourceHandle = 'out', targetHandle = 'in') => ({ id: `${source}-${target}-${targetHandle}`, source, target, sourceHandle, targetHandle });
  const flow = {
    nodes: [node('in', 'input'), node('lead', 'agent'), node('worker', 'agent'), node('search', 'tool'), node('read', 'tool'), node('out', 'output')],
    edges: [edge('in', 'lead'), edge('lead', 'out'), edge('worker', 'lead', 'agent', 'tools'), edge('search', 'worker', 'tool', 'tools'), edge('read', 'worker', 'tool', 'tools'), edge('search', 'lead', 'tool', 'tools')],
  } as unknown as Pick<Flow, 'nodes' | 'edges'>;

  it('hangs each attached node below the first node it is attached to', () => {
    expect(attachedRows(flow.nodes, flow.edges)).toEqual(
      new Map([
        ['lead', ['worker']],
        ['worker', ['search', 'read']],
      ]),
    );
  });

  it('places them in rows below their agent, the data chain left to right and level', () => {
    const at = layoutFlow(flow);
    const h = DEFAULT_NODE_SIZE.height;
    expect(at.in!.y).toBe(at.lead!.y);
    expect(at.out!.y).toBe(at.lead!.y);
    expect(at.in!.x).toBeLessThan(at.lead!.x);
    expect(at.lead!.x).toBeLessThan(at.out!.x);
    expect(at.worker!.y).toBeGreaterThan(at.lead!.y + h);
    expect(at.search!.y).toBeGreaterThan(at.worker!.y + h);
    expect(at.read!.y).toBe(at.search!.y);
    // Row mates do not overlap, and the row is centred under its agent.
    expect(at.read!.x - at.search!.x).toBeGreaterThanOrEqual(DEFAULT_NODE_SIZE.width);
    expect((at.search!.x + at.read!.x) / 2).toBe(at.worker!.x);
  });

  it('keeps a node that also carries data in the chain', () => {
    const mixed = { nodes: flow.nodes, edges: [...flow.edges, edge('read', 'out', 'out', 'in')] } as Pick<Flow, 'nodes' | 'edges'>;
    expect(attachedRows(mixed.nodes, mixed.edges).get('worker')).toEqual(['search']);
  });
});

describe('the run on the canvas', () => {
  it('carries each step’s duration, tokens and output preview', () => {
    const trace = {
      status: 'succeeded',
      lastSeq: 3,
      steps: [
        { nodeId: 'classify', status: 'succeeded', attempt: 1, durationMs: 1234, usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15, modelCalls: 1, costUsd: null }, output: { category: 'billing' }, retries: [], text: '', tools: [], answers: [] },
        { nodeId: 'route', status: 'skipped', attempt: 1, retries: [], text: '', tools: [], answers: [] },
      ],
    } as unknown as Trace;
    const run = runOnCanvasOf(trace);
    expect(run.status.get('classify')).toBe('succeeded');
    expect(run.steps?.get('classify')).toEqual({ durationMs: 1234, tokens: 15, output: '{\n  "category": "billing"\n}' });
    expect(run.steps?.get('route')).toEqual({});
    expect(formatDuration(840)).toBe('840 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(outputPreview('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
