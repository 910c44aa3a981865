/**
 * What a node's templates may read, worked out the way the flow loader does: `input`, `vars`
 * by name, `nodes.<id>` for the steps that surely run before it, `args` for a tool wired to
 * an agent (which then sees what its agents see), and inside a body its containers' names. The editor checks a template against this
 * while it is typed, before the store's own validation runs on commit.
 */
import { flowInputSchema, kinds, templateSyntaxError, templateVariables, unknownVariable } from '@trellis/nodes';
import { ancestorsOf, buildGraph, enclosingContainers, type CheckContext, type Flow, type KindPorts } from '@trellis/schema';
import { portsOf } from '../store/graph-edit';
import { isRecord } from './paths';

export function templateScope(doc: Flow, nodeId: string): CheckContext {
  const ports = new Map<string, KindPorts>();
  for (const node of doc.nodes) {
    const known = portsOf(node);
    if (known) ports.set(node.id, known);
  }
  const graph = buildGraph(doc.nodes, doc.edges, ports);
  const consumers: string[] = [];
  for (const [consumer, byHandle] of graph.attachments) {
    for (const ids of byHandle.values()) if (ids.includes(nodeId)) consumers.push(consumer);
  }
  // Inside a body, a step also sees what ran before each container around it, and the names
  // those containers add (item and index in a map, iteration and previous in a loop): as the loader.
  const containers = enclosingContainers(graph, consumers[0] ?? nodeId);
  const bodyNames = containers.flatMap((c) => kinds.get(graph.nodes.get(c)!.type)?.container?.scope ?? []);
  const memo = new Map<string, Set<string>>();
  const upstream = new Set<string>();
  for (const of of [...(consumers.length ? consumers : [nodeId]), ...containers]) for (const id of ancestorsOf(graph, of, memo)) upstream.add(id);
  return {
    nodeId,
    upstream,
    vars: new Set(Object.keys(isRecord(doc.vars) ? doc.vars : {})),
    extraRoots: new Set([...(consumers.length ? ['args'] : []), ...bodyNames]),
    attachedTo: consumers,
  };
}

export interface TemplateCheck {
  /** Every variable the template reads, in order, once each. */
  variables: string[];
  /** One sentence per variable that will not exist when the node runs. */
  unknown: string[];
  /** Set when the template does not parse (then nothing else is known): the runner's own words. */
  syntaxError?: string;
}

export function checkTemplateText(source: string, scope: CheckContext): TemplateCheck {
  const syntaxError = templateSyntaxError(source);
  if (syntaxError) return { variables: [], unknown: [], syntaxError };
  const variables = [...new Set(templateVariables(source))];
  const unknown = variables.map((v) => unknownVariable(v, scope)).filter((m): m is string => m !== undefined);
  return { variables, unknown };
}

/** Checks every string leaf with a `{` in a JSON value whose string leaves are templates. */
export function checkTemplateLeaves(value: unknown, scope: CheckContext): Omit<TemplateCheck, 'syntaxError'> & { syntaxErrors: string[] } {
  const variables = new Set<string>();
  const unknown = new Set<string>();
  const syntaxErrors: string[] = [];
  const visit = (v: unknown, where: string) => {
    if (typeof v === 'string') {
      if (!v.includes('{')) return;
      const check = checkTemplateText(v, scope);
      if (check.syntaxError) syntaxErrors.push(`${where || 'the value'}: ${check.syntaxError}`);
      for (const name of check.variables) variables.add(name);
      for (const message of check.unknown) unknown.add(message);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${where}[${i}]`));
    } else if (isRecord(v)) {
      for (const [k, item] of Object.entries(v)) visit(item, where ? `${where}.${k}` : k);
    }
  };
  visit(value, '');
  return { variables: [...variables], unknown: [...unknown], syntaxErrors };
}

/** The `{{ … }}` spans of a template, for highlighting; `{{-`/`-}}` trim markers included. */
export const TEMPLATE_OUTPUT = /\{\{-?[\s\S]*?-?\}\}/g;

/** A node's template scope, and the names a template editor offers to complete under each path. */
export interface TemplateEnv {
  scope: CheckContext;
  complete(path: readonly string[]): string[];
}

const propertyNames = (schema: unknown): string[] => (isRecord(schema) && isRecord(schema.properties) ? Object.keys(schema.properties) : []);

/**
 * `live` gives the document as it is when a completion is asked for (schemas edited since the
 * scope was worked out show up); the scope itself follows the wiring, which changes less often.
 */
export function templateEnv(doc: Flow, nodeId: string, live: () => Flow = () => doc): TemplateEnv {
  const scope = templateScope(doc, nodeId);
  const upstream = doc.nodes.filter((n) => scope.upstream.has(n.id)).map((n) => n.id);
  return {
    scope,
    complete(path) {
      const [root, id, third] = path;
      const now = live();
      const byId = new Map(now.nodes.map((n) => [n.id, n]));
      const self = byId.get(nodeId);
      if (root === undefined) return ['input', 'nodes', 'vars', ...scope.extraRoots];
      if (path.length === 1) {
        if (root === 'nodes') return upstream;
        if (root === 'vars') return [...scope.vars];
        if (root === 'input') return propertyNames(flowInputSchema(now));
        if (root === 'args' && scope.extraRoots.has('args')) return propertyNames(self?.config.parameters);
        return [];
      }
      if (root === 'nodes' && id !== undefined && path.length === 2) return scope.upstream.has(id) ? ['output'] : [];
      if (root === 'nodes' && id !== undefined && third === 'output' && path.length === 3) {
        const output = byId.get(id)?.config.output;
        return isRecord(output) ? propertyNames(output.schema) : [];
      }
      return [];
    },
  };
}
