import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { createFlowStore } from '../src/store/flow-store.js';
import { checkConnection, uniqueId } from '../src/store/graph-edit.js';

/** input → classify (prompt) → done (output), saved as version 3. */
function triage(): Flow {
  return {
    schema: FLOW_SCHEMA_V1,
    id: 'triage',
    name: 'Triage',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
      { id: 'classify', type: 'prompt', position: { x: 240, y: 0 }, config: { model: 'test:echo', prompt: { template: 'Classify: {{ input.message }}' } } },
      { id: 'done', type: 'output', position: { x: 480, y: 0 }, config: { value: { reply: '{{ nodes.classify.output }}' } } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
      { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'done', targetHandle: 'in' },
    ],
  };
}

function loaded() {
  const store = createFlowStore();
  store.getState().load(triage(), 3);
  return store;
}

const ids = (doc: Flow) => doc.nodes.map((n) => n.id);
const codes = (store: ReturnType<typeof loaded>, nodeId: string) => (store.getState().problemsByNode().get(nodeId) ?? []).map((p) => p.code);

describe('flow store: editing', () => {
  it('loads a document as saved, with no history and no problems', () => {
    const store = loaded();
    const s = store.getState();
    expect(s.savedVersion).toBe(3);
    expect(s.isDirty()).toBe(false);
    expect(s.canUndo()).toBe(false);
    expect(s.problems).toEqual([]);
  });

  it('adds nodes with ids from their kind and the kind\'s default config, and selects them', () => {
    const store = loaded();
    const a = store.getState().addNode('prompt', { x: 10, y: 20 });
    const b = store.getState().addNode('prompt', { x: 10, y: 120 });
    const c = store.getState().addNode('prompt', { x: 10, y: 220 });
    expect([a, b, c]).toEqual(['prompt', 'prompt-2', 'prompt-3']);
    const node = store.getState().document.nodes.find((n) => n.id === 'prompt-2')!;
    expect(node.position).toEqual({ x: 10, y: 120 });
    expect(node.config).toMatchObject({ prompt: { template: expect.any(String) } });
    expect(store.getState().selection).toEqual({ nodes: ['prompt-3'], edges: [] });
    expect(() => store.getState().addNode('nope', { x: 0, y: 0 })).toThrow(/unknown node kind "nope"/);
  });

  it('connects handles and gives a reason for each refused connection', () => {
    const store = loaded();
    const s = () => store.getState();
    s().addNode('agent', { x: 0, y: 200 });
    s().addNode('tool', { x: 0, y: 400 });

    expect(s().connect({ source: 'classify', sourceHandle: 'out', target: 'agent', targetHandle: 'in' })).toEqual({ ok: true, edgeId: 'e3' });
    expect(s().connect({ source: 'tool', sourceHandle: 'tool', target: 'agent', targetHandle: 'tools' })).toMatchObject({ ok: true });

    const refused = (c: Parameters<ReturnType<typeof s>['connect']>[0]) => {
      const r = s().connect(c);
      expect(r.ok).toBe(false);
      return r.ok ? '' : r.reason;
    };
    expect(refused({ source: 'ghost', sourceHandle: 'out', target: 'done', targetHandle: 'in' })).toMatch(/no node "ghost"/);
    expect(refused({ source: 'classify', sourceHandle: 'out', target: 'classify', targetHandle: 'in' })).toMatch(/itself/);
    expect(refused({ source: 'classify', sourceHandle: 'nope', target: 'done', targetHandle: 'in' })).toMatch(/no output "nope" \(it has: "out"\)/);
    expect(refused({ source: 'in', sourceHandle: 'out', target: 'in', targetHandle: 'in' })).toMatch(/itself/);
    expect(refused({ source: 'classify', sourceHandle: 'out', target: 'in', targetHandle: 'in' })).toMatch(/no input "in" \(it has no inputs\)/);
    expect(refused({ source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' })).toMatch(/already connected/);
    // tool vs data, both ways
    expect(refused({ source: 'classify', sourceHandle: 'out', target: 'agent', targetHandle: 'tools' })).toMatch(/gives data, but "agent".tools takes a tool/);
    expect(refused({ source: 'tool', sourceHandle: 'tool', target: 'done', targetHandle: 'in' })).toMatch(/gives a tool, but "done".in takes data/);
    // a node attached as a tool is not also a step
    expect(refused({ source: 'tool', sourceHandle: 'out', target: 'done', targetHandle: 'in' })).toMatch(/attached to "agent" as a tool/);
    // cycle: done ← classify ← in; agent ← classify. agent → classify closes classify → agent → classify.
    expect(refused({ source: 'agent', sourceHandle: 'out', target: 'classify', targetHandle: 'in' })).toMatch(
      /cycle \(agent → classify → agent\)/,
    );
    // canConnect gives the same answer and changes nothing
    const edges = s().document.edges.length;
    expect(s().canConnect({ source: 'agent', sourceHandle: 'out', target: 'classify', targetHandle: 'in' }).ok).toBe(false);
    expect(s().canConnect({ source: 'agent', sourceHandle: 'out', target: 'done', targetHandle: 'in' })).toEqual({ ok: true });
    expect(s().document.edges.length).toBe(edges);
  });

  it('refuses a longer cycle and allows joins (an input takes several wires)', () => {
    const doc = triage();
    doc.nodes.push({ id: 'p2', type: 'prompt', position: { x: 0, y: 0 }, config: { prompt: { template: 'x' } } });
    doc.edges.push({ id: 'e3', source: 'done', sourceHandle: 'out', target: 'p2', targetHandle: 'in' });
    expect(checkConnection(doc, { source: 'in', target: 'done' })).toEqual({ ok: true }); // null handles default to out/in
    doc.nodes[2] = { id: 'done', type: 'prompt', position: { x: 0, y: 0 }, config: { prompt: { template: 'y' } } };
    const r = checkConnection(doc, { source: 'p2', sourceHandle: 'out', target: 'in', targetHandle: 'in' });
    expect(r.ok).toBe(false);
    const r2 = checkConnection(doc, { source: 'p2', sourceHandle: 'out', target: 'classify', targetHandle: 'in' });
    expect(r2).toEqual({ ok: false, reason: expect.stringContaining('p2 → classify → done → p2') });
  });

  it('removes nodes with their edges, and the selection with it', () => {
    const store = loaded();
    store.getState().select(['classify', 'e2']);
    store.getState().removeSelected();
    const doc = store.getState().document;
    expect(ids(doc)).toEqual(['in', 'done']);
    expect(doc.edges).toEqual([]);
    expect(store.getState().selection).toEqual({ nodes: [], edges: [] });
    store.getState().undo();
    expect(ids(store.getState().document)).toEqual(['in', 'classify', 'done']);
    expect(store.getState().document.edges.map((e) => e.id)).toEqual(['e1', 'e2']);

    store.getState().removeNodes(['done']);
    expect(store.getState().document.edges.map((e) => e.id)).toEqual(['e1']);
    store.getState().removeEdges(['e1']);
    expect(store.getState().document.edges).toEqual([]);
  });

  it('updates a node: name, config (replaced, not merged), policy', () => {
    const store = loaded();
    expect(store.getState().updateNode('classify', { name: 'Classify', config: { prompt: { template: 'Hi' } }, policy: { retries: 2 } })).toBe(true);
    let node = store.getState().document.nodes[1]!;
    expect(node).toMatchObject({ name: 'Classify', config: { prompt: { template: 'Hi' } }, policy: { retries: 2 } });
    expect(node.config).not.toHaveProperty('model');
    store.getState().updateNode('classify', { name: '', policy: null });
    node = store.getState().document.nodes[1]!;
    expect(node).not.toHaveProperty('name');
    expect(node).not.toHaveProperty('policy');
    expect(store.getState().updateNode('ghost', { name: 'x' })).toBe(false);
  });

  it('renames the flow and sets its description', () => {
    const store = loaded();
    store.getState().renameFlow('Support triage');
    store.getState().setDescription('Routes tickets');
    expect(store.getState().document).toMatchObject({ name: 'Support triage', description: 'Routes tickets' });
    store.getState().setDescription('');
    expect(store.getState().document).not.toHaveProperty('description');
  });
});

describe('flow store: undo and redo', () => {
  it('undoes and redoes each kind of change', () => {
    const store = loaded();
    const s = () => store.getState();
    const steps: [string, () => void][] = [
      ['add', () => s().addNode('prompt', { x: 0, y: 0 })],
      ['connect', () => s().connect({ source: 'in', sourceHandle: 'out', target: 'prompt', targetHandle: 'in' })],
      ['move', () => s().moveNodes({ prompt: { x: 50, y: 50 } }, { final: true })],
      ['update', () => s().updateNode('prompt', { name: 'P' })],
      ['rename', () => s().renameFlow('Renamed')],
      ['describe', () => s().setDescription('About')],
      ['remove edges', () => s().removeEdges(['e1'])],
      ['remove nodes', () => s().removeNodes(['done'])],
    ];
    const history: Flow[] = [s().document];
    for (const [, step] of steps) {
      step();
      history.push(s().document);
    }
    for (let i = steps.length - 1; i >= 0; i--) {
      expect(s().canUndo()).toBe(true);
      s().undo();
      expect(s().document, `undo ${steps[i]![0]}`).toEqual(history[i]);
    }
    expect(s().canUndo()).toBe(false);
    for (let i = 1; i <= steps.length; i++) {
      s().redo();
      expect(s().document, `redo ${steps[i - 1]![0]}`).toEqual(history[i]);
    }
    expect(s().canRedo()).toBe(false);
  });

  it('makes one drag one undo step', () => {
    const store = loaded();
    const s = () => store.getState();
    for (let x = 1; x <= 20; x++) s().moveNodes({ classify: { x: 240 + x, y: x } }, { final: false });
    s().moveNodes({ classify: { x: 260, y: 20 } }, { final: true }); // the drop repeats the last frame
    expect(store.temporal.getState().pastStates).toHaveLength(1);
    expect(s().document.nodes[1]!.position).toEqual({ x: 260, y: 20 });
    s().undo();
    expect(s().document.nodes[1]!.position).toEqual({ x: 240, y: 0 });
    expect(s().canUndo()).toBe(false);
    s().redo();
    expect(s().document.nodes[1]!.position).toEqual({ x: 260, y: 20 });

    // two drags are two steps
    s().moveNodes({ in: { x: 5, y: 5 } }, { final: false });
    s().moveNodes({ in: { x: 9, y: 9 } }, { final: true });
    expect(store.temporal.getState().pastStates).toHaveLength(2);
  });

  it('keeps a drag interrupted by another edit as its own step', () => {
    const store = loaded();
    const s = () => store.getState();
    s().moveNodes({ done: { x: 600, y: 0 } }, { final: false });
    s().renameFlow('Other');
    s().undo();
    expect(s().document.name).toBe('Triage');
    expect(s().document.nodes[2]!.position).toEqual({ x: 600, y: 0 });
    s().undo();
    expect(s().document.nodes[2]!.position).toEqual({ x: 480, y: 0 });
  });

  it('does not undo selection changes', () => {
    const store = loaded();
    const s = () => store.getState();
    s().renameFlow('Renamed');
    s().select(['in']);
    s().select(['classify'], { additive: true });
    s().selectAll();
    s().clearSelection();
    s().select({ edges: ['e1'] });
    expect(store.temporal.getState().pastStates).toHaveLength(1);
    s().undo();
    expect(s().document.name).toBe('Triage');
    expect(s().selection).toEqual({ nodes: [], edges: ['e1'] });
  });

  it('drops ids from the selection that undo removed', () => {
    const store = loaded();
    const id = store.getState().addNode('prompt', { x: 0, y: 0 });
    expect(store.getState().selection.nodes).toEqual([id]);
    store.getState().undo();
    expect(store.getState().selection.nodes).toEqual([]);
  });
});

describe('flow store: saved state', () => {
  it('is dirty after an edit and clean again after undoing back to the saved document', () => {
    const store = loaded();
    const s = () => store.getState();
    s().addNode('prompt', { x: 0, y: 0 });
    expect(s().isDirty()).toBe(true);
    expect(s().dirty).toBe(true);
    s().undo();
    expect(s().isDirty()).toBe(false);
    s().redo();
    expect(s().isDirty()).toBe(true);
    s().markSaved(4);
    expect(s().isDirty()).toBe(false);
    expect(s().savedVersion).toBe(4);
    s().undo(); // back before the save: differs from what is saved now
    expect(s().isDirty()).toBe(true);
    expect(s().canUndo()).toBe(false); // saving is not a step
  });

  it('a move there and back is not a change', () => {
    const store = loaded();
    store.getState().moveNodes({ in: { x: 10, y: 0 } }, { final: true });
    expect(store.getState().dirty).toBe(true);
    store.getState().moveNodes({ in: { x: 0, y: 0 } }, { final: true });
    expect(store.getState().dirty).toBe(false);
  });

  it('load clears history', () => {
    const store = loaded();
    store.getState().renameFlow('x');
    store.getState().load(triage(), 5);
    expect(store.getState().canUndo()).toBe(false);
    expect(store.getState().isDirty()).toBe(false);
  });
});

describe('flow store: clipboard', () => {
  it('pastes copies with fresh ids, the edges between them, offset by 40px, as the new selection', () => {
    const store = loaded();
    const s = () => store.getState();
    s().select(['classify', 'done']);
    expect(s().copySelection()).toBe(2);
    const pasted = s().paste();
    expect(pasted).toEqual(['classify-2', 'done-2']);
    const doc = s().document;
    expect(doc.nodes.find((n) => n.id === 'classify-2')!.position).toEqual({ x: 280, y: 40 });
    const copied = doc.edges.filter((e) => pasted.includes(e.source) || pasted.includes(e.target));
    expect(copied).toEqual([{ id: 'e3', source: 'classify-2', sourceHandle: 'out', target: 'done-2', targetHandle: 'in' }]); // e1 came from outside
    expect(s().selection).toEqual({ nodes: ['classify-2', 'done-2'], edges: ['e3'] });
    // a second paste lands further on, with ids of its own
    expect(s().paste()).toEqual(['classify-3', 'done-3']);
    expect(s().document.nodes.find((n) => n.id === 'classify-3')!.position).toEqual({ x: 320, y: 80 });
    // one undo step per paste
    s().undo();
    expect(ids(s().document)).toEqual(['in', 'classify', 'done', 'classify-2', 'done-2']);
  });

  it('a paste does not share config objects with the original', () => {
    const store = loaded();
    store.getState().select(['classify']);
    store.getState().copySelection();
    store.getState().updateNode('classify', { config: { prompt: { template: 'changed' } } });
    const [id] = store.getState().paste();
    const copy = store.getState().document.nodes.find((n) => n.id === id)!;
    expect(copy.config).toMatchObject({ prompt: { template: 'Classify: {{ input.message }}' } });
  });

  it('duplicates the selection without touching the clipboard', () => {
    const store = loaded();
    const s = () => store.getState();
    s().select(['in', 'classify']);
    expect(s().duplicateSelection()).toEqual(['in-2', 'classify-2']);
    expect(s().clipboard).toBeUndefined();
    expect(s().document.edges.at(-1)).toMatchObject({ source: 'in-2', target: 'classify-2' });
    // two input nodes is a problem the duplicate shows
    expect(codes(store, 'in-2')).toContain('multiple_inputs');
  });

  it('new ids are plain and unique', () => {
    expect(uniqueId('prompt', new Set())).toBe('prompt');
    expect(uniqueId('classify-2', new Set(['classify', 'classify-2']))).toBe('classify-3');
    expect(uniqueId('my kind', new Set())).toBe('my_kind');
    expect(uniqueId('9lives', new Set())).toBe('_9lives');
  });
});

describe('flow store: problems per node', () => {
  it('shows problems on nodes and follows edits', () => {
    const store = loaded();
    const s = () => store.getState();
    expect(s().problemsByNode().size).toBe(0);

    const id = s().addNode('prompt', { x: 0, y: 300 });
    expect(codes(store, id)).toContain('unreachable');
    s().connect({ source: 'in', sourceHandle: 'out', target: id, targetHandle: 'in' });
    expect(codes(store, id)).not.toContain('unreachable');

    // A condition whose branch is renamed leaves its edge on a handle that no longer exists.
    const cond = s().addNode('condition', { x: 0, y: 500 });
    s().connect({ source: 'in', sourceHandle: 'out', target: cond, targetHandle: 'in' });
    expect(s().connect({ source: cond, sourceHandle: 'yes', target: id, targetHandle: 'in' }).ok).toBe(true);
    s().updateNode(cond, { config: { branches: [{ id: 'maybe', when: 'true' }] } });
    const dangling = s().problemsByNode().get(id) ?? [];
    expect(dangling.map((p) => p.code)).toContain('unknown_handle'); // the edge's problem shows on its target
    expect(dangling.find((p) => p.code === 'unknown_handle')!.message).toMatch(/no output "yes"/);
    s().undo();
    expect(codes(store, id)).not.toContain('unknown_handle');
  });

  it('gives the same map while nothing changed (safe as a React selector)', () => {
    const store = loaded();
    store.getState().addNode('prompt', { x: 0, y: 0 });
    const first = store.getState().problemsByNode();
    store.getState().select(['in']);
    store.getState().moveNodes({ in: { x: 1, y: 1 } });
    expect(store.getState().problemsByNode()).toBe(first);
  });
});

describe('flow store: opened with the problems the runner found', () => {
  it('takes them as they are (no second check before it is drawn), and checks again on the first edit', () => {
    const broken = { ...triage(), edges: [] };
    const given = [{ severity: 'error' as const, code: 'unreachable' as const, nodeId: 'done', path: ['nodes', 2], message: 'as the runner said' }];
    const store = createFlowStore(broken, 1, { problems: given });
    expect(store.getState().problems).toBe(given);
    expect(store.getState().dirty).toBe(false);
    // A move keeps them (moves do not change problems); an edit checks the document itself.
    store.getState().moveNodes({ in: { x: 10, y: 10 } });
    expect(store.getState().problems).toBe(given);
    store.getState().updateNode('classify', { name: 'Classify it' });
    expect(store.getState().problems).not.toBe(given);
    expect(codes(store as unknown as ReturnType<typeof loaded>, 'done')).toContain('unreachable');
    expect(codes(store as unknown as ReturnType<typeof loaded>, 'classify')).toContain('unreachable');
  });
});
