/**
 * Auto-layout: left-to-right layers by dagre (a well-kept Sugiyama layout), so a flow reads
 * in the order it runs. Pure: the document in, new top-left positions out.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { Flow } from '@trellis/schema';
import type { Position } from '../store/flow-store';

export interface Size {
  width: number;
  height: number;
}

/** A node the canvas has not measured yet is laid out at this size. */
export const DEFAULT_NODE_SIZE: Size = { width: 180, height: 72 };

/** Where a body's first layer starts inside its container: clear of the container's header. */
export const BODY_INSET: Position = { x: 30, y: 70 };

/**
 * Lays out each level on its own: the flow's own steps, then each container's body, whose
 * positions are relative to the container (edges never join two levels, so no layer is lost).
 */
export function layoutFlow(doc: Pick<Flow, 'nodes' | 'edges'>, sizes: ReadonlyMap<string, Size> = new Map()): Record<string, Position> {
  const levels = new Map<string | undefined, Flow['nodes']>();
  for (const node of doc.nodes) levels.set(node.parent, [...(levels.get(node.parent) ?? []), node]);
  const positions: Record<string, Position> = {};
  for (const [parent, nodes] of levels) {
    const ids = new Set(nodes.map((n) => n.id));
    const placed = layoutLevel({ nodes, edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)) }, sizes);
    if (parent === undefined) Object.assign(positions, placed);
    else {
      // dagre's corner is wherever its first node lands: the body is moved to start at the inset.
      const minX = Math.min(...Object.values(placed).map((p) => p.x));
      const minY = Math.min(...Object.values(placed).map((p) => p.y));
      for (const [id, p] of Object.entries(placed)) positions[id] = { x: p.x - minX + BODY_INSET.x, y: p.y - minY + BODY_INSET.y };
    }
  }
  return positions;
}

function layoutLevel(doc: Pick<Flow, 'nodes' | 'edges'>, sizes: ReadonlyMap<string, Size>): Record<string, Position> {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 40, ranksep: 90, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of doc.nodes) g.setNode(node.id, { ...(sizes.get(node.id) ?? DEFAULT_NODE_SIZE) });
  const ids = new Set(doc.nodes.map((n) => n.id));
  for (const edge of doc.edges) {
    // A dangling edge (its problem is listed) must not make dagre invent a node.
    if (ids.has(edge.source) && ids.has(edge.target)) g.setEdge(edge.source, edge.target, {}, edge.id);
  }
  layout(g);
  const positions: Record<string, Position> = {};
  for (const node of doc.nodes) {
    const placed = g.node(node.id);
    const size = sizes.get(node.id) ?? DEFAULT_NODE_SIZE;
    // dagre gives centres; the flow stores top-left corners, on whole pixels.
    positions[node.id] = { x: Math.round(placed.x - size.width / 2), y: Math.round(placed.y - size.height / 2) };
  }
  return positions;
}
