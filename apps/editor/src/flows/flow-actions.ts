import type { Flow, FlowSaved, Published } from '@trellis/schema';
import { ApiError, type ApiClient } from '../api';
import { uniqueFlowId } from './flow-id';
import { copyName, copyOf } from './flow-docs';
import { exportFileName, exportText } from './export-flow';

/** The parts of the API client the flow list uses (a fake in tests). */
export type FlowsApi = Pick<ApiClient, 'getFlow' | 'createFlow' | 'saveFlow'>;

/** Creations tried when another flow takes the chosen id between the list and the POST. */
const ID_TRIES = 5;

/**
 * Stores a new flow. The id was chosen against the list on screen; when the runner answers
 * that it exists (someone made it meanwhile), the next free id is tried.
 */
export async function createUnderFreeId(api: FlowsApi, doc: Flow, taken: Iterable<string>): Promise<FlowSaved> {
  const used = new Set(taken);
  let candidate = doc;
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.createFlow(candidate);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 409 || attempt >= ID_TRIES) throw error;
      used.add(candidate.id);
      candidate = { ...candidate, id: uniqueFlowId(doc.id, used) }; // from the first id: hello-3, not hello-2-2
    }
  }
}

/** Saves a new version under `name`, refused (409) if someone saved another version meanwhile. */
export async function renameFlow(api: FlowsApi, id: string, name: string): Promise<FlowSaved> {
  const flow = await api.getFlow(id);
  return api.saveFlow(id, { ...flow.document, name }, flow.latestVersion, `renamed to "${name}"`);
}

/** A copy of the flow's latest version as a new flow named "<name> (copy)". */
export async function duplicateFlow(api: FlowsApi, id: string, taken: Iterable<string>): Promise<FlowSaved> {
  const flow = await api.getFlow(id);
  const name = copyName(flow.document.name);
  return createUnderFreeId(api, copyOf(flow.document, uniqueFlowId(name, taken), name), taken);
}

/** The file of the flow's latest version. */
export async function exportFlow(api: FlowsApi, id: string): Promise<{ fileName: string; text: string; version: number }> {
  const flow = await api.getFlow(id);
  return { fileName: exportFileName(flow.id), text: exportText(flow.document), version: flow.latestVersion };
}

/** The slugs each flow is published under. */
export function slugsByFlow(published: readonly Published[]): Map<string, string[]> {
  const byFlow = new Map<string, string[]>();
  for (const p of published) byFlow.set(p.flowId, [...(byFlow.get(p.flowId) ?? []), p.slug]);
  return byFlow;
}
