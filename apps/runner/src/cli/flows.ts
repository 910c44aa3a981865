import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { FlowSource } from '../engine/subflows.js';
import type { Store } from '../store/types.js';
import { readText } from './files.js';

/** A folder holds at most this many flow files that the CLI reads for sub-flows. */
const MAX_FLOW_FILES = 500;

/**
 * The sub-flows of a flow run from a file: the `*.flow.json` files beside it, each by its `id`
 * and standing as version 1 (a file has no history; pin versions against a runner's data folder).
 */
export function siblingFlows(flowPath: string): FlowSource {
  let byId: Promise<Map<string, unknown>> | undefined;
  const load = async () => {
    const dir = dirname(flowPath);
    const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.flow.json')).slice(0, MAX_FLOW_FILES);
    const found = new Map<string, unknown>();
    for (const name of names) {
      try {
        const doc = JSON.parse(await readText(join(dir, name), 'flow file')) as { id?: unknown };
        if (typeof doc.id === 'string' && !found.has(doc.id)) found.set(doc.id, doc);
      } catch {
        // not a flow this run can use: the run names the flow it could not find
      }
    }
    return found;
  };
  return {
    version: async (flowId, version) => {
      const document = (await (byId ??= load())).get(flowId);
      return document && (version === 'latest' || version === 1) ? { version: 1, document } : undefined;
    },
  };
}

/** The sub-flows of a flow run against a runner's data folder: its saved flows and their versions. */
export function storeFlows(store: Pick<Store, 'getFlow' | 'versionDocument'>): FlowSource {
  return {
    version: async (flowId, version) => {
      const wanted = version === 'latest' ? (await store.getFlow(flowId))?.latestVersion : version;
      if (wanted === undefined) return undefined;
      const document = await store.versionDocument(flowId, wanted);
      return document ? { version: wanted, document } : undefined;
    },
  };
}
