/**
 * Pure helpers behind the flow store: id generation, port lookup, connection checks, cycle
 * check, copying part of a flow. No state here, so each piece is easy to test and to reuse
 * (the canvas asks `checkConnection` while a person drags a wire).
 */
import { kinds } from '@trellis/nodes';
import type { Flow, FlowEdge, FlowNode, KindPorts, PortSpec } from '@trellis/schema';

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

const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const MAX_ID = 64;

/**
 * Turns any text into something the flow format accepts as an id (letters, digits, `_`, `-`,
 * not starting with a digit or `-`), because ids end up in URLs and in `nodes.<id>.output`.
 */
export function idBase(text: string): string {
  let base = text.replace(/[^A-Za-z0-9_-]+/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  return base.slice(0, MAX_ID - 6) || 'node';
}

/**
 * The first free id of the form `base`, `base-2`, `base-3`, … A copy of `classify-2` is named
 * from `classify`, so copies read `classify-3` rather than `classify-2-2`.
 */
export function uniqueId(wanted: string, taken: ReadonlySet<string>): string {
  const base = idBase(wanted.replace(/-\d+$/, ''));
  if (!taken.has(base) && ID_PATTERN.test(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Edge ids are `e1`, `e2`, …: short, and nobody reads them but the file. */
export function uniqueEdgeId(taken: ReadonlySet<string>): string {
  for (let n = taken.size + 1; ; n++) {
    const id = `e${n}`;
    if (!taken.has(id)) return id;
  }
}

/**
 * The ports of a node as its kind declares them for its current config. The config is parsed
 * first (defaults filled in) like the loader does; a config mid-edit that does not parse still
 * gets a try, and `undefined` means the handles cannot be known (unknown kind, broken config).
 */
export function portsOf(node: FlowNode): KindPorts | undefined {
  const spec = kinds.get(node.type);
  if (!spec) return undefined;
  const from = node.typeVersion ?? spec.version;
  const raw = from < spec.version && spec.migrate ? spec.migrate(node.config, from) : node.config;
  const parsed = spec.configSchema.safeParse(raw);
  try {
    return spec.ports(parsed.success ? parsed.data : raw);
  } catch {
    return undefined;
  }
}

export function findPort(ports: KindPorts | undefined, side: 'inputs' | 'outputs', handle: string): PortSpec | undefined {
  return ports?.[side].find((p) => p.id === handle);
}

/** Schema defaults: a handle left out is `out` on the source and `in` on the target. */
export function normalizeConnection(c: Connection): FlowEdge & { id: '' } {
  return { id: '', source: c.source, sourceHandle: c.sourceHandle || 'out', target: c.target, targetHandle: c.targetHandle || 'in' };
}

const gives = (p: PortSpec) => (p.type === 'data' ? 'data' : `a ${p.type}`);

/**
 * Data edges only, mirroring `buildGraph` in @trellis/schema: an edge into a non-data port
 * (a tool wired to an agent) attaches a resource and does not order steps, so it can neither
 * make nor break a cycle. Edges whose target port is unknown are left out, as the loader does.
 */
export function dataSuccessors(doc: Flow, ports: (id: string) => KindPorts | undefined): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const edge of doc.edges) {
    if (findPort(ports(edge.target), 'inputs', edge.targetHandle)?.type !== 'data') continue;
    next.set(edge.source, [...(next.get(edge.source) ?? []), edge.target]);
  }
  return next;
}

/** A path `from` → … → `to` along the given successors (breadth first, so the shortest), if any. */
export function findPath(successors: ReadonlyMap<string, string[]>, from: string, to: string): string[] | undefined {
  const parent = new Map<string, string | null>([[from, null]]);
  const queue = [from];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    if (id === to) {
      const path: string[] = [];
      for (let at: string | null | undefined = id; at != null; at = parent.get(at)) path.unshift(at);
      return path;
    }
    for (const n of successors.get(id) ?? []) {
      if (!parent.has(n)) {
        parent.set(n, id);
        queue.push(n);
      }
    }
  }
  return undefined;
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
    const port = findPort(known, side, handle);
    if (!port) {
      const names = known[side].map((p) => `"${p.id}"`).join(', ');
      return { ok: false, reason: `node "${node.id}" has no ${word} "${handle}" (${names ? `it has: ${names}` : `it has no ${word}s`})` };
    }
    found.push(port);
  }
  const [out, into] = found as [PortSpec, PortSpec];
  if (out.type !== into.type) {
    return { ok: false, reason: `"${source.id}".${out.id} gives ${gives(out)}, but "${target.id}".${into.id} takes ${gives(into)}` };
  }
  if (doc.edges.some((e) => e.source === c.source && e.sourceHandle === c.sourceHandle && e.target === c.target && e.targetHandle === c.targetHandle)) {
    return { ok: false, reason: 'these two handles are already connected' };
  }

  // A node wired as a tool is used by its consumer and never runs as a step (the loader
  // reports `invalid_wiring`), so the two kinds of wire do not mix on one node.
  const isAttachment = (e: FlowEdge) => {
    const port = findPort(ports(e.target), 'inputs', e.targetHandle);
    return port !== undefined && port.type !== 'data';
  };
  if (into.type !== 'data') {
    const steps = doc.edges.filter((e) => (e.source === source.id || e.target === source.id) && findPort(ports(e.target), 'inputs', e.targetHandle)?.type === 'data');
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
    const path = findPath(dataSuccessors(doc, ports), target.id, source.id);
    if (path) {
      return { ok: false, reason: `this would make a cycle (${[source.id, ...path].join(' → ')}): flows run each step once, so repeat work inside an agent instead` };
    }
  }
  return { ok: true };
}

/** The nodes with these ids and the edges between them, deep-copied so later edits cannot reach them. */
export function extractFragment(doc: Flow, nodeIds: Iterable<string>): Fragment {
  const ids = new Set(nodeIds);
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
