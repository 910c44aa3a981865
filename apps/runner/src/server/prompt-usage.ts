import { promptReferences } from '@trellis/nodes';
import type { PromptUse } from '@trellis/schema';
import type { Store } from '../store/types.js';

/** Flow documents read at once while scanning; a library has at most a few thousand flows. */
const READS_AT_ONCE = 8;

/**
 * The nodes of every flow's latest version that reference the prompt `name` (in a prompt's
 * text or system, or an agent's instructions), each marked outdated when it pins a version
 * older than `latestVersion`. Read on demand: saving a flow keeps no index of its references.
 */
export async function promptUsage(store: Store, name: string, latestVersion: number): Promise<PromptUse[]> {
  const flows = await store.listFlows();
  const uses: PromptUse[][] = new Array(flows.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < flows.length; i = next++) {
      const flow = flows[i]!;
      const document = await store.versionDocument(flow.id, flow.latestVersion);
      uses[i] = (document ? promptReferences(document) : [])
        .filter((reference) => reference.name === name)
        .map((reference) => ({
          flowId: flow.id,
          flowName: flow.name,
          flowVersion: flow.latestVersion,
          nodeId: reference.nodeId,
          ...(reference.nodeName ? { nodeName: reference.nodeName } : {}),
          field: reference.field,
          ref: reference.ref,
          pinned: reference.version,
          outdated: reference.version !== 'latest' && reference.version < latestVersion,
        }));
    }
  };
  await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, flows.length) }, worker));
  return uses.flat().sort((a, b) => a.flowName.localeCompare(b.flowName) || a.flowId.localeCompare(b.flowId));
}

/** "Support triage" (support-triage, 2 nodes), …: the flows in a list of uses, in words. */
export function describeFlows(uses: readonly PromptUse[]): string {
  const nodes = new Map<string, { name: string; count: number }>();
  for (const use of uses) {
    const entry = nodes.get(use.flowId) ?? { name: use.flowName, count: 0 };
    entry.count++;
    nodes.set(use.flowId, entry);
  }
  return [...nodes].map(([id, { name, count }]) => `"${name}" (${id}, ${count} node${count === 1 ? '' : 's'})`).join(', ');
}
