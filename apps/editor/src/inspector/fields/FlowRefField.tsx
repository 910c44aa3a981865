import { useEffect, useState } from 'react';
import type { FlowSummary, FlowVersionSummary } from '@trellis/schema';
import type { ApiClient } from '../../api';
import { describedBy, FieldShell, problemMessages, type FieldProps } from './FieldShell';

type Loaded<T> = { status: 'loading' } | { status: 'ready'; items: T[] } | { status: 'failed'; error: string };

/** Loads a list once per key; `undefined` key loads nothing. */
function useList<T>(key: string | undefined, load: () => Promise<T[]>): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  useEffect(() => {
    if (key === undefined) return;
    let live = true;
    setState({ status: 'loading' });
    load().then(
      (items) => live && setState({ status: 'ready', items }),
      (error: unknown) => live && setState({ status: 'failed', error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
    // `load` is made anew each render; the key says when it loads something else.
  }, [key]);
  return state;
}

/**
 * The saved flow a node runs (a sub-flow, a map's per-item flow): a choice of the runner's flows,
 * its version (`latest`, resolved when a run starts, or a pinned one), and a link that opens it.
 */
export function FlowRefField({ hint, value, write, problems, fieldId, api, version, writeVersion }: FieldProps & { api: ApiClient; version: unknown; writeVersion: (value: unknown) => void }) {
  const flowId = typeof value === 'string' ? value : '';
  const flows = useList<FlowSummary>('flows', () => api.listFlows());
  const versions = useList<FlowVersionSummary>(flowId || undefined, () => api.listVersions(flowId));
  const messages = problemMessages(problems);
  const known = flows.status === 'ready' ? flows.items : [];
  const selectId = `${fieldId}-flow`;
  const versionId = `${fieldId}-version`;
  return (
    <FieldShell fieldId={fieldId} label={hint.label} help={hint.help} messages={messages} controlId={selectId}>
      <select
        id={selectId}
        value={flowId}
        aria-describedby={describedBy(fieldId, hint.help, messages)}
        onChange={(e) => {
          write(e.target.value || undefined);
          writeVersion(undefined); // another flow: its newest version, until one is pinned
        }}
      >
        <option value="">Choose a flow…</option>
        {flowId && !known.some((f) => f.id === flowId) && <option value={flowId}>{flowId} (not saved here)</option>}
        {known.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name === f.id ? f.id : `${f.name} (${f.id})`}
          </option>
        ))}
      </select>
      {flows.status === 'failed' && <p className="inspector-message inspector-message-error" role="alert">Could not load the flows: {flows.error}</p>}
      {flowId && (
        <div className="flow-ref-version">
          <label htmlFor={versionId}>Version</label>
          <select id={versionId} value={typeof version === 'number' ? String(version) : 'latest'} onChange={(e) => writeVersion(e.target.value === 'latest' ? undefined : Number(e.target.value))}>
            <option value="latest">Latest (the newest when a run starts)</option>
            {typeof version === 'number' && !(versions.status === 'ready' && versions.items.some((v) => v.version === version)) && <option value={String(version)}>Version {version}</option>}
            {versions.status === 'ready' &&
              [...versions.items]
                .sort((a, b) => b.version - a.version)
                .map((v) => (
                  <option key={v.version} value={String(v.version)}>
                    Version {v.version}
                    {v.message ? `: ${v.message}` : ''}
                  </option>
                ))}
          </select>
          <a href={`#/flows/${encodeURIComponent(flowId)}`} aria-label={`Open the flow ${flowId}`}>
            Open flow
          </a>
        </div>
      )}
    </FieldShell>
  );
}
