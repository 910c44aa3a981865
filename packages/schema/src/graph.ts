import type { FlowEdge, FlowNode } from './flow.js';
import type { KindPorts } from './kinds.js';

/**
 * The shape of a flow as the engine walks it. Data edges order the steps; resource edges
 * (any non-data port) attach a node to its consumer instead of making it a step.
 */
export interface FlowGraph {
  nodes: ReadonlyMap<string, FlowNode>;
  ports: ReadonlyMap<string, KindPorts>;
  incoming: ReadonlyMap<string, FlowEdge[]>;
  outgoing: ReadonlyMap<string, FlowEdge[]>;
  /** consumer id → its handle → ids of the nodes attached there, in edge order. */
  attachments: ReadonlyMap<string, ReadonlyMap<string, string[]>>;
  /** Nodes wired only as resources: they never run as steps. */
  attached: ReadonlySet<string>;
  /**
   * The steps of each level, in document order: `TOP_LEVEL` for the flow's own, a container's id
   * for its body (nodes whose `parent` it is). Edges join steps of one level only.
   */
  levels: ReadonlyMap<string, readonly string[]>;
}

/** The key of the flow's own level in `FlowGraph.levels` (not a valid node id). */
export const TOP_LEVEL = '';

/** The port of a node's ports on one side by its handle id. */
export function portOf(ports: KindPorts | undefined, side: 'inputs' | 'outputs', handle: string) {
  return ports?.[side].find((p) => p.id === handle);
}

/** Builds the graph of nodes whose edges are known to be sound (the loader checks them first). */
export function buildGraph(
  nodes: readonly FlowNode[],
  edges: readonly FlowEdge[],
  ports: ReadonlyMap<string, KindPorts>,
): FlowGraph {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const incoming = new Map<string, FlowEdge[]>(nodes.map((n) => [n.id, []]));
  const outgoing = new Map<string, FlowEdge[]>(nodes.map((n) => [n.id, []]));
  const attachments = new Map<string, Map<string, string[]>>();
  const attached = new Set<string>();
  for (const edge of edges) {
    if (!byId.has(edge.source) || !byId.has(edge.target)) continue;
    const targetPort = portOf(ports.get(edge.target), 'inputs', edge.targetHandle);
    if (targetPort && targetPort.type !== 'data') {
      let byHandle = attachments.get(edge.target);
      if (!byHandle) attachments.set(edge.target, (byHandle = new Map()));
      const list = byHandle.get(edge.targetHandle) ?? [];
      list.push(edge.source);
      byHandle.set(edge.targetHandle, list);
      attached.add(edge.source);
      continue;
    }
    incoming.get(edge.target)!.push(edge);
    outgoing.get(edge.source)!.push(edge);
  }
  const levels = new Map<string, string[]>([[TOP_LEVEL, []]]);
  for (const node of nodes) {
    if (attached.has(node.id)) continue; // used inside its consumer's step, at the consumer's level
    const level = node.parent && byId.has(node.parent) ? node.parent : TOP_LEVEL;
    let ids = levels.get(level);
    if (!ids) levels.set(level, (ids = []));
    ids.push(node.id);
  }
  return { nodes: byId, ports, incoming, outgoing, attachments, attached, levels };
}

/** Ids of the nodes on some cycle of data edges (empty when acyclic), by Kahn's algorithm. */
export function nodesOnCycles(graph: FlowGraph): string[] {
  const indegree = new Map<string, number>();
  for (const [id, edges] of graph.incoming) indegree.set(id, edges.length);
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  for (let i = 0; i < queue.length; i++) {
    for (const edge of graph.outgoing.get(queue[i]!) ?? []) {
      const d = indegree.get(edge.target)! - 1;
      indegree.set(edge.target, d);
      if (d === 0) queue.push(edge.target);
    }
  }
  // What is left is on a cycle or downstream of one; peel off the downstream part from its end.
  const left = new Set([...indegree].filter(([, d]) => d > 0).map(([id]) => id));
  const outdegree = new Map([...left].map((id) => [id, graph.outgoing.get(id)!.filter((e) => left.has(e.target)).length]));
  const sinks = [...outdegree].filter(([, d]) => d === 0).map(([id]) => id);
  for (let i = 0; i < sinks.length; i++) {
    const id = sinks[i]!;
    left.delete(id);
    for (const edge of graph.incoming.get(id) ?? []) {
      if (!left.has(edge.source)) continue;
      const d = outdegree.get(edge.source)! - 1;
      outdegree.set(edge.source, d);
      if (d === 0) sinks.push(edge.source);
    }
  }
  return [...left];
}

/** Every node reachable from `from` along data edges, plus what is attached to those and the bodies of containers. */
export function reachableFrom(graph: FlowGraph, from: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...from];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const edge of graph.outgoing.get(id) ?? []) stack.push(edge.target);
    for (const ids of graph.attachments.get(id)?.values() ?? []) stack.push(...ids);
    // A body's steps with no incoming edge start when its container runs; the rest follow them.
    for (const bodyId of graph.levels.get(id) ?? []) if (!graph.incoming.get(bodyId)?.length) stack.push(bodyId);
  }
  return seen;
}

/** The data-edge ancestors of each node: what has surely run (or been skipped) before it. */
export function ancestorsOf(graph: FlowGraph, id: string, memo = new Map<string, Set<string>>()): Set<string> {
  const known = memo.get(id);
  if (known) return known;
  const result = new Set<string>();
  memo.set(id, result); // guards against cycles; the loader reports those separately
  for (const edge of graph.incoming.get(id) ?? []) {
    result.add(edge.source);
    for (const a of ancestorsOf(graph, edge.source, memo)) result.add(a);
  }
  return result;
}

/**
 * A path `from` → … → `to` along data edges (breadth first, so the shortest), if any: a new
 * data edge `to` → `from` would close exactly this cycle.
 */
export function findPath(graph: Pick<FlowGraph, 'outgoing'>, from: string, to: string): string[] | undefined {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null | undefined = id; at != null; at = parent.get(at)) path.unshift(at);
      return path;
    }
    for (const edge of graph.outgoing.get(id) ?? []) {
      if (!parent.has(edge.target)) {
        parent.set(edge.target, id);
        queue.push(edge.target);
      }
    }
  }
  return undefined;
}
