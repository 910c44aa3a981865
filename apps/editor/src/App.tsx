import { useEffect, useMemo, useRef, useState } from 'react';
import { createApiClient } from './api';
import { requestLeave } from './leave-guard';
import { FlowEditor } from './views/FlowEditor';
import { FlowList } from './views/FlowList';
import '@xyflow/react/dist/style.css';
import './styles.css';

/** The editor: the list of flows, or one flow on the canvas (its id in the URL's hash). */
export function App() {
  const api = useMemo(() => createApiClient(), []);
  const [flowId, setFlowId] = useState<string | undefined>(() => flowFromHash());
  const shown = useRef(flowId);
  shown.current = flowId;

  useEffect(() => {
    const onHash = () => {
      const wanted = flowFromHash();
      if (wanted === shown.current) return;
      // Browser back or a typed URL: put the open flow's address back until the person agrees.
      const target = window.location.hash;
      history.replaceState(null, '', hashOf(shown.current));
      requestLeave(() => {
        history.replaceState(null, '', target || '#');
        setFlowId(wanted);
      });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const open = (id: string | undefined) =>
    requestLeave(() => {
      history.pushState(null, '', hashOf(id));
      setFlowId(id);
    });
  return flowId ? <FlowEditor key={flowId} api={api} flowId={flowId} onClose={() => open(undefined)} /> : <FlowList api={api} onOpen={open} />;
}

function hashOf(id: string | undefined): string {
  return id ? `#/flows/${encodeURIComponent(id)}` : `${window.location.pathname}${window.location.search}`;
}

function flowFromHash(): string | undefined {
  const match = window.location.hash.match(/^#\/flows\/(.+)$/);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
