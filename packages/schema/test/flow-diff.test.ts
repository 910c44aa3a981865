import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLOW_DIFF_MAX_CHANGES, diffFlows, isEmptyDiff, type Flow, type FlowEdge, type FlowNode } from '../src/index.js';

const base = (): Flow => ({
  schema: 'trellis.flow/v1',
  id: 'triage',
  name: 'Triage',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
    { id: 'classify', type: 'prompt', name: 'Classify ticket', position: { x: 240, y: 0 }, config: { model: 'openai:gpt-4.1-mini', prompt: { template: 'Classify: {{ input.message }}' } } },
    { id: 'route', type: 'condition', position: { x: 480, y: 0 }, config: { branches: [{ id: 'billing', label: 'Billing', when: "category == 'billing'" }] } },
    { id: 'out', type: 'output', position: { x: 720, y: 0 }, config: { value: '{{ nodes.classify.output }}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
    { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'route', targetHandle: 'in' },
    { id: 'e3', source: 'route', sourceHandle: 'billing', target: 'out', targetHandle: 'in' },
  ],
});

const withNode = (flow: Flow, id: string, change: (n: FlowNode) => FlowNode): Flow => ({ ...flow, nodes: flow.nodes.map((n) => (n.id === id ? change(n) : n)) });

describe('diffFlows', () => {
  it('finds nothing between a flow and a copy of it', () => {
    const diff = diffFlows(base(), structuredClone(base()));
    expect(isEmptyDiff(diff)).toBe(true);
  });

  it('names the config field that changed, with its old and new value, under the node name', () => {
    const after = withNode(base(), 'classify', (n) => ({ ...n, config: { ...n.config, prompt: { template: 'Sort: {{ input.message }}' } } }));
    const diff = diffFlows(base(), after);
    expect(diff.nodes).toEqual([
      {
        id: 'classify',
        label: 'Classify ticket',
        change: 'changed',
        type: 'prompt',
        config: [{ path: 'prompt.template', before: 'Classify: {{ input.message }}', after: 'Sort: {{ input.message }}' }],
        policy: [],
      },
    ]);
    expect(diff.edges).toEqual([]);
    expect(diff.moved).toEqual([]);
  });

  it('tells added and removed config fields apart from changed ones', () => {
    const after = withNode(base(), 'classify', (n) => ({ ...n, config: { prompt: n.config.prompt, temperature: 0.2 } }));
    const { config } = diffFlows(base(), after).nodes[0]!;
    expect(config).toEqual([
      { path: 'model', before: 'openai:gpt-4.1-mini' },
      { path: 'temperature', after: 0.2 },
    ]);
  });

  it('walks lists of the same length item by item and reports a list that grew as a whole', () => {
    const edited = withNode(base(), 'route', (n) => ({ ...n, config: { branches: [{ id: 'billing', label: 'Billing', when: "category == 'refund'" }] } }));
    expect(diffFlows(base(), edited).nodes[0]!.config).toEqual([{ path: 'branches.0.when', before: "category == 'billing'", after: "category == 'refund'", items: { 'branches.0': 'Billing' } }]);

    const grown = withNode(base(), 'route', (n) => ({
      ...n,
      config: { branches: [...(n.config.branches as unknown[]), { id: 'tech', label: 'Tech', when: "category == 'tech'" }] },
    }));
    // An item is named by its label (else name, else id) so the editor can say branch “Billing”, not branches[0].
    const unlabelled = withNode(base(), 'route', (n) => ({ ...n, config: { branches: [{ id: 'billing', when: 'true' }] } }));
    expect(diffFlows(base(), unlabelled).nodes[0]!.config.find((c) => c.path === 'branches.0.when')).toMatchObject({ items: { 'branches.0': 'billing' } });

    const [change] = diffFlows(base(), grown).nodes[0]!.config;
    expect(change!.path).toBe('branches');
    expect((change!.before as unknown[]).length).toBe(1);
    expect((change!.after as unknown[]).length).toBe(2);
  });

  it('lists added and removed nodes, and the wires they brought or took, by what they connect', () => {
    const after: Flow = {
      ...base(),
      nodes: [...base().nodes.filter((n) => n.id !== 'route'), { id: 'draft', type: 'prompt', name: 'Draft reply', position: { x: 480, y: 200 }, config: {} }],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
        { id: 'x9', source: 'classify', sourceHandle: 'out', target: 'draft', targetHandle: 'in' },
        { id: 'x10', source: 'draft', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ],
    };
    const diff = diffFlows(base(), after);
    expect(diff.nodes.map((n) => [n.change, n.label])).toEqual([
      ['added', 'Draft reply'],
      ['removed', 'route'],
    ]);
    expect(diff.edges.map((e) => [e.change, e.label])).toEqual([
      ['added', 'Classify ticket.out → Draft reply.in'],
      ['added', 'Draft reply.out → out.in'],
      ['removed', 'Classify ticket.out → route.in'],
      ['removed', 'route.billing → out.in'],
    ]);
  });

  it('does not count a wire drawn again under another id as a change', () => {
    const after = { ...base(), edges: base().edges.map((e, i) => ({ ...e, id: `renamed${i}` })).reverse() };
    expect(isEmptyDiff(diffFlows(base(), after))).toBe(true);
  });

  it('reads a stored document that leaves out the format’s defaults (edge handles, position, config) as the same flow', () => {
    const stored = JSON.parse(JSON.stringify(base())) as Flow;
    for (const edge of stored.edges as Array<Partial<FlowEdge>>) {
      if (edge.sourceHandle === 'out') delete edge.sourceHandle;
      if (edge.targetHandle === 'in') delete edge.targetHandle;
    }
    const bare = { id: 'note', type: 'output' } as FlowNode;
    const withBare = { ...stored, nodes: [...stored.nodes, bare] };
    const parsed = { ...base(), nodes: [...base().nodes, { ...bare, position: { x: 0, y: 0 }, config: {} }] };
    expect(isEmptyDiff(diffFlows(withBare, parsed))).toBe(true);
    expect(diffFlows(withBare, base()).nodes).toEqual([expect.objectContaining({ id: 'note', change: 'removed' })]);
  });

  it('counts a duplicate wire once per copy', () => {
    const after = { ...base(), edges: [...base().edges, { ...base().edges[0]!, id: 'dup' }] };
    expect(diffFlows(base(), after).edges).toEqual([expect.objectContaining({ change: 'added', source: 'in', target: 'classify' })]);
  });

  it('lists moves apart, as minor, and a moved node that did not change is not a node change', () => {
    const after = withNode(base(), 'out', (n) => ({ ...n, position: { x: 800, y: 40 } }));
    const diff = diffFlows(base(), after);
    expect(diff.nodes).toEqual([]);
    expect(diff.moved).toEqual([{ id: 'out', label: 'out', before: { x: 720, y: 0 }, after: { x: 800, y: 40 } }]);
    expect(isEmptyDiff(diff)).toBe(false);
  });

  it('reports a renamed node, a changed kind and a changed run policy', () => {
    const after = withNode(base(), 'classify', (n) => ({ ...n, name: 'Sort ticket', type: 'agent', policy: { retries: 3 } }));
    const [change] = diffFlows(base(), after).nodes;
    expect(change).toMatchObject({
      label: 'Sort ticket',
      nameChanged: { before: 'Classify ticket', after: 'Sort ticket' },
      typeChanged: { before: 'prompt', after: 'agent' },
      policy: [{ path: 'retries', after: 3 }],
    });
    const unnamed = withNode(base(), 'classify', (n) => ({ ...n, name: undefined }));
    expect(diffFlows(base(), unnamed).nodes[0]!.nameChanged).toEqual({ before: 'Classify ticket' });
  });

  it('reports the flow’s own fields: name, description, vars, settings and samples by name', () => {
    const before: Flow = { ...base(), vars: { company: 'Parcelo', limit: 100 }, samples: [{ name: 'Billing', input: { message: 'refund?' } }, { name: 'Tech', input: { message: 'down' } }] };
    const after: Flow = {
      ...before,
      name: 'Ticket triage',
      description: 'Sorts tickets',
      vars: { company: 'Parcelo', limit: 150 },
      settings: { budget: { maxModelCalls: 10 } },
      // Reordered (no change) and one sample edited.
      samples: [{ name: 'Tech', input: { message: 'down again' } }, { name: 'Billing', input: { message: 'refund?' } }],
    };
    expect(diffFlows(before, after).flow).toEqual([
      { path: 'name', before: 'Triage', after: 'Ticket triage' },
      { path: 'description', after: 'Sorts tickets' },
      { path: 'vars.limit', before: 100, after: 150 },
      { path: 'settings', after: { budget: { maxModelCalls: 10 } } },
      { path: 'samples.Tech.input.message', before: 'down', after: 'down again' },
    ]);
  });

  it('does not report objects whose keys are only in another order', () => {
    const after = withNode(base(), 'in', (n) => ({ ...n, config: { schema: { type: 'object' } } }));
    const reordered = withNode(after, 'classify', (n) => ({ ...n, config: { prompt: n.config.prompt, model: n.config.model } }));
    expect(isEmptyDiff(diffFlows(base(), reordered))).toBe(true);
  });

  it('stays bounded: deep values are compared whole past the depth limit, and long change lists are cut short and say so', () => {
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 50; i++) deep = { next: deep };
    let deeper: Record<string, unknown> = { leaf: 2 };
    for (let i = 0; i < 50; i++) deeper = { next: deeper };
    const deepDiff = diffFlows(
      withNode(base(), 'out', (n) => ({ ...n, config: { value: deep } })),
      withNode(base(), 'out', (n) => ({ ...n, config: { value: deeper } })),
    );
    const [deepChange] = deepDiff.nodes[0]!.config;
    expect(deepChange!.path.split('.').length).toBeLessThan(15);
    expect(deepChange!.path.startsWith('value.next.next')).toBe(true);

    const wide = (v: number) => Object.fromEntries(Array.from({ length: FLOW_DIFF_MAX_CHANGES + 50 }, (_, i) => [`k${i}`, v]));
    const wideDiff = diffFlows(withNode(base(), 'out', (n) => ({ ...n, config: wide(1) })), withNode(base(), 'out', (n) => ({ ...n, config: wide(2) })));
    expect(wideDiff.nodes[0]!.config).toHaveLength(FLOW_DIFF_MAX_CHANGES);
    expect(wideDiff.nodes[0]!.truncated).toBe(true);
  });

  it('diffs the bundled example against itself and an edited copy quickly', () => {
    const example = JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as Flow;
    expect(isEmptyDiff(diffFlows(example, structuredClone(example)))).toBe(true);
    const edited = structuredClone(example);
    edited.nodes[1]!.config = { ...edited.nodes[1]!.config, temperature: 1.5 };
    const diff = diffFlows(example, edited);
    expect(diff.nodes.map((n) => n.id)).toEqual([edited.nodes[1]!.id]);
    expect(diff.nodes[0]!.config).toContainEqual({ path: 'temperature', ...(example.nodes[1]!.config.temperature === undefined ? {} : { before: example.nodes[1]!.config.temperature }), after: 1.5 });
  });
});
