/**
 * Pure helpers behind the flow store: connection checks and copying part of a flow. The graph,
 * port and id rules they apply are the flow format's (@trellis/schema); this module only puts
 * them together for editing. No state here, so each piece is easy to test and to reuse (the
 * canvas asks `checkConnection` while a person drags a wire).
 */
import { kinds } from '@trellis/nodes';
import {
  buildGraph,
  edgeWithHandles,
  findPath,
  idBase,
  nodePorts,
  portOf,
  refusedAttachment,
  uniqueEdgeId,
  uniqueId,
  type Flow,
  type FlowEdge,
  type FlowGraph,
  type FlowNode,
  type KindPorts,
  type PortSpec,
} from '@trellis/schema';
import { absolutePosition, isContainer, withDescendants } from '../canvas/bodies.js';

export interface Position {
  x: number;
  y: number;
}

/** A wire as the canvas proposes it. React Flow gives `null` for a handle without an id. */
export interface Connection {
  source: string;
  sourceHandle?: string | null;
  target: string;
  targetHandle?: string | null;
}

export type ConnectionCheck = { ok: true } | { ok: false; reason: string };

/** The part of a flow that can be copied and pasted: some nodes and the edges between them. */
export interface Fragment {
  nodes: FlowNode[];
  edges: FlowEdge[];
}

// The id rules are the flow format's; re-exported because the store and its tests name them here.
export { idBase, uniqueEdgeId, uniqueId };

/** The ports of a node as its kind declares them for its current config (see `nodePorts`). */
export function portsOf(node: FlowNode): KindPorts | undefined {
  return nodePorts(kinds, node);
}

/** Schema defaults: a handle left out is `out` on the source and `in` on the target. */
export function normalizeConnection(c: Connection): FlowEdge & { id: '' } {
  const { source, sourceHandle, target, targetHandle } = edgeWithHandles(c);
  return { id: '', source, sourceHandle, target, targetHandle };
}

const gives = (p: PortSpec) => (p.type === 'data' ? 'data' : `a ${p.type}`);

/**
 * The flow's graph as the loader builds it, with the editor's lenient ports (a config mid-edit
 * still has handles). Edges into a port that is not known are left out, as the loader leaves
 * out edges with an unknown handle, so they neither make nor break a cycle.
 */
function editGraph(doc: Flow, ports: (id: string) => KindPorts | undefined): FlowGraph {
  const known = new Map<string, KindPorts>();
  for (const node of doc.nodes) {
    const p = ports(node.id);
    if (p) known.set(node.id, p);
  }
  return buildGraph(doc.nodes, doc.edges.filter((e) => portOf(known.get(e.target), 'inputs', e.targetHandle) !== undefined), known);
}

/**
 * Whether a wire may be drawn, and if not, a sentence saying why. The checks are the loader's
 * edge and graph checks (dangling, unknown handle, incompatible ports, cycle, a node both
 * attached as a tool and run as a step), applied before the edge exists, plus two that only
 * make sense while drawing: a node wired to itself and the same wire twice.
 *
 * No check limits how many wires an input takes: the kinds do not declare such a limit
 * (`PortSpec` has no field for it) and the loader lets a node join several predecessors.
 */
export function checkConnection(doc: Flow, connection: Connection): ConnectionCheck {
  const c = normalizeConnection(connection);
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const source = byId.get(c.source);
  const target = byId.get(c.target);
  if (!source) return { ok: false, reason: `there is no node "${c.source}" in this flow` };
  if (!target) return { ok: false, reason: `there is no node "${c.target}" in this flow` };
  if (source.id === target.id) return { ok: false, reason: 'a node cannot be connected to itself' };

  const cache = new Map<string, KindPorts | undefined>();
  const ports = (id: string) => {
    if (!cache.has(id)) {
      const node = byId.get(id);
      cache.set(id, node ? portsOf(node) : undefined);
    }
    return cache.get(id);
  };
  const ends = [
    [source, c.sourceHandle, 'outputs', 'output'],
    [target, c.targetHandle, 'inputs', 'input'],
  ] as const;
  const found: PortSpec[] = [];
  for (const [node, handle, side, word] of ends) {
    const known = ports(node.id);
    if (!known) {
      const why = kinds.get(node.type) ? 'its settings are not valid yet' : `its kind "${node.type}" is unknown`;
      return { ok: false, reason: `the handles of node "${node.id}" cannot be known: ${why}` };
    }
    const port = portOf(known, side, handle);
    if (!port) {
      const names = known[side].map((p) => `"${p.id}"`).join(', ');
      return { ok: false, reason: `node "${node.id}" has no ${word} "${handle}" (${names ? `it has: ${names}` : `it has no ${word}s`})` };
    }
    found.push(port);
  }
  const levels = crossesLevels(source, target);
  if (levels) return { ok: false, reason: levels };
  const [out, into] = found as [PortSpec, PortSpec];
  if (out.type !== into.type) {
    return { ok: false, reason: `"${source.id}".${out.id} gives ${gives(out)}, but "${target.id}".${into.id} takes ${gives(into)}` };
  }
  const refused = refusedAttachment(into, source.type);
  if (refused) return { ok: false, reason: `"${source.id}" (${source.type}) cannot be attached at ${into.id}: ${refused}` };
  if (doc.edges.some((e) => e.source === c.source && e.sourceHandle === c.sourceHandle && e.target === c.target && e.targetHandle === c.targetHandle)) {
    return { ok: false, reason: 'these two handles are already connected' };
  }

  // A node wired as a tool is used by its consumer and never runs as a step (the loader
  // reports `invalid_wiring`), so the two kinds of wire do not mix on one node.
  const isAttachment = (e: FlowEdge) => {
    const port = portOf(ports(e.target), 'inputs', e.targetHandle);
    return port !== undefined && port.type !== 'data';
  };
  if (into.type !== 'data') {
    const steps = doc.edges.filter((e) => (e.source === source.id || e.target === source.id) && portOf(ports(e.target), 'inputs', e.targetHandle)?.type === 'data');
    if (steps.length) {
      return { ok: false, reason: `"${source.id}" runs as a step (edge ${steps.map((e) => `"${e.id}"`).join(', ')}), so it cannot also be attached as a ${into.type}: remove those edges first` };
    }
  } else {
    for (const node of [source, target]) {
      const attached = doc.edges.find((e) => e.source === node.id && isAttachment(e));
      if (attached) {
        return { ok: false, reason: `"${node.id}" is attached to "${attached.target}" as a tool, so it cannot also be a step` };
      }
    }
    // v1 flows are acyclic: the new wire closes a cycle when the target already leads to the source.
    const path = findPath(editGraph(doc, ports), target.id, source.id);
    if (path) {
      return { ok: false, reason: `this would make a cycle (${[source.id, ...path].join(' → ')}): flows run each step once, so repeat work inside an agent instead` };
    }
  }
  return { ok: true };
}

/** The nodes with these ids (and what is inside those that are containers) and the edges between them, deep-copied so later edits cannot reach them. */
export function extractFragment(doc: Flow, nodeIds: Iterable<string>): Fragment {
  // A container is copied with its body: a container without one is not a step that can run.
  const ids = withDescendants(doc, nodeIds);
  return structuredClone({
    nodes: doc.nodes.filter((n) => ids.has(n.id)),
    edges: doc.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  });
}

/**
 * A fragment made ready to add to `doc`: every node and edge gets a fresh id (derived from
 * the old one), edges follow their nodes' new ids, and positions move by `offset` so the copy
 * does not hide the original.
 */
export function instantiateFragment(doc: Flow, fragment: Fragment, offset: Position): Fragment {
  const nodeIds = new Set(doc.nodes.map((n) => n.id));
  const edgeIds = new Set(doc.edges.map((e) => e.id));
  const renamed = new Map<string, string>();
  const nodes = fragment.nodes.map((node) => {
    const id = uniqueId(node.id, nodeIds);
    nodeIds.add(id);
    renamed.set(node.id, id);
    return { ...structuredClone(node), id, position: { x: node.position.x + offset.x, y: node.position.y + offset.y } };
  });
  // A body node copied with its container follows the copy, at the same place inside it (no offset).
  for (const node of nodes) {
    const parent = node.parent !== undefined ? renamed.get(node.parent) : undefined;
    if (parent === undefined) continue;
    const original = fragment.nodes.find((n) => renamed.get(n.id) === node.id)!;
    node.parent = parent;
    node.position = { ...original.position };
  }
  const edges = fragment.edges.flatMap((edge) => {
    const source = renamed.get(edge.source);
    const target = renamed.get(edge.target);
    if (!source || !target) return [];
    const id = uniqueEdgeId(edgeIds);
    edgeIds.add(id);
    return [{ ...edge, id, source, target }];
  });
  return { nodes, edges };
}

/** The flow without these nodes and without every edge that touched them. */
export function withoutNodes(doc: Flow, nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string> = new Set()): Flow {
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !nodeIds.has(n.id)),
    edges: doc.edges.filter((e) => !edgeIds.has(e.id) && !nodeIds.has(e.source) && !nodeIds.has(e.target)),
  };
}

const where = (node: FlowNode) => (node.parent === undefined ? 'at the flow\'s own level' : `inside container "${node.parent}"`);

/**
 * Why a wire between these two nodes would cross a container's edge, or undefined when they are
 * at the same level. The loader refuses such an edge (`invalid_body`); this says the same before
 * it is drawn, and how to reach across instead.
 */
export function crossesLevels(source: FlowNode, target: FlowNode): string | undefined {
  if (source.parent === target.parent) return undefined;
  return `wires stay inside a body or outside it: "${source.id}" is ${where(source)} and "${target.id}" is ${where(target)} (a body step reads outer steps by name, {{ nodes.<id>.output }}, and the container's result leaves by its own handles)`;
}

export type LevelMove = { ok: true; doc: Flow; removedEdges: FlowEdge[] } | { ok: false; reason: string };

/**
 * Moves nodes into a container's body (`parent` set) or out to the flow's own level (`parent`
 * undefined), keeping where they stand on the canvas: positions are converted between absolute
 * and relative. What is inside a moved container goes with it. Wires that would then cross a
 * container's edge are removed, and returned so the person is told which (an undo brings them back):
 * a person moving a step into a body means to move it, and the loader would refuse those wires anyway.
 */
export function moveToLevel(doc: Flow, ids: readonly string[], parent: string | undefined): LevelMove {
  const byId = new Map(doc.nodes.map((n) => [n.id, n]));
  const moving = ids.filter((id) => byId.get(id) && byId.get(id)!.parent !== parent);
  if (moving.length === 0) return { ok: true, doc, removedEdges: [] };
  if (parent !== undefined) {
    const container = byId.get(parent);
    if (!container || !isContainer(container)) return { ok: false, reason: `"${parent}" is not a container: only map and loop hold steps` };
    if (withDescendants(doc, moving).has(parent)) return { ok: false, reason: `"${parent}" cannot go inside itself` };
    const entry = moving.map((id) => byId.get(id)!).find((n) => kinds.get(n.type)?.entry);
    if (entry) return { ok: false, reason: `the input node "${entry.id}" cannot be inside a body: a run starts at the flow's own level` };
  }
  const origin = parent === undefined ? { x: 0, y: 0 } : absolutePosition(doc, parent, byId);
  const moved = new Set(moving);
  const nodes = doc.nodes.map((n) => {
    if (!moved.has(n.id)) return n;
    const at = absolutePosition(doc, n.id, byId);
    const next: FlowNode = { ...n, position: { x: Math.round(at.x - origin.x), y: Math.round(at.y - origin.y) } };
    if (parent === undefined) delete next.parent;
    else next.parent = parent;
    return next;
  });
  const after = new Map(nodes.map((n) => [n.id, n]));
  const removedEdges = doc.edges.filter((e) => {
    const [a, b] = [after.get(e.source), after.get(e.target)];
    return a !== undefined && b !== undefined && a.parent !== b.parent && (moved.has(a.id) || moved.has(b.id));
  });
  const gone = new Set(removedEdges);
  return { ok: true, doc: { ...doc, nodes, edges: doc.edges.filter((e) => !gone.has(e)) }, removedEdges };
}
