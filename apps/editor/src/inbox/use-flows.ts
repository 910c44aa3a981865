import { useEffect, useState } from 'react';
import type { Flow, FlowSummary } from '@trellis/schema';
import type { ApiClient } from '../api';

/**
 * The saved flows (for the flow filter), and the documents of the flows the inbox shows, loaded
 * once each, so a card can name the step that waits rather than its node id.
 */
export function useFlows(api: ApiClient, shownFlowIds: readonly string[]): { flows: FlowSummary[] | undefined; documents: ReadonlyMap<string, Flow | null> } {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  // null: the flow could not be read (deleted since): asked once, its steps named by id.
  const [documents, setDocuments] = useState<ReadonlyMap<string, Flow | null>>(new Map());
  useEffect(() => {
    let live = true;
    api.listFlows().then(
      (list) => live && setFlows(list),
      () => live && setFlows([]), // the filter offers "All flows" only; the list itself reports the runner's errors
    );
    return () => {
      live = false;
    };
  }, [api]);

  const wanted = [...new Set(shownFlowIds)].filter((id) => !documents.has(id)).sort().join('\n');
  useEffect(() => {
    if (!wanted) return;
    let live = true;
    void Promise.all(
      wanted.split('\n').map((id) =>
        api.getFlow(id).then(
          (detail) => [id, detail.document] as const,
          () => [id, null] as const,
        ),
      ),
    ).then((found) => {
      if (!live) return;
      setDocuments((prev) => {
        const next = new Map(prev);
        for (const [id, document] of found) next.set(id, document);
        return next;
      });
    });
    return () => {
      live = false;
    };
  }, [api, wanted]);

  return { flows, documents };
}
