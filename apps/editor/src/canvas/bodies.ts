/**
 * Containers (map, loop) on the canvas, worked out from the flow document alone: pure, so the
 * store, the canvas mapping and the tests share it. A body node's `position` is relative to its
 * container's top-left corner, as React Flow's sub-flows want it; the helpers here convert.
 */
import { kinds } from '@trellis/nodes';
import type { FlowNode } from '@trellis/schema';
import type { Position } from '../store/graph-edit';

export interface Size {
  width: number;
  height: number;
}

/** A container dropped from the palette starts this big: room for two steps side by side. */
export const DEFAULT_CONTAINER_SIZE: Size = { width: 520, height: 240 };
/** A container cannot be resized smaller than this (its header and a step must fit). */
export const MIN_CONTAINER_SIZE: Size = { width: 240, height: 140 };

export const isContainerType = (type: string): boolean => kinds.get(type)?.container !== undefined;
export const isContainer = (node: Pick<FlowNode, 'type'>): boolean => isContainerType(node.type);

export function containerSize(node: Pick<FlowNode, 'size'>): Size {
  return node.size ?? DEFAULT_CONTAINER_SIZE;
}

type Nodes = ReadonlyMap<string, FlowNode>;
/** The part of a flow these helpers read. */
type Doc = { readonly nodes: readonly FlowNode[] };
const byId = (doc: Doc): Nodes => new Map(doc.nodes.map((n) => [n.id, n]));

/** The containers around a node, innermost first; stops at a missing parent or a cycle (the loader reports both). */
export function ancestorsIn(nodes: Nodes, id: string): string[] {
  const found: string[] = [];
  for (let at = nodes.get(id)?.parent; at !== undefined && nodes.has(at) && !found.includes(at) && at !== id; at = nodes.get(at)?.parent) found.push(at);
  return found;
}

/**
 * The nodes in an order React Flow accepts: every parent before its children (it lays a child
 * out from its parent's place). Otherwise the document's order is kept, so the output is stable.
 */
export function parentsFirst(nodes: readonly FlowNode[]): FlowNode[] {
  const map = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  let ordered = true;
  for (const n of nodes) {
    if (n.parent !== undefined && map.has(n.parent) && !seen.has(n.parent)) ordered = false;
    seen.add(n.id);
  }
  // Most documents are in order already: they are handed over as they are, with no sort.
  if (ordered) return nodes as FlowNode[];
  const depth = new Map(nodes.map((n) => [n.id, ancestorsIn(map, n.id).length]));
  return [...nodes].sort((a, b) => depth.get(a.id)! - depth.get(b.id)!);
}

/** Where a node stands on the canvas as a whole: its position plus every container's above it. */
export function absolutePosition(doc: Doc, id: string, nodes: Nodes = byId(doc)): Position {
  const node = nodes.get(id);
  if (!node) return { x: 0, y: 0 };
  let { x, y } = node.position;
  for (const at of ancestorsIn(nodes, id)) {
    const p = nodes.get(at)!.position;
    x += p.x;
    y += p.y;
  }
  return { x, y };
}

/** The ids inside a collapsed container (at any depth): hidden on the canvas, as are their wires. */
export function hiddenByCollapse(doc: Doc): Set<string> {
  const nodes = byId(doc);
  const hidden = new Set<string>();
  for (const n of doc.nodes) if (ancestorsIn(nodes, n.id).some((c) => nodes.get(c)?.collapsed)) hidden.add(n.id);
  return hidden;
}

/** How many nodes deleting these would take with them: what is inside them and not among them. */
export function bodiesGoing(doc: Doc, ids: readonly string[]): number {
  return withDescendants(doc, ids).size - new Set(ids).size;
}

/** A node and everything inside it, at any depth. */
export function withDescendants(doc: Doc, ids: Iterable<string>): Set<string> {
  const nodes = byId(doc);
  const all = new Set(ids);
  for (const n of doc.nodes) if (ancestorsIn(nodes, n.id).some((c) => all.has(c))) all.add(n.id);
  return all;
}

/**
 * The innermost open container whose drawn box holds this point of the canvas, or undefined for
 * the flow's own level. `moving` (and what is inside it) is never a candidate: a container cannot
 * be dropped into itself.
 */
export function containerAt(doc: Doc, point: Position, moving: readonly string[] = []): string | undefined {
  const nodes = byId(doc);
  const excluded = withDescendants(doc, moving);
  const hidden = hiddenByCollapse(doc);
  let best: { id: string; depth: number } | undefined;
  for (const n of doc.nodes) {
    if (!isContainer(n) || n.collapsed || excluded.has(n.id) || hidden.has(n.id)) continue;
    const at = absolutePosition(doc, n.id, nodes);
    const { width, height } = containerSize(n);
    if (point.x < at.x || point.y < at.y || point.x > at.x + width || point.y > at.y + height) continue;
    const depth = ancestorsIn(nodes, n.id).length;
    if (!best || depth > best.depth) best = { id: n.id, depth };
  }
  return best?.id;
}

const quote = (s: unknown) => (typeof s === 'string' && s.trim() ? s.trim() : '…');

/** One line under a container's name: what it goes over and how, from its config. */
export function containerSummary(node: Pick<FlowNode, 'type' | 'config'>): string {
  const c = node.config as Record<string, unknown>;
  if (node.type === 'map') {
    const atOnce = typeof c.concurrency === 'number' ? ` · ${c.concurrency} at once` : '';
    return `each item of ${quote(c.items)}${atOnce}`;
  }
  if (node.type === 'loop') {
    const most = typeof c.maxIterations === 'number' ? ` · ≤ ${c.maxIterations} rounds` : '';
    return `until ${quote(c.until)}${most}`;
  }
  return '';
}

/** "3 steps inside": what a collapsed container says of its body. */
export function bodySummary(doc: Doc, id: string): string {
  const count = doc.nodes.filter((n) => n.parent === id).length;
  return count === 0 ? 'empty body' : `${count} step${count === 1 ? '' : 's'} inside`;
}

/**
 * After a drag: which dropped nodes now stand in another container than their own (by the centre
 * of their box), grouped by that container (`undefined`: out to the flow's own level). A node
 * whose container was dragged along with it stays where it is.
 */
export function levelChanges(doc: Doc, dropped: readonly string[], sizeOf: (id: string) => Size | undefined): Map<string | undefined, string[]> {
  const nodes = byId(doc);
  const set = new Set(dropped);
  const changes = new Map<string | undefined, string[]>();
  for (const id of dropped) {
    const node = nodes.get(id);
    if (!node || ancestorsIn(nodes, id).some((a) => set.has(a))) continue;
    const at = absolutePosition(doc, id, nodes);
    const size = sizeOf(id) ?? (isContainer(node) ? containerSize(node) : { width: 0, height: 0 });
    const target = containerAt(doc, { x: at.x + size.width / 2, y: at.y + size.height / 2 }, [id]);
    if (target !== node.parent) changes.set(target, [...(changes.get(target) ?? []), id]);
  }
  return changes;
}
