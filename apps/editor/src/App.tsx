import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { createApiClient } from './api';
import { requestLeave } from './leave-guard';
import { AppNav } from './prompts/AppNav';
import { hashOfRoute, routeFromHash, sameRoute, type Route } from './prompts/routes';
import { FlowEditor } from './views/FlowEditor';
import { FlowList } from './views/FlowList';
import '@xyflow/react/dist/style.css';
import './styles.css';

// The prompt library loads when first visited, keeping it out of the canvas's first load.
const PromptLibrary = lazy(() => import('./prompts/PromptLibrary').then((m) => ({ default: m.PromptLibrary })));
const PromptPage = lazy(() => import('./prompts/PromptPage').then((m) => ({ default: m.PromptPage })));
const loading = <p aria-live="polite">Loading…</p>;

/** The editor: the list of flows, one flow on the canvas, the prompt library or one prompt (the page in the URL's hash). */
export function App() {
  const api = useMemo(() => createApiClient(), []);
  const [route, setRoute] = useState<Route>(() => routeFromHash(window.location.hash));
  const shown = useRef(route);
  shown.current = route;

  useEffect(() => {
    const onHash = () => {
      const wanted = routeFromHash(window.location.hash);
      if (sameRoute(wanted, shown.current)) return;
      // Browser back, a typed URL or a link: put the open page's address back until the person agrees.
      const target = window.location.hash;
      history.replaceState(null, '', hrefOf(shown.current));
      requestLeave(() => {
        history.replaceState(null, '', target || '#');
        setRoute(wanted);
      });
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const open = (next: Route) =>
    requestLeave(() => {
      history.pushState(null, '', hrefOf(next));
      setRoute(next);
    });
  const openFlow = (id: string | undefined) => open(id ? { page: 'flow', id } : { page: 'flows' });
  switch (route.page) {
    case 'flow':
      return <FlowEditor key={route.id} api={api} flowId={route.id} onClose={() => openFlow(undefined)} />;
    case 'prompt':
      return (
        <Suspense fallback={loading}>
          <PromptPage key={route.name} api={api} name={route.name} onClose={() => open({ page: 'prompts' })} />
        </Suspense>
      );
    case 'prompts':
      return (
        <>
          <AppNav current="prompts" onGo={open} />
          <Suspense fallback={loading}>
            <PromptLibrary api={api} onOpen={(name) => open({ page: 'prompt', name })} />
          </Suspense>
        </>
      );
    case 'flows':
      return (
        <>
          <AppNav current="flows" onGo={open} />
          <FlowList api={api} onOpen={openFlow} />
        </>
      );
  }
}

/** The address of a page; the flow list's is the app's bare address. */
function hrefOf(route: Route): string {
  return hashOfRoute(route) || `${window.location.pathname}${window.location.search}`;
}
