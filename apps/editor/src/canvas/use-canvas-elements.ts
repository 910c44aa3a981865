import { useMemo } from 'react';
import { useStoreApi, type Edge, type InternalNode } from '@xyflow/react';
import type { FlowEdge, FlowNode, Problem } from '@trellis/schema';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from '../store/flow-store';
import type { CanvasNode, FlowNodeData } from './FlowNode';

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
const dataCache = new WeakMap<object, FlowNodeData>();
const edgeCache = new WeakMap<FlowEdge, Edge>();

function nodeData(n: FlowNode, problems: number, run: string | undefined): FlowNodeData {
  const name = n.name || undefined;
  // A document that failed its checks may hold a config that is no object: it is not cached.
  const key: unknown = n.config;
  const cacheable = typeof key === 'object' && key !== null;
  const known = cacheable ? dataCache.get(key) : undefined;
  if (known && known.type === n.type && known.name === name && known.problems === problems && known.run === run) return known;
  const data: FlowNodeData = { type: n.type, ...(name ? { name } : {}), config: n.config, problems, ...(run !== undefined ? { run } : {}) };
  if (cacheable) dataCache.set(key, data);
  return data;
}

/**
 * A size to draw the node by until React Flow has measured it, from its label. The minimap reads
 * sizes from the nodes it is given and skips a node without one; handing over measured sizes
 * instead would rebuild the node list as nodes scroll into view, which costs frames on large flows.
 */
function estimatedSize(label: string, problems: number): { initialWidth: number; initialHeight: number } {
  return { initialWidth: Math.max(166, Math.round(label.length * 8.5) + 26), initialHeight: problems ? 70 : 52 };
}

type Drawn = (id: string) => InternalNode | undefined;

function canvasNode(n: FlowNode, selected: boolean, problems: number, run: string | undefined, drawn: Drawn): CanvasNode {
  const known = nodeCache.get(n);
  if (known && known.selected === selected && known.data.problems === problems && known.data.run === run) return known;
  const data = nodeData(n, problems, run);
  const node: CanvasNode = { id: n.id, type: 'trellis', position: n.position, selected, data, ...estimatedSize(data.name ?? n.id, problems) };
  const before = drawn(n.id);
  if (before?.data === data && before.measured.width !== undefined && before.measured.height !== undefined) {
    node.measured = { width: before.measured.width, height: before.measured.height };
  }
  nodeCache.set(n, node);
  return node;
}

function canvasEdge(e: FlowEdge, selected: boolean): Edge {
  const known = edgeCache.get(e);
  if (known && known.selected === selected) return known;
  const edge: Edge = { id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle, selected };
  edgeCache.set(e, edge);
  return edge;
}

/** Error counts by node: the number shown on each node. */
function errorCounts(problems: Problem[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of problems) if (p.nodeId && p.severity === 'error') counts.set(p.nodeId, (counts.get(p.nodeId) ?? 0) + 1);
  return counts;
}

/** The store's document as React Flow nodes and edges, with problem counts and run status on each node. Call it inside a ReactFlowProvider. */
export function useCanvasElements(store: FlowStore, runStatus: Map<string, string> | undefined): { nodes: CanvasNode[]; edges: Edge[] } {
  // Narrow selectors: renaming the flow or editing its vars changes none of these.
  const documentNodes = useStore(store, selectNodes);
  const documentEdges = useStore(store, selectEdges);
  const problems = useStore(store, selectProblems);
  const selectedNodes = useStore(store, selectSelectedNodes);
  const selectedEdges = useStore(store, selectSelectedEdges);

  // What React Flow drew last (read when the nodes change, not subscribed to).
  const flow = useStoreApi<CanvasNode>();
  const counts = useMemo(() => errorCounts(problems), [problems]);
  const nodes = useMemo<CanvasNode[]>(() => {
    const selected = new Set(selectedNodes);
    const { nodeLookup } = flow.getState();
    const drawn: Drawn = (id) => nodeLookup.get(id);
    return documentNodes.map((n) => canvasNode(n, selected.has(n.id), counts.get(n.id) ?? 0, runStatus?.get(n.id), drawn));
  }, [documentNodes, counts, selectedNodes, runStatus, flow]);
  const edges = useMemo<Edge[]>(() => {
    const selected = new Set(selectedEdges);
    return documentEdges.map((e) => canvasEdge(e, selected.has(e.id)));
  }, [documentEdges, selectedEdges]);
  return { nodes, edges };
}
