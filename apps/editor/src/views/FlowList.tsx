import { useEffect, useState } from 'react';
import type { FlowSummary } from '@trellis/schema';
import type { ApiClient } from '../api';

/** The flows a person has, newest first; each opens on the canvas. */
export function FlowList({ api, onOpen }: { api: ApiClient; onOpen: (id: string) => void }) {
  const [flows, setFlows] = useState<FlowSummary[] | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api.listFlows().then(
      (items) => live && setFlows(items),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  return (
    <main className="flow-list">
      <h1>Flows</h1>
      {error && <p role="alert">Could not load the flows: {error}</p>}
      {!flows && !error && <p aria-live="polite">Loading…</p>}
      {flows?.length === 0 && <p>No flows yet.</p>}
      <ul>
        {flows?.map((flow) => (
          <li key={flow.id}>
            <button type="button" onClick={() => onOpen(flow.id)} aria-label={`Open ${flow.name}`}>
              <strong>{flow.name}</strong>
              <span className="meta">
                {flow.id} · version {flow.latestVersion}
              </span>
            </button>
            {flow.description && <p className="description">{flow.description}</p>}
          </li>
        ))}
      </ul>
    </main>
  );
}
