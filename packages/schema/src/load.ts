import type { z } from 'zod';
import { Flow, FlowEdge, FlowNode, type Sample } from './flow.js';
import { ancestorsOf, buildGraph, nodesOnCycles, portOf, reachableFrom, type FlowGraph } from './graph.js';
import { bodyProblems, enclosingContainers } from './bodies.js';
import { declaredFields, inputSchemaOf, migratedConfig, nodeTypeVersion, refusedAttachment, type KindPorts, type KindRegistry } from './kinds.js';
import { errorMessage } from './errors.js';
import { describeTooDeep, findTooDeep, type TooDeep } from './limits.js';
import { migrateFlowDocument } from './migrate.js';
import { formatPath, type Problem } from './problems.js';

const Envelope = Flow.omit({ nodes: true, edges: true });
const MAX_NODES = 5000;
const MAX_EDGES = 20_000;

export interface LoadResult {
  /** True when there is no problem of severity `error`. */
  ok: boolean;
  problems: Problem[];
  /** The flow with every node's config parsed by its kind (defaults filled in), when it could be read. */
  flow?: Flow;
  graph?: FlowGraph;
  /**
   * The document as read, migrated to the current version but not filled in by parsing: what a
   * store keeps. Present when the envelope could be read.
   */
  document?: Record<string, unknown>;
}

/** Reads JSON text; a syntax error becomes one problem rather than an exception. */
export function parseFlowText(text: string, registry: KindRegistry): LoadResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return fail({ code: 'invalid_json', message: `this is not valid JSON: ${errorMessage(error)}` });
  }
  return loadFlow(raw, registry);
}

/**
 * The one load path for a flow, used by the runner and the editor alike: migrate by version,
 * parse the envelope, parse each node's config by its kind, check the graph. Returns every
 * problem at once, each with the node or edge it concerns and a path into the document.
 */
export function loadFlow(raw: unknown, registry: KindRegistry): LoadResult {
  if (!isRecord(raw) || (!('schema' in raw) && !('nodes' in raw))) {
    return fail({
      code: 'not_a_flow',
      message: 'this is not a Trellis flow: expected a JSON object with "schema": "trellis.flow/v1", "nodes" and "edges"',
    });
  }
  // Before anything walks it: the checks below (and whoever serialises the flow) recurse.
  const tooDeep = findTooDeep(raw);
  if (tooDeep) return fail(tooDeepProblem(raw, tooDeep));
  const migrated = migrateFlowDocument(raw);
  if (!migrated.ok) return fail({ code: 'unsupported_version', message: migrated.message, path: ['schema'] });
  const doc = migrated.doc;
  const problems: Problem[] = [];

  // The envelope without its lists, so one bad node does not hide the rest.
  const envelope = Envelope.safeParse(doc);
  if (!envelope.success) problems.push(...zodProblems(envelope.error, [], 'invalid_flow'));
  if (!Array.isArray(doc.nodes) || !Array.isArray(doc.edges)) {
    for (const key of ['nodes', 'edges'] as const) {
      if (!Array.isArray(doc[key])) {
        problems.push(error({ code: 'invalid_flow', message: `"${key}" must be a list`, path: [key] }));
      }
    }
    return done(problems);
  }
  for (const [key, limit] of [['nodes', MAX_NODES], ['edges', MAX_EDGES]] as const) {
    const list = doc[key] as unknown[];
    if (list.length > limit) {
      return done([...problems, error({ code: 'invalid_flow', path: [key], message: `a flow holds at most ${limit} ${key} (this one has ${list.length})` })]);
    }
  }

  const nodes: FlowNode[] = [];
  const seenNodes = new Set<string>();
  const ports = new Map<string, KindPorts>();
  const validConfig = new Set<string>();
  doc.nodes.forEach((rawNode, i) => {
    const idHint = isRecord(rawNode) && typeof rawNode.id === 'string' ? rawNode.id : undefined;
    const parsed = FlowNode.safeParse(rawNode);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, ['nodes', i], 'invalid_flow', { nodeId: idHint }));
      return;
    }
    const node = parsed.data;
    if (seenNodes.has(node.id)) {
      problems.push(error({ code: 'duplicate_id', nodeId: node.id, path: ['nodes', i, 'id'], message: `another node already has the id "${node.id}"` }));
      return;
    }
    nodes.push(node);
    seenNodes.add(node.id);
    const spec = registry.get(node.type);
    if (!spec) {
      problems.push(error({
        code: 'unknown_kind', nodeId: node.id, path: ['nodes', i, 'type'],
        message: `unknown node kind "${node.type}" (known kinds: ${registry.types().join(', ')})`,
      }));
      return;
    }
    const from = nodeTypeVersion(node);
    if (from > spec.version) {
      problems.push(error({
        code: 'invalid_config', nodeId: node.id, path: ['nodes', i, 'typeVersion'],
        message: `written for version ${from} of the "${node.type}" kind, but this Trellis knows version ${spec.version}`,
      }));
      return;
    }
    const rawConfig = migratedConfig(spec, node);
    const config = spec.configSchema.safeParse(rawConfig);
    if (!config.success) {
      problems.push(...zodProblems(config.error, ['nodes', i, 'config'], 'invalid_config', { nodeId: node.id }));
      return;
    }
    node.config = config.data as Record<string, unknown>;
    node.typeVersion = spec.version;
    ports.set(node.id, spec.ports(config.data));
    validConfig.add(node.id);
  });

  const nodeIds = new Set(nodes.map((n) => n.id));
  const nodeById = new Map(nodes.map((n) => [n.id, n]));
  const byIdOf = (id: string) => nodeById.get(id);
  const edges: FlowEdge[] = [];
  const seenEdges = new Set<string>();
  doc.edges.forEach((rawEdge, i) => {
    const idHint = isRecord(rawEdge) && typeof rawEdge.id === 'string' ? rawEdge.id : undefined;
    const parsed = FlowEdge.safeParse(rawEdge);
    if (!parsed.success) {
      problems.push(...zodProblems(parsed.error, ['edges', i], 'invalid_flow', { edgeId: idHint }));
      return;
    }
    const edge = parsed.data;
    const at = (field: string) => ['edges', i, field];
    if (seenEdges.has(edge.id)) {
      problems.push(error({ code: 'duplicate_id', edgeId: edge.id, path: at('id'), message: `another edge already has the id "${edge.id}"` }));
      return;
    }
    seenEdges.add(edge.id);
    let sound = true;
    for (const end of ['source', 'target'] as const) {
      if (!nodeIds.has(edge[end])) {
        sound = false;
        problems.push(error({ code: 'dangling_edge', edgeId: edge.id, path: at(end), message: `its ${end} "${edge[end]}" is not a node of this flow` }));
      }
    }
    if (!sound) return;
    const sourcePort = portOf(ports.get(edge.source), 'outputs', edge.sourceHandle);
    const targetPort = portOf(ports.get(edge.target), 'inputs', edge.targetHandle);
    for (const [end, handle, port, side] of [
      ['source', edge.sourceHandle, sourcePort, 'outputs'],
      ['target', edge.targetHandle, targetPort, 'inputs'],
    ] as const) {
      const known = ports.get(edge[end]);
      if (known && !port) {
        sound = false;
        const names = known[side].map((p) => `"${p.id}"`).join(', ') || 'none';
        problems.push(error({
          code: 'unknown_handle', edgeId: edge.id, path: at(`${end}Handle`),
          message: `node "${edge[end]}" has no ${side === 'outputs' ? 'output' : 'input'} "${handle}" (it has: ${names})`,
        }));
      }
    }
    if (sourcePort && targetPort && sourcePort.type !== targetPort.type) {
      sound = false;
      problems.push(error({
        code: 'incompatible_ports', edgeId: edge.id, path: ['edges', i],
        message: `"${edge.source}".${sourcePort.id} gives ${sourcePort.type === 'data' ? 'data' : `a ${sourcePort.type}`}, but "${edge.target}".${targetPort.id} takes ${targetPort.type === 'data' ? 'data' : `a ${targetPort.type}`}`,
      }));
    }
    if (sound && targetPort) {
      const sourceNode = nodes.find((n) => n.id === edge.source);
      const refused = sourceNode ? refusedAttachment(targetPort, sourceNode.type) : undefined;
      if (refused) {
        sound = false;
        problems.push(error({
          code: 'incompatible_ports', edgeId: edge.id, nodeId: edge.source, path: ['edges', i],
          message: `node "${edge.source}" (${sourceNode!.type}) cannot be attached at "${edge.target}".${targetPort.id}: ${refused}`,
        }));
      }
    }
    if (sound) {
      const [from, to] = [byIdOf(edge.source), byIdOf(edge.target)];
      if (from?.parent !== to?.parent) {
        sound = false;
        const container = from?.parent ?? to?.parent;
        problems.push(error({
          code: 'invalid_body', edgeId: edge.id, path: ['edges', i],
          message: `crosses the edge of container "${container}": wires stay inside a body or outside it (a body step reads outer steps by name, {{ nodes.<id>.output }}, and the container's result leaves by its own handles)`,
        }));
      }
    }
    if (sound) edges.push(edge);
  });

  const graph = buildGraph(nodes, edges, ports);
  const indexOf = new Map<unknown, number>();
  doc.nodes.forEach((n, i) => {
    const id = isRecord(n) ? n.id : undefined;
    if (!indexOf.has(id)) indexOf.set(id, i); // the loader keeps the first node of an id
  });
  const nodePath = (id: string, ...rest: (string | number)[]) => ['nodes', indexOf.get(id) ?? -1, ...rest];

  const entries = nodes.filter((n) => registry.get(n.type)?.entry);
  if (entries.length === 0) {
    problems.push(error({ code: 'no_input', path: ['nodes'], message: 'the flow has no input node: add one so a run has somewhere to start' }));
  } else if (entries.length > 1) {
    for (const extra of entries.slice(1)) {
      problems.push(error({
        code: 'multiple_inputs', nodeId: extra.id, path: nodePath(extra.id),
        message: `a flow has one input node, and "${entries[0]!.id}" is already one`,
      }));
    }
  }

  problems.push(...bodyProblems(nodes, graph, registry, nodePath));

  const cyclic = nodesOnCycles(graph);
  for (const id of cyclic) {
    problems.push(error({
      code: 'cycle', nodeId: id, path: nodePath(id),
      message: `is on a cycle (${cyclic.join(', ')}): flows run each step once, so repeat work inside an agent instead`,
    }));
  }

  for (const id of graph.attached) {
    const stepEdges = [...graph.incoming.get(id)!, ...graph.outgoing.get(id)!];
    if (stepEdges.length) {
      problems.push(error({
        code: 'invalid_wiring', nodeId: id, path: nodePath(id),
        message: `is attached to another node (as a tool, worker or handoff target), so it cannot also be a step: remove edge ${stepEdges.map((e) => `"${e.id}"`).join(', ')}`,
      }));
    }
  }

  if (entries.length > 0) {
    const reached = reachableFrom(graph, entries.map((n) => n.id));
    for (const node of nodes) {
      if (!reached.has(node.id)) {
        problems.push(error({ code: 'unreachable', nodeId: node.id, path: nodePath(node.id), message: 'no path from the input node leads here, so it would never run' }));
      }
    }
  }

  for (const node of nodes) {
    if (graph.attached.has(node.id)) continue;
    for (const port of ports.get(node.id)?.outputs ?? []) {
      if (!port.unwired || graph.outgoing.get(node.id)!.some((e) => e.sourceHandle === port.id)) continue;
      problems.push({ severity: 'warning', code: 'unwired_outcome', nodeId: node.id, path: nodePath(node.id), message: port.unwired });
    }
  }

  const consumers = new Map<string, string[]>();
  for (const [consumer, byHandle] of graph.attachments) {
    for (const ids of byHandle.values()) for (const id of ids) consumers.set(id, [...(consumers.get(id) ?? []), consumer]);
  }
  const memo = new Map<string, Set<string>>();
  const vars = new Set(Object.keys(isRecord(doc.vars) ? doc.vars : {}));
  const inputFields = entries.length === 1 && validConfig.has(entries[0]!.id) ? declaredFields(inputSchemaOf({ nodes: entries }, registry)) : undefined;
  for (const node of nodes) {
    const spec = registry.get(node.type);
    if (!spec?.check || !validConfig.has(node.id)) continue;
    const usedBy = consumers.get(node.id);
    // Inside a body, what ran before each enclosing container has surely run too.
    const containers = enclosingContainers(graph, usedBy?.[0] ?? node.id);
    const upstream = { has: (id: string) => [...(usedBy ?? [node.id]), ...containers].some((of) => ancestorsOf(graph, of, memo).has(id)) };
    const bodyNames = containers.flatMap((c) => registry.get(graph.nodes.get(c)!.type)?.container?.scope ?? []);
    const found = spec.check(node.config, {
      nodeId: node.id,
      upstream,
      vars,
      extraRoots: new Set([...(usedBy ? ['args'] : []), ...bodyNames]),
      attachedTo: usedBy ?? [],
      ...(inputFields ? { inputFields } : {}),
    });
    for (const p of found) {
      problems.push({
        severity: p.severity ?? 'error', code: p.code, message: p.message,
        nodeId: node.id, path: nodePath(node.id, 'config', ...(p.path ?? [])),
      });
    }
  }

  if (envelope.success) problems.push(...caseProblems(envelope.data.samples ?? [], nodeById, ports));

  const result = done(problems);
  if (envelope.success) {
    result.flow = { ...(envelope.data as Omit<Flow, 'nodes' | 'edges'>), nodes, edges };
    result.graph = graph;
    result.document = doc;
  }
  return result;
}

/**
 * What a flow's test cases name that the flow does not have: a step, or a step's output port.
 * Warnings, not errors: deleting a step must not stop the flow from saving; its cases fail, saying why.
 */
function caseProblems(samples: readonly Sample[], nodes: ReadonlyMap<string, FlowNode>, ports: ReadonlyMap<string, KindPorts>): Problem[] {
  const problems: Problem[] = [];
  const seen = new Set<string>();
  samples.forEach((sample, i) => {
    const warn = (path: (string | number)[], message: string) => problems.push({ severity: 'warning', code: 'invalid_case', path: ['samples', i, ...path], message: `case "${sample.name}" ${message}` });
    if (seen.has(sample.name)) warn(['name'], 'has the name of another case: `trellis test` and the editor tell cases apart by name');
    seen.add(sample.name);
    (sample.expect ?? []).forEach((assertion, j) => {
      const refs: [string, string][] =
        assertion.type === 'ran' || assertion.type === 'skipped' ? assertion.nodes.map((id) => ['nodes', id])
        : assertion.type === 'branch' || assertion.type === 'waited' ? [['node', assertion.node]]
        : assertion.type === 'handoff' ? [['from', assertion.from], ['to', assertion.to]]
        : assertion.type === 'tool_called' && assertion.node ? [['node', assertion.node]]
        : [];
      for (const [field, id] of refs) {
        if (!nodes.has(id)) warn(['expect', j, field], `expects something of step "${id}", which is not a node of this flow`);
      }
      if (assertion.type === 'branch' && nodes.has(assertion.node)) {
        const outputs = ports.get(assertion.node)?.outputs ?? [];
        if (outputs.length && !outputs.some((port) => port.id === assertion.port)) {
          warn(['expect', j, 'port'], `expects step "${assertion.node}" to take its output "${assertion.port}", which it does not have (it has: ${outputs.map((port) => `"${port.id}"`).join(', ')})`);
        }
      }
    });
  });
  return problems;
}

/** The problem for a flow nested too deep: on its node when it is inside one, the path cut short like the message. */
function tooDeepProblem(raw: Record<string, unknown>, found: TooDeep): Omit<Problem, 'severity'> {
  const [list, index] = found.path;
  const node = list === 'nodes' && typeof index === 'number' && Array.isArray(raw.nodes) ? raw.nodes[index] : undefined;
  const nodeId = isRecord(node) && typeof node.id === 'string' ? node.id : undefined;
  return { code: 'invalid_flow', message: describeTooDeep('', found), path: found.path.slice(0, 6), ...(nodeId ? { nodeId } : {}) };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function error(p: Omit<Problem, 'severity' | 'path'> & { path?: Problem['path'] }): Problem {
  return { severity: 'error', path: [], ...p };
}

function fail(p: Omit<Problem, 'severity' | 'path'> & { path?: Problem['path'] }): LoadResult {
  return { ok: false, problems: [error(p)] };
}

function done(problems: Problem[]): LoadResult {
  return { ok: !problems.some((p) => p.severity === 'error'), problems };
}

function zodProblems(
  err: z.ZodError,
  prefix: (string | number)[],
  code: Problem['code'],
  where: { nodeId?: string | undefined; edgeId?: string | undefined } = {},
): Problem[] {
  return err.issues.map((issue) => {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const inner = issue.path.length ? `${formatPath(issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)))}: ` : '';
    const p: Problem = { severity: 'error', code, message: `${inner}${issue.message}`, path };
    if (where.nodeId) p.nodeId = where.nodeId;
    if (where.edgeId) p.edgeId = where.edgeId;
    return p;
  });
}
