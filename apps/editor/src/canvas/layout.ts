/**
 * Auto-layout: left-to-right layers by dagre (a well-kept Sugiyama layout), so a flow reads
 * in the order it runs; attached nodes (an agent's tools, workers, handoff targets) hang in a row
 * below the node they are attached to, as n8n draws its AI sub-nodes. Pure: the document in, new
 * top-left positions out.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { Flow } from '@trellis/schema';
import type { Position } from '../store/flow-store';
import { placedPorts } from './node-ports';

export interface Size {
  width: number;
  height: number;
}

/** A node the canvas has not measured yet is laid out at this size. */
export const DEFAULT_NODE_SIZE: Size = { width: 232, height: 96 };

/** Room between an attached node's row and the node above it (its ports' names sit there), and between row mates. */
export const ATTACHED_GAP = { x: 36, y: 80 };

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

type Nodes = Pick<Flow, 'nodes'>['nodes'];
type Edges = Pick<Flow, 'edges'>['edges'];

/**
 * Which nodes hang below which: a node whose every wire attaches it to another node's attachment
 * port (an agent's tools, handoffs) hangs below the first node it is attached to. A node that also
 * carries data stays in the left-to-right chain.
 */
export function attachedRows(nodes: Nodes, edges: Edges): Map<string, string[]> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const attaches = (e: Edges[number]) => {
    const target = byId.get(e.target);
    return target !== undefined && placedPorts(target.type, target.config).attachments.some((p) => p.id === e.targetHandle);
  };
  const dataNodes = new Set<string>();
  const hostOf = new Map<string, string>();
  for (const e of edges) {
    if (!byId.has(e.source) || !byId.has(e.target)) continue;
    if (attaches(e)) {
      if (!hostOf.has(e.source)) hostOf.set(e.source, e.target);
    } else {
      dataNodes.add(e.source);
      dataNodes.add(e.target);
    }
  }
  const rows = new Map<string, string[]>();
  for (const [id, host] of hostOf) {
    if (dataNodes.has(id)) continue;
    // A ring of attachments (a handoff back and forth) has no top: its first node stays in the chain.
    let up = host;
    const seen = new Set([id]);
    while (hostOf.has(up) && !dataNodes.has(up) && !seen.has(up)) {
      seen.add(up);
      up = hostOf.get(up)!;
    }
    if (seen.has(up)) continue;
    rows.set(host, [...(rows.get(host) ?? []), id]);
  }
  return rows;
}

/** A node with what hangs below it (recursively): the box it takes. */
interface Block {
  id: string;
  size: Size;
  below: Block[];
  width: number;
  height: number;
}

function block(id: string, rows: ReadonlyMap<string, string[]>, sizes: ReadonlyMap<string, Size>, seen: Set<string>): Block {
  seen.add(id);
  const size = sizes.get(id) ?? DEFAULT_NODE_SIZE;
  const below = (rows.get(id) ?? []).filter((c) => !seen.has(c)).map((c) => block(c, rows, sizes, seen));
  const rowWidth = below.reduce((w, b) => w + b.width, 0) + Math.max(0, below.length - 1) * ATTACHED_GAP.x;
  const rowHeight = Math.max(0, ...below.map((b) => b.height));
  return { id, size, below, width: Math.max(size.width, rowWidth), height: size.height + (below.length ? ATTACHED_GAP.y + rowHeight : 0) };
}

/** Top-left corners for a block whose node is centred on `cx` with its top at `top`. */
function place(b: Block, cx: number, top: number, positions: Record<string, Position>) {
  positions[b.id] = { x: Math.round(cx - b.size.width / 2), y: Math.round(top) };
  const rowWidth = b.below.reduce((w, c) => w + c.width, 0) + Math.max(0, b.below.length - 1) * ATTACHED_GAP.x;
  let x = cx - rowWidth / 2;
  for (const c of b.below) {
    place(c, x + c.width / 2, top + b.size.height + ATTACHED_GAP.y, positions);
    x += c.width + ATTACHED_GAP.x;
  }
}

function layoutLevel(doc: Pick<Flow, 'nodes' | 'edges'>, sizes: ReadonlyMap<string, Size>): Record<string, Position> {
  const rows = attachedRows(doc.nodes, doc.edges);
  const hanging = new Set([...rows.values()].flat());
  const seen = new Set<string>();
  const blocks = new Map<string, Block>();
  for (const node of doc.nodes) if (!hanging.has(node.id)) blocks.set(node.id, block(node.id, rows, sizes, seen));

  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 50, ranksep: 120, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  // A node with a row below it reserves as much room above, so it stays centred on its layer and
  // the wires of the chain run straight.
  for (const b of blocks.values()) g.setNode(b.id, { width: b.width, height: b.size.height + 2 * (b.height - b.size.height) });
  for (const edge of doc.edges) {
    // A dangling edge (its problem is listed) must not make dagre invent a node; attachments are placed below.
    if (blocks.has(edge.source) && blocks.has(edge.target)) g.setEdge(edge.source, edge.target, {}, edge.id);
  }
  layout(g);
  const positions: Record<string, Position> = {};
  for (const b of blocks.values()) {
    const placed = g.node(b.id);
    // dagre gives centres; the flow stores top-left corners, on whole pixels.
    place(b, placed.x, placed.y - b.size.height / 2, positions);
  }
  // What a ring of attachments left unplaced (it has no top) goes below everything, in a row.
  const bottom = Math.max(0, ...Object.entries(positions).map(([id, p]) => p.y + (sizes.get(id) ?? DEFAULT_NODE_SIZE).height));
  let x = 0;
  for (const node of doc.nodes) {
    if (positions[node.id]) continue;
    positions[node.id] = { x, y: bottom + ATTACHED_GAP.y };
    x += (sizes.get(node.id) ?? DEFAULT_NODE_SIZE).width + ATTACHED_GAP.x;
  }
  return positions;
}
