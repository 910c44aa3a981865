/**
 * The scope "Test this step" starts from, pure so it is tested without a browser: the input and
 * the outputs of the steps before the node, from the last run's trace when there is one, else
 * the flow's first sample input with a `null` to fill in for each upstream output the node reads.
 */
import { kinds } from '@trellis/nodes';
import { nodePorts, portOf, type Flow, type MockScript, type StepScope } from '@trellis/schema';
import type { Trace } from './trace';

/** The steps that run before `nodeId`: its data-wire ancestors (a tool wired to an agent is used by it, not run before it). */
export function upstreamOf(flow: Flow, nodeId: string): Set<string> {
  const feeds = (target: string, handle: string) => {
    const node = flow.nodes.find((n) => n.id === target);
    return (portOf(node && nodePorts(kinds, node), 'inputs', handle)?.type ?? 'data') === 'data';
  };
  const found = new Set<string>();
  const stack = [nodeId];
  while (stack.length) {
    const id = stack.pop()!;
    for (const edge of flow.edges) {
      if (edge.target !== id || found.has(edge.source) || !feeds(edge.target, edge.targetHandle)) continue;
      found.add(edge.source);
      stack.push(edge.source);
    }
  }
  return found;
}

/** The upstream steps whose output the node's settings read (`nodes.<id>` in a template or expression), in flow order. */
export function readsOf(flow: Flow, nodeId: string): string[] {
  const node = flow.nodes.find((n) => n.id === nodeId);
  if (!node) return [];
  const text = JSON.stringify(node.config ?? null);
  const named = new Set<string>();
  for (const match of text.matchAll(/\bnodes(?:\.([A-Za-z0-9_-]+)|\[\\?["']([A-Za-z0-9_-]+)\\?["']\])/g)) named.add(match[1] ?? match[2]!);
  const before = upstreamOf(flow, nodeId);
  return flow.nodes.map((n) => n.id).filter((id) => named.has(id) && before.has(id));
}

export interface StartingScope {
  scope: StepScope;
  /** Where the values came from, said above the field. */
  source: 'last run' | 'sample' | 'empty';
  /** The sample's mock script, when the values came from a sample that has one: the test plays it as a run would. */
  mocks?: MockScript;
}

export function startingScope(flow: Flow, nodeId: string, trace: Trace | undefined): StartingScope {
  const reads = readsOf(flow, nodeId);
  if (trace && trace.steps.length) {
    const before = upstreamOf(flow, nodeId);
    const nodes: Record<string, unknown> = {};
    for (const step of trace.steps) if (before.has(step.nodeId) && step.status === 'succeeded') nodes[step.nodeId] = step.output;
    for (const id of reads) if (!(id in nodes)) nodes[id] = null; // skipped or not reached in that run: fill it in
    return { scope: { input: trace.input ?? {}, nodes }, source: 'last run' };
  }
  const sample = flow.samples?.[0];
  const nodes = Object.fromEntries(reads.map((id) => [id, null]));
  return {
    scope: { input: sample?.input ?? {}, nodes },
    source: sample ? 'sample' : 'empty',
    ...(sample?.mocks ? { mocks: sample.mocks } : {}),
  };
}

/**
 * The scope as sent: an upstream output still `null` is the blank the form offered to fill in,
 * so it is left out and the runner names it as missing rather than running on a null.
 */
export function givenScope(scope: StepScope): StepScope {
  if (!scope.nodes || typeof scope.nodes !== 'object') return scope;
  return { ...scope, nodes: Object.fromEntries(Object.entries(scope.nodes).filter(([, output]) => output !== null)) };
}
