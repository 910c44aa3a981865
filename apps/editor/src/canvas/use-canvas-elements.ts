import { useMemo, useState } from 'react';
import { Position, useStoreApi, type Edge, type InternalNode, type NodeHandle } from '@xyflow/react';
import type { FlowEdge, FlowNode, Problem } from '@trellis/schema';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from '../store/flow-store';
import { bodySummary, containerSize, containerSummary, hiddenByCollapse, isContainer, parentsFirst } from './bodies';
import type { CanvasNode, FlowNodeData } from './FlowNode';
import { edgeLabel, isAttachment, placedPorts, type PlacedPort } from './node-ports';
import type { RunOnCanvas, StepFacts } from './run-on-canvas';

export type { RunOnCanvas } from './run-on-canvas';

const selectNodes = (s: FlowState) => s.document.nodes;
const selectEdges = (s: FlowState) => s.document.edges;
const selectProblems = (s: FlowState) => s.problems;
const selectSelectedNodes = (s: FlowState) => s.selection.nodes;
const selectSelectedEdges = (s: FlowState) => s.selection.edges;

/*
 * Identity is what keeps a large canvas fast. React Flow keeps its own copy of a node only while
 * it is handed the very same node object, and FlowNode (memoized) skips a render only while its
 * `data` is the very same object. So an unchanged document node must map to the SAME canvas node
 * every time, and a node that only moved keeps its `data`: while one node is dragged, that node
 * alone is new. The caches are keyed by the store's immutable objects (a document node, an edge,
 * a config), so they need no clearing: what the document no longer holds is collected.
 *
 * A node that moved or was (de)selected draws exactly what it drew before, so it also keeps the
 * size React Flow measured: without `measured`, React Flow would hide the node, measure it and
 * its handles again and only then draw its edges, on every frame of a drag.
 */
const nodeCache = new WeakMap<FlowNode, CanvasNode>();
/** A large flow's nodes are built with estimated handles until drawn (see estimatedHandles). */
const largeNodeCache = new WeakMap<FlowNode, CanvasNode>();
const dataCache = new WeakMap<object, FlowNodeData>();
const edgeCache = new WeakMap<FlowEdge, Edge>();
const NONE: ReadonlySet<string> = new Set();

/** What a node shows besides its document: its problems, where the run stands, and for a container its body. */
interface Extra {
  problems: number;
  run: string | undefined;
  /** `done/total` rounds, for a body node of the run on show. */
  rounds: string | undefined;
  /** A collapsed container's "3 steps inside". */
  body: string | undefined;
  /** The step's duration, tokens and output preview in the run on show. */
  step: StepFacts | undefined;
}

const sameExtra = (data: FlowNodeData, x: Extra) =>
  data.problems === x.problems &&
  data.run === x.run &&
  data.rounds === x.rounds &&
  data.body === x.body &&
  data.durationMs === x.step?.durationMs &&
  data.tokens === x.step?.tokens &&
  data.output === x.step?.output;

function nodeData(n: FlowNode, x: Extra): FlowNodeData {
  const name = n.name || undefined;
  const collapsed = n.collapsed === true;
  // A document that failed its checks may hold a config that is no object: it is not cached.
  const key: unknown = n.config;
  const cacheable = typeof key === 'object' && key !== null;
  const known = cacheable ? dataCache.get(key) : undefined;
  if (known && known.type === n.type && known.name === name && (known.collapsed ?? false) === collapsed && sameExtra(known, x)) return known;
  const data: FlowNodeData = {
    type: n.type,
    ...(name ? { name } : {}),
    config: n.config,
    problems: x.problems,
    ...(x.run !== undefined ? { run: x.run } : {}),
    ...(x.rounds !== undefined ? { rounds: x.rounds } : {}),
    ...(x.step?.durationMs !== undefined ? { durationMs: x.step.durationMs } : {}),
    ...(x.step?.tokens !== undefined ? { tokens: x.step.tokens } : {}),
    ...(x.step?.output !== undefined ? { output: x.step.output } : {}),
    ...(isContainer(n) ? { summary: containerSummary(n), ...(collapsed ? { collapsed } : {}), ...(x.body !== undefined ? { body: x.body } : {}) } : {}),
  };
  if (cacheable) dataCache.set(key, data);
  return data;
}

/**
 * A size to draw the node by until React Flow has measured it, from what the card shows. The
 * minimap reads sizes from the nodes it is given and skips a node without one; handing over
 * measured sizes instead would rebuild the node list as nodes scroll into view, which costs
 * frames on large flows.
 */
export function estimatedSize(data: FlowNodeData): { initialWidth: number; initialHeight: number } {
  const ports = placedPorts(data.type, data.config);
  const rows = ports.labelled ? ports.outputs.length * 24 + 6 : 0;
  const height = 62 + 20 + rows + (ports.attachments.length ? 22 : 0) + (data.run ? 30 : 0) + (data.rounds ? 18 : 0);
  return { initialWidth: NODE_WIDTH, initialHeight: height };
}

/** A card's width in CSS px (canvas.css draws it so). */
export const NODE_WIDTH = 232;

/** Above this many nodes, a flow draws only the nodes in view (and estimates where the others' handles are). */
export const LARGE_FLOW = 200;

/** canvas.css: a data handle is 11 px square, an attachment's 12; a labelled output row is 22 px high, 3 apart. */
const HANDLE = 11;
const ATTACH = 12;
const ROW = 22;
const ROW_GAP = 3;
/** From the card's top to its first labelled output row: border, padding, head, preview and the rows' margin. */
const ROWS_TOP = 1 + 10 + 36 + 8 + 22 + 8;

/**
 * Where a card's handles will be, in the card's own coordinates, from its estimated size (see
 * estimatedSize) and canvas.css. React Flow draws every node once to measure its handles unless it
 * is told them: on a large flow, that first frame drew all 1,000 cards to keep 30. With these it
 * draws only the cards in view; each is measured when drawn, so only the wires of cards out of view
 * end at an estimate, and those ends are off screen.
 */
export function estimatedHandles(ports: ReturnType<typeof placedPorts>, width: number, height: number): NodeHandle[] {
  const handles: NodeHandle[] = [];
  const add = (port: PlacedPort, type: 'source' | 'target', position: Position, x: number, y: number, size: number) =>
    handles.push({ id: port.id, type, position, x, y, width: size, height: size });
  const down = (port: PlacedPort) => (port.at / 100) * height - HANDLE / 2;
  const across = (port: PlacedPort) => (port.at / 100) * width - ATTACH / 2;
  for (const port of ports.inputs) add(port, 'target', Position.Left, -HANDLE / 2, down(port), HANDLE);
  ports.outputs.forEach((port, i) => {
    const y = ports.labelled ? ROWS_TOP + i * (ROW + ROW_GAP) + (ROW - HANDLE) / 2 : down(port);
    add(port, 'source', Position.Right, width - HANDLE / 2, y, HANDLE);
  });
  for (const port of ports.attachments) add(port, 'target', Position.Bottom, across(port), height - ATTACH / 2, ATTACH);
  for (const port of ports.offers) add(port, 'source', Position.Top, across(port), -ATTACH / 2, ATTACH);
  return handles;
}

type Drawn = (id: string) => InternalNode | undefined;

function canvasNode(n: FlowNode, selected: boolean, hidden: boolean, x: Extra, drawn: Drawn, large: boolean): CanvasNode {
  const cache = large ? largeNodeCache : nodeCache;
  const known = cache.get(n);
  if (known && known.selected === selected && (known.hidden ?? false) === hidden && sameExtra(known.data, x)) return known;
  const data = nodeData(n, x);
  const node: CanvasNode = { id: n.id, type: 'trellis', position: n.position, selected, data, ...estimatedSize(data) };
  // A body node is placed relative to its container, which React Flow moves it with (a sub-flow).
  if (n.parent !== undefined) node.parentId = n.parent;
  if (hidden) node.hidden = true;
  if (isContainer(n)) {
    node.type = 'container';
    // An open container is drawn at its own size, which its resizer changes; a collapsed one is a plain node.
    if (!n.collapsed) {
      const { width, height } = containerSize(n);
      Object.assign(node, { width, height, initialWidth: width, initialHeight: height });
    }
  }
  const before = drawn(n.id);
  // A container drawn at a new size (resized, collapsed, opened) is measured anew: its old
  // measure would put its handles, and so its wires, where its edges were.
  const resized = node.width !== undefined && (before?.measured.width !== node.width || before.measured.height !== node.height);
  if (before?.data === data && !resized && before.measured.width !== undefined && before.measured.height !== undefined) {
    node.measured = { width: before.measured.width, height: before.measured.height };
  } else if (large && node.type === 'trellis' && !before?.measured.width) {
    // Only until it is measured: React Flow takes a node's handles from here whenever it is given one.
    node.handles = estimatedHandles(placedPorts(data.type, data.config), NODE_WIDTH, node.initialHeight ?? 0);
  }
  cache.set(n, node);
  return node;
}

/** How an edge is drawn besides its ends: the label of the port it leaves, and whether it attaches a resource. */
interface EdgeLook {
  label: string | undefined;
  attachment: boolean;
}

function canvasEdge(e: FlowEdge, selected: boolean, hidden: boolean, look: EdgeLook): Edge {
  const known = edgeCache.get(e);
  if (known && known.selected === selected && (known.hidden ?? false) === hidden && known.label === look.label && (known.className === 'attachment') === look.attachment) return known;
  const edge: Edge = { id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle, selected };
  if (hidden) edge.hidden = true;
  // A labelled wire says which branch it is (the label sits on the wire, themed in canvas.css).
  if (look.label !== undefined) Object.assign(edge, { label: look.label, labelBgPadding: [6, 3], labelBgBorderRadius: 6 });
  // A tool, worker or handoff target hangs below its agent: its wire is drawn dashed.
  if (look.attachment) edge.className = 'attachment';
  edgeCache.set(e, edge);
  return edge;
}

/** Error counts by node: the number shown on each node. */
function errorCounts(problems: Problem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of problems) if (p.nodeId && p.severity === 'error') counts.set(p.nodeId, (counts.get(p.nodeId) ?? 0) + 1);
  return counts;
}

/** What is hidden inside collapsed containers; a flow with none collapsed skips the work. */
export function hiddenNodes(documentNodes: readonly FlowNode[]): ReadonlySet<string> {
  return documentNodes.some((n) => n.collapsed) ? hiddenByCollapse({ nodes: documentNodes }) : NONE;
}

interface Shown {
  selected: ReadonlySet<string>;
  counts: ReadonlyMap<string, number>;
  run: RunOnCanvas | undefined;
  hidden: ReadonlySet<string>;
  drawn?: Drawn;
  /** Whether only the nodes in view are drawn (see LARGE_FLOW). */
  large?: boolean;
}

/** The document's nodes as React Flow nodes: containers before their bodies, body positions relative. */
export function canvasNodes(documentNodes: readonly FlowNode[], shown: Shown): CanvasNode[] {
  const { selected, counts, run, hidden, drawn = () => undefined, large = false } = shown;
  return parentsFirst(documentNodes).map((n) => {
    const tally = run?.rounds?.get(n.id);
    const extra: Extra = {
      problems: counts.get(n.id) ?? 0,
      run: run?.status.get(n.id),
      rounds: tally ? `${tally.done}/${tally.total} done` : undefined,
      step: run?.steps?.get(n.id),
      body: n.collapsed ? bodySummary({ nodes: documentNodes }, n.id) : undefined,
    };
    return canvasNode(n, selected.has(n.id), hidden.has(n.id), extra, drawn, large);
  });
}

/** The document's edges as React Flow edges; those inside a collapsed container are hidden with it. */
export function canvasEdges(documentEdges: readonly FlowEdge[], selected: ReadonlySet<string>, hidden: ReadonlySet<string>, documentNodes: readonly FlowNode[] = []): Edge[] {
  const byId = new Map<string, FlowNode>();
  for (const n of documentNodes) byId.set(n.id, n);
  return documentEdges.map((e) => {
    const source = byId.get(e.source);
    const target = byId.get(e.target);
    const look = { label: edgeLabel(source?.type, source?.config, e.sourceHandle), attachment: isAttachment(target?.type, target?.config, e.targetHandle) };
    return canvasEdge(e, selected.has(e.id), hidden.has(e.source) || hidden.has(e.target), look);
  });
}

/**
 * The store's document as React Flow nodes and edges, with problem counts and run status on each
 * node. Body nodes carry their container as `parentId` (containers first, as React Flow wants);
 * what a collapsed container holds is hidden, wires included. Call it inside a ReactFlowProvider.
 */
export function useCanvasElements(store: FlowStore, run: RunOnCanvas | undefined): { nodes: CanvasNode[]; edges: Edge[]; large: boolean } {
  // Narrow selectors: renaming the flow or editing its vars changes none of these.
  const documentNodes = useStore(store, selectNodes);
  const documentEdges = useStore(store, selectEdges);
  const problems = useStore(store, selectProblems);
  const selectedNodes = useStore(store, selectSelectedNodes);
  const selectedEdges = useStore(store, selectSelectedEdges);

  // What React Flow drew last (read when the nodes change, not subscribed to).
  const flow = useStoreApi<CanvasNode>();
  const counts = useMemo(() => errorCounts(problems), [problems]);
  // Recomputed when the nodes change (a drag frame too); cheap next to React Flow's own work, and
  // a flow with no containers skips it.
  const hidden = useMemo(() => hiddenNodes(documentNodes), [documentNodes]);
  const large = documentNodes.length > LARGE_FLOW;
  const nodes = useMemo<CanvasNode[]>(() => {
    const { nodeLookup } = flow.getState();
    return canvasNodes(documentNodes, { selected: new Set(selectedNodes), counts, run, hidden, drawn: (id) => nodeLookup.get(id), large });
  }, [documentNodes, counts, selectedNodes, run, flow, hidden, large]);
  // Edges read their ends' configs (a branch's label, an attachment port), so they are rebuilt when
  // the nodes change too; each keeps its identity unless its own look changed, and so does the
  // list when none did: a new list makes React Flow index every edge again (each frame of a drag).
  const built = useMemo<Edge[]>(() => canvasEdges(documentEdges, new Set(selectedEdges), hidden, documentNodes), [documentEdges, selectedEdges, hidden, documentNodes]);
  const [edges, setEdges] = useState(built);
  const shown = sameItems(edges, built) ? edges : built;
  if (shown !== edges) setEdges(shown);
  return { nodes, edges: shown, large };
}

/** Whether two lists hold the same items, in order (by identity). */
function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a === b || (a.length === b.length && a.every((item, i) => item === b[i]));
}
