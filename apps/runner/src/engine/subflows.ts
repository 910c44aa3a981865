/**
 * Sub-flows for runs: the flows a run's nodes name are resolved once when it starts (`latest`
 * becomes the newest version then) and pinned in the run record, as library prompts are, so a
 * resumed run starts its children from the same versions.
 */
import { MAX_SUBFLOW_DEPTH, type Flow, type FlowPin, type FlowReference, type KindRegistry } from '@trellis/schema';
import { TrellisError } from '@trellis/nodes/server';

/** Where the engine finds saved flows (the runner's store; a map in tests and the CLI). */
export interface FlowSource {
  /** The flow at that version, or its newest for 'latest'; undefined when there is none. */
  version(flowId: string, version: number | 'latest'): Promise<{ version: number; document: unknown } | undefined>;
}

/** The flow references of a flow's nodes, at every level (bodies and attached nodes too). */
export function flowReferences(flow: Pick<Flow, 'nodes'>, registry: KindRegistry): { nodeId: string; ref: FlowReference }[] {
  const found: { nodeId: string; ref: FlowReference }[] = [];
  for (const node of flow.nodes) {
    const ref = registry.get(node.type)?.flowReference?.(node.config);
    if (ref) found.push({ nodeId: node.id, ref });
  }
  return found;
}

/** Why a flow version cannot be had, naming the node that wants it. */
function missing(nodeId: string, ref: FlowReference): string {
  return ref.version === 'latest'
    ? `node "${nodeId}" runs the flow "${ref.flowId}", which does not exist`
    : `node "${nodeId}" runs version ${ref.version} of the flow "${ref.flowId}", which has no such version`;
}

/**
 * Resolves every flow the run's nodes name: the versions to pin. Refuses (`unresolved_flow`)
 * naming every reference that cannot be had, and (`subflow_too_deep`) a run that would go past
 * the depth bound, which a flow that uses itself through others reaches.
 */
export async function pinFlows(flow: Flow, registry: KindRegistry, source: FlowSource | undefined, depth: number): Promise<FlowPin[]> {
  const references = flowReferences(flow, registry);
  if (references.length === 0) return [];
  if (depth >= MAX_SUBFLOW_DEPTH) {
    throw new TrellisError(
      'subflow_too_deep',
      `the flow "${flow.id}" runs at depth ${depth} and would start another flow (node "${references[0]!.nodeId}"), past the limit of ${MAX_SUBFLOW_DEPTH} flows deep: does it use itself through another flow?`,
    );
  }
  if (!source) throw new TrellisError('unresolved_flow', `node "${references[0]!.nodeId}" runs the flow "${references[0]!.ref.flowId}", but there are no saved flows here to run`);
  const resolved = await Promise.all(references.map(async ({ nodeId, ref }) => ({ nodeId, ref, found: await source.version(ref.flowId, ref.version) })));
  const problems = resolved.filter((r) => !r.found).map((r) => missing(r.nodeId, r.ref));
  if (problems.length) throw new TrellisError('unresolved_flow', problems.join('; '), { details: { problems } });
  return resolved.map(({ nodeId, ref, found }) => ({ nodeId, flowId: ref.flowId, ref: ref.version, version: found!.version }));
}

/**
 * The flows that `flow` would reach through its sub-flow references (at the versions they name,
 * `latest` as it is now) that lead back to it: each cycle as the chain of flow ids, e.g.
 * `["a", "b", "a"]`. A flow that uses itself could only fail at the depth bound at run time.
 */
export async function findFlowCycles(flow: Pick<Flow, 'id' | 'nodes'>, registry: KindRegistry, source: FlowSource): Promise<{ nodeId: string; chain: string[] }[]> {
  const cycles: { nodeId: string; chain: string[] }[] = [];
  const seen = new Map<string, Promise<FlowReference[]>>();
  const referencesOf = (ref: FlowReference) => {
    const key = `${ref.flowId}@${ref.version}`;
    let refs = seen.get(key);
    if (!refs) {
      refs = source.version(ref.flowId, ref.version).then((found) => {
        const nodes = (found?.document as Partial<Flow> | undefined)?.nodes;
        return Array.isArray(nodes) ? flowReferences({ nodes }, registry).map((r) => r.ref) : [];
      });
      seen.set(key, refs);
    }
    return refs;
  };
  for (const { nodeId, ref } of flowReferences(flow, registry)) {
    // Depth-first over the flows this node reaches, bounded by the depth limit.
    const walk = async (at: FlowReference, chain: string[]): Promise<string[] | undefined> => {
      if (at.flowId === flow.id) return [...chain, at.flowId];
      if (chain.length > MAX_SUBFLOW_DEPTH || chain.includes(at.flowId)) return undefined;
      for (const next of await referencesOf(at)) {
        const found = await walk(next, [...chain, at.flowId]);
        if (found) return found;
      }
      return undefined;
    };
    const chain = await walk(ref, [flow.id]);
    if (chain) cycles.push({ nodeId, chain });
  }
  return cycles;
}
