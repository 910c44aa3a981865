import { useEffect, useMemo, useState } from 'react';
import { createApiClient } from './api';
import { FlowEditor } from './views/FlowEditor';
import { FlowList } from './views/FlowList';
import '@xyflow/react/dist/style.css';
import './styles.css';

/** The editor: the list of flows, or one flow on the canvas (its id in the URL's hash). */
export function App() {
  const api = useMemo(() => createApiClient(), []);
  const [flowId, setFlowId] = useState<string | undefined>(() => flowFromHash());

  useEffect(() => {
    const onHash = () => setFlowId(flowFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const open = (id: string | undefined) => {
    window.location.hash = id ? `/flows/${encodeURIComponent(id)}` : '';
    setFlowId(id);
  };
  return flowId ? <FlowEditor api={api} flowId={flowId} onClose={() => open(undefined)} /> : <FlowList api={api} onOpen={open} />;
}

function flowFromHash(): string | undefined {
  const match = window.location.hash.match(/^#\/flows\/(.+)$/);
  return match ? decodeURIComponent(match[1]!) : undefined;
}
