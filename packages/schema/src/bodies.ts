import type { FlowNode } from './flow.js';
import { TOP_LEVEL, type FlowGraph } from './graph.js';
import type { KindRegistry } from './kinds.js';
import type { Problem } from './problems.js';

/** Containers nest at most this deep (a map inside a loop inside a map …). */
export const MAX_BODY_DEPTH = 5;

/** The containers around a node, innermost first (none for a step of the flow's own level). */
export function enclosingContainers(graph: Pick<FlowGraph, 'nodes'>, id: string): string[] {
  const found: string[] = [];
  for (let at = graph.nodes.get(id)?.parent; at !== undefined && !found.includes(at); at = graph.nodes.get(at)?.parent) {
    if (!graph.nodes.has(at)) break;
    found.push(at);
  }
  return found;
}

/**
 * What is wrong with the flow's containers and their bodies: a parent that is missing or not a
 * container, a container inside itself or nested too deep, an input node inside a body, and a
 * body with no steps or no output node (so an item would give nothing).
 */
export function bodyProblems(
  nodes: readonly FlowNode[],
  graph: FlowGraph,
  registry: KindRegistry,
  nodePath: (id: string, ...rest: (string | number)[]) => (string | number)[],
): Problem[] {
  const problems: Problem[] = [];
  const problem = (nodeId: string, message: string, ...path: (string | number)[]) =>
    problems.push({ severity: 'error', code: 'invalid_body', nodeId, path: nodePath(nodeId, ...path), message });
  for (const node of nodes) {
    const spec = registry.get(node.type);
    if (node.parent !== undefined) {
      const parent = graph.nodes.get(node.parent);
      const parentSpec = parent && registry.get(parent.type);
      if (!parent) problem(node.id, `its parent "${node.parent}" is not a node of this flow`, 'parent');
      else if (parentSpec && !parentSpec.container) problem(node.id, `its parent "${node.parent}" is a ${parent.type} node, which holds no body (only containers such as map and loop do)`, 'parent');
      else if (spec?.entry) problem(node.id, 'the input node cannot be inside a body: a run starts at the flow\'s own level', 'parent');
      else {
        const chain = [node.id];
        for (let at: string | undefined = node.parent; at !== undefined; at = graph.nodes.get(at)?.parent) {
          if (chain.includes(at)) {
            problem(node.id, `is inside itself: ${[...chain, at].join(' → ')}`, 'parent');
            break;
          }
          chain.push(at);
          if (chain.length - 1 > MAX_BODY_DEPTH) {
            problem(node.id, `is nested ${chain.length - 1} containers deep; at most ${MAX_BODY_DEPTH} are allowed`, 'parent');
            break;
          }
        }
      }
    }
    if (spec?.container) {
      const body = graph.levels.get(node.id) ?? [];
      const runsFlow = spec.flowReference?.(node.config);
      if (runsFlow) {
        if (body.length) problem(node.id, `it runs the flow "${runsFlow.flowId}" for each round, so its body must be empty (move ${body.map((id) => `"${id}"`).join(', ')} out, or clear its flow)`);
      } else if (body.length === 0) problem(node.id, 'its body is empty: put the steps to repeat inside it');
      else if (!body.some((id) => registry.get(graph.nodes.get(id)!.type)?.runOutput)) {
        problem(node.id, "its body has no output node: add one inside it to say what each round gives");
      }
    }
  }
  return problems;
}

/** The nodes of one level of a graph: the flow's own steps, or a container's body. */
export function levelOf(graph: Pick<FlowGraph, 'levels'>, container: string = TOP_LEVEL): readonly string[] {
  return graph.levels.get(container) ?? [];
}
