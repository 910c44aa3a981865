import { readFileSync } from 'node:fs';
import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import { describe, expect, it } from 'vitest';
import { absolutePosition, bodiesGoing, containerAt, containerSummary, hiddenByCollapse, levelChanges, parentsFirst } from '../src/canvas/bodies.js';
import { BODY_INSET, layoutFlow } from '../src/canvas/layout.js';
import { levelMoveMessage } from '../src/canvas/use-body-moves.js';
import { canvasEdges, canvasNodes, hiddenNodes } from '../src/canvas/use-canvas-elements.js';
import { templateEnv } from '../src/inspector/scope.js';
import { createFlowStore } from '../src/store/flow-store.js';
import { checkConnection, extractFragment, instantiateFragment } from '../src/store/graph-edit.js';

/** The map kind's own fixture: in → each (map: shout → item_out) → out. */
const fixture = (): Flow => JSON.parse(readFileSync(new URL('../../../packages/nodes/src/kinds/map/fixture.flow.json', import.meta.url), 'utf8')) as Flow;

/** The fixture with a lone transform step at the top level, to drag in and out. */
function withLoose(): Flow {
  const doc = fixture();
  doc.nodes.push({ id: 'loose', type: 'tool', position: { x: 400, y: 300 }, config: { tool: 'transform', expression: '1' } });
  doc.edges.push({ id: 'e9', source: 'in', sourceHandle: 'out', target: 'loose', targetHandle: 'in' });
  return doc;
}

const shown = { selected: new Set<string>(), counts: new Map<string, number>(), run: undefined, hidden: new Set<string>() };

describe('containers on the canvas', () => {
  it('draws a body as a React Flow sub-flow: parentId, containers first, relative positions, the container sized', () => {
    const doc = fixture();
    // Put the body before its container: React Flow needs the parent first.
    doc.nodes = [doc.nodes[2]!, doc.nodes[3]!, doc.nodes[0]!, doc.nodes[1]!, doc.nodes[4]!];
    const nodes = canvasNodes(doc.nodes, shown);
    expect(nodes.map((n) => n.id)).toEqual(['in', 'each', 'out', 'shout', 'item_out']);
    const each = nodes.find((n) => n.id === 'each')!;
    expect(each).toMatchObject({ type: 'container', width: 560, height: 220, position: { x: 260, y: 0 } });
    expect(each.data.summary).toBe('each item of input.words · 2 at once');
    const shout = nodes.find((n) => n.id === 'shout')!;
    expect(shout).toMatchObject({ type: 'trellis', parentId: 'each', position: { x: 40, y: 70 } });
    expect(shout.hidden).toBeUndefined();
    expect(absolutePosition(doc, 'shout')).toEqual({ x: 300, y: 70 });
    expect(parentsFirst(fixture().nodes)).toEqual(fixture().nodes);
  });

  it('hides a collapsed container\'s body and its wires, and says what it holds', () => {
    const doc = fixture();
    doc.nodes[1] = { ...doc.nodes[1]!, collapsed: true };
    const hidden = hiddenNodes(doc.nodes);
    expect([...hidden].sort()).toEqual(['item_out', 'shout']);
    const nodes = canvasNodes(doc.nodes, { ...shown, hidden });
    const each = nodes.find((n) => n.id === 'each')!;
    expect(each.width).toBeUndefined();
    expect(each.data).toMatchObject({ collapsed: true, body: '2 steps inside' });
    expect(nodes.filter((n) => n.hidden).map((n) => n.id)).toEqual(['shout', 'item_out']);
    expect(canvasEdges(doc.edges, new Set(), hidden).filter((e) => e.hidden).map((e) => e.id)).toEqual(['e2']);
    expect(hiddenByCollapse(fixture())).toEqual(new Set());
  });

  it('shows how many rounds of a body node are done', () => {
    const doc = fixture();
    const run = { status: new Map([['shout', 'running']]), rounds: new Map([['shout', { done: 12, total: 40 }]]) };
    const shout = canvasNodes(doc.nodes, { ...shown, run }).find((n) => n.id === 'shout')!;
    expect(shout.data).toMatchObject({ run: 'running', rounds: '12/40 done' });
  });

  it('finds the container under a point, innermost first, never the moving node itself', () => {
    const doc = fixture();
    doc.nodes.push({ id: 'again', type: 'loop', parent: 'each', position: { x: 20, y: 120 }, size: { width: 300, height: 90 }, config: { maxIterations: 2, until: 'true' } });
    expect(containerAt(doc, { x: 300, y: 100 })).toBe('each');
    expect(containerAt(doc, { x: 300, y: 150 })).toBe('again');
    expect(containerAt(doc, { x: 300, y: 150 }, ['again'])).toBe('each');
    expect(containerAt(doc, { x: 0, y: 0 })).toBeUndefined();
    expect(containerAt(doc, { x: 300, y: 150 }, ['each'])).toBeUndefined();
    expect(containerSummary(doc.nodes.at(-1)!)).toBe('until true · ≤ 2 rounds');
  });

  it('tells which dropped nodes now stand in another container, by the centre of their box', () => {
    const doc = withLoose();
    const size = () => ({ width: 160, height: 50 });
    expect(levelChanges(doc, ['loose'], size)).toEqual(new Map());
    doc.nodes.at(-1)!.position = { x: 500, y: 100 };
    expect(levelChanges(doc, ['loose'], size)).toEqual(new Map([['each', ['loose']]]));
    // A body node dragged well out of its container leaves it.
    doc.nodes[2]!.position = { x: 40, y: 400 };
    expect(levelChanges(doc, ['shout'], size)).toEqual(new Map([[undefined, ['shout']]]));
  });
});

describe('auto-layout and containers', () => {
  it('lays out each body on its own, inside its container, left to right', () => {
    const doc = fixture();
    const at = layoutFlow(doc, new Map([['each', { width: 560, height: 220 }]]));
    expect(at.shout).toEqual({ x: BODY_INSET.x, y: BODY_INSET.y });
    expect(at.item_out!.x).toBeGreaterThan(at.shout!.x);
    expect(at.item_out!.y).toBe(BODY_INSET.y);
    expect(at.in!.x).toBeLessThan(at.each!.x);
    expect(at.out!.x).toBeGreaterThan(at.each!.x + 560);
  });
});

describe('wires and containers', () => {
  it('refuses a wire that crosses a container\'s edge, with the loader\'s reason', () => {
    const check = checkConnection(fixture(), { source: 'in', sourceHandle: 'out', target: 'shout', targetHandle: 'in' });
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/^wires stay inside a body or outside it: "in" is at the flow's own level and "shout" is inside container "each"/) }) as unknown;
    expect(checkConnection(fixture(), { source: 'each', sourceHandle: 'out', target: 'item_out', targetHandle: 'in' }).ok).toBe(false);
    // The loader says the same of such an edge in a file.
    const doc = fixture();
    doc.edges.push({ id: 'x', source: 'in', sourceHandle: 'out', target: 'shout', targetHandle: 'in' });
    expect(validateFlow(doc).problems.find((p) => p.edgeId === 'x')?.message).toMatch(/wires stay inside a body or outside it/);
  });
});

describe('the store moves nodes in and out of bodies', () => {
  it('moves a node into a container where it stands, removes its outer wires, and undoes as one step with the drag', () => {
    const store = createFlowStore(withLoose());
    const s = () => store.getState();
    s().moveNodes({ loose: { x: 500, y: 100 } }, { final: false });
    const result = s().moveToLevel(['loose'], 'each', { endsDrag: true });
    expect(result).toMatchObject({ ok: true, removedEdges: [{ id: 'e9' }] });
    const loose = s().document.nodes.find((n) => n.id === 'loose')!;
    expect(loose).toMatchObject({ parent: 'each', position: { x: 240, y: 100 } });
    expect(s().document.edges.map((e) => e.id)).toEqual(['e1', 'e2', 'e3']);
    expect(levelMoveMessage(['loose'], 'each', result.ok ? result.removedEdges : [])).toBe(
      'Moved "loose" into "each"; removed the wire e9 (in → loose), which would cross the container\'s edge (wires stay inside a body or outside it). Ctrl+Z undoes it.',
    );
    s().undo();
    expect(s().document.nodes.find((n) => n.id === 'loose')).toMatchObject({ position: { x: 400, y: 300 } });
    expect(s().document.nodes.find((n) => n.id === 'loose')!.parent).toBeUndefined();
    expect(s().document.edges.map((e) => e.id)).toContain('e9');
  });

  it('moves a body node out to absolute coordinates, and refuses the input node into a body', () => {
    const store = createFlowStore(fixture());
    const s = () => store.getState();
    expect(s().moveToLevel(['shout'], undefined)).toMatchObject({ ok: true, removedEdges: [{ id: 'e2' }] });
    expect(s().document.nodes.find((n) => n.id === 'shout')).toEqual(expect.objectContaining({ position: { x: 300, y: 70 } }));
    expect(s().document.nodes.find((n) => n.id === 'shout')!.parent).toBeUndefined();
    expect(s().moveToLevel(['in'], 'each')).toEqual({ ok: false, reason: 'the input node "in" cannot be inside a body: a run starts at the flow\'s own level' });
    expect(s().moveToLevel(['each'], 'each')).toMatchObject({ ok: false });
  });

  it('adds a node into a body, sizes a new container, resizes, collapses, and deletes a container with its body', () => {
    const store = createFlowStore(fixture());
    const s = () => store.getState();
    const id = s().addNode('prompt', { x: 10, y: 20 }, { parent: 'each' });
    expect(s().document.nodes.find((n) => n.id === id)).toMatchObject({ parent: 'each', position: { x: 10, y: 20 } });
    expect(() => s().addNode('input', { x: 0, y: 0 }, { parent: 'each' })).toThrow(/cannot be inside a body/);
    expect(() => s().addNode('prompt', { x: 0, y: 0 }, { parent: 'out' })).toThrow(/not a container/);
    const loop = s().addNode('loop', { x: 0, y: 400 });
    expect(s().document.nodes.find((n) => n.id === loop)!.size).toEqual({ width: 520, height: 240 });

    s().resizeNode('each', { width: 600.4, height: 300 }, { final: false });
    s().resizeNode('each', { width: 640, height: 320 }, { final: true });
    expect(s().document.nodes.find((n) => n.id === 'each')!.size).toEqual({ width: 640, height: 320 });
    s().undo();
    expect(s().document.nodes.find((n) => n.id === 'each')!.size).toEqual({ width: 560, height: 220 });

    s().setCollapsed('each', true);
    expect(s().document.nodes.find((n) => n.id === 'each')!.collapsed).toBe(true);
    s().setCollapsed('each', false);
    expect(s().document.nodes.find((n) => n.id === 'each')!.collapsed).toBeUndefined();

    s().select(['each']);
    expect(bodiesGoing(s().document, ['each'])).toBe(3);
    expect(bodiesGoing(s().document, ['each', 'shout'])).toBe(2);
    s().removeSelected();
    expect(s().document.nodes.map((n) => n.id)).toEqual(['in', 'out', loop]);
    expect(s().document.edges).toEqual([]);
    s().undo();
    expect(s().document.nodes.map((n) => n.id)).toContain('shout');
  });

  it('copies a container with its body, the copy\'s body inside the copy', () => {
    const doc = fixture();
    const copy = instantiateFragment(doc, extractFragment(doc, ['each']), { x: 40, y: 40 });
    expect(copy.nodes.map((n) => [n.id, n.parent, n.position])).toEqual([
      ['each-2', undefined, { x: 300, y: 40 }],
      ['shout-2', 'each-2', { x: 40, y: 70 }],
      ['item_out-2', 'each-2', { x: 300, y: 70 }],
    ]);
    expect(copy.edges.map((e) => [e.source, e.target])).toEqual([['shout-2', 'item_out-2']]);
  });
});

describe('templates inside a body', () => {
  it('offer item and index in a map, iteration and previous in a loop, and what ran before the container', () => {
    const env = templateEnv(fixture(), 'item_out');
    expect(env.complete([])).toEqual(['input', 'nodes', 'vars', 'item', 'index']);
    expect(env.complete(['nodes'])).toEqual(['in', 'shout']);
    expect(env.scope.upstream.has('in')).toBe(true);
    const doc: Flow = {
      schema: FLOW_SCHEMA_V1, id: 'l', name: 'L',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'again', type: 'loop', position: { x: 0, y: 0 }, config: { maxIterations: 2, until: 'true' } },
        { id: 'body_out', type: 'output', parent: 'again', position: { x: 0, y: 0 }, config: { value: '{{ iteration }}' } },
      ],
      edges: [{ id: 'e1', source: 'in', sourceHandle: 'out', target: 'again', targetHandle: 'in' }],
    };
    expect(templateEnv(doc, 'body_out').complete([])).toEqual(['input', 'nodes', 'vars', 'iteration', 'previous']);
    expect(templateEnv(fixture(), 'out').complete([])).toEqual(['input', 'nodes', 'vars']);
  });
});
