import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Toaster } from 'sonner';
import { createApiClient } from './api';
import { requestLeave } from './leave-guard';
import { hashOfRoute, routeFromHash, sameRoute, sectionOf, type Route } from './routes';
import { AppHeader } from './shell/AppHeader';
import { GlobalPalette } from './shell/GlobalPalette';
import { useInboxCount } from './shell/use-inbox-count';
import { TooltipProvider } from './ui/Tooltip';
import { useTheme } from './ui/theme';
import { FlowList } from './views/FlowList';
import { RunsPage } from './runs/RunsPage';
import '@xyflow/react/dist/style.css';
import './theme.css';
import './styles.css';

// Every page but the flows and the runs loads when first visited, keeping it out of the first load
// (the runs page is small and opened often: with it here, its first request goes out as the app starts).
// The canvas (React Flow, the flow checks) too: the first page is the list of flows.
const loadFlowEditor = () => import('./views/FlowEditor');
// Opened straight on a flow: fetch the canvas (and, in parallel, its libraries) now, while the
// shell renders, rather than when React first reaches it.
if (/^#\/flows\/./.test(window.location.hash)) void loadFlowEditor();
const FlowEditor = lazy(() => loadFlowEditor().then((m) => ({ default: m.FlowEditor })));
const PromptLibrary = lazy(() => import('./prompts/PromptLibrary').then((m) => ({ default: m.PromptLibrary })));
const PromptPage = lazy(() => import('./prompts/PromptPage').then((m) => ({ default: m.PromptPage })));
const RunPage = lazy(() => import('./runs/RunPage').then((m) => ({ default: m.RunPage })));
const InboxPage = lazy(() => import('./inbox/InboxPage').then((m) => ({ default: m.InboxPage })));
const KeysPage = lazy(() => import('./keys/KeysPage').then((m) => ({ default: m.KeysPage })));
const SettingsPage = lazy(() => import('./settings/SettingsPage').then((m) => ({ default: m.SettingsPage })));
const DatasetsPage = lazy(() => import('./evals/DatasetsPage').then((m) => ({ default: m.DatasetsPage })));
const DatasetPage = lazy(() => import('./evals/DatasetPage').then((m) => ({ default: m.DatasetPage })));
const ExperimentsPage = lazy(() => import('./evals/ExperimentsPage').then((m) => ({ default: m.ExperimentsPage })));
const ExperimentPage = lazy(() => import('./evals/ExperimentPage').then((m) => ({ default: m.ExperimentPage })));
const ComparePage = lazy(() => import('./evals/ComparePage').then((m) => ({ default: m.ComparePage })));
const loading = (
  <p aria-live="polite" className="p-6 text-fg-muted">
    Loading…
  </p>
);

/** The editor: the app's header above one page (the page in the URL's hash). */
export function App() {
  const api = useMemo(() => createApiClient({ usePrefetched: true }), []);
  const [route, setRoute] = useState<Route>(() => routeFromHash(window.location.hash));
  const [paletteOpen, setPaletteOpen] = useState(false);
  const inboxCount = useInboxCount(api);
  const { theme } = useTheme();
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

  // Ctrl+K opens the app's palette, except on the canvas: its own palette has these commands too.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (shown.current.page === 'flow' || event.defaultPrevented || event.key.toLowerCase() !== 'k' || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      event.preventDefault();
      setPaletteOpen(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const open = useCallback(
    (next: Route) =>
      requestLeave(() => {
        history.pushState(null, '', hrefOf(next));
        setRoute(next);
      }),
    [],
  );
  const openFlow = (id: string | undefined) => open(id ? { page: 'flow', id } : { page: 'flows' });

  return (
    <TooltipProvider>
      <div className="flex h-screen flex-col bg-bg text-fg">
        <AppHeader current={sectionOf(route)} inboxCount={inboxCount} onGo={open} onPalette={() => setPaletteOpen(true)} />
        <div className="min-h-0 flex-1 overflow-auto">
          <Suspense fallback={loading}>{page(route)}</Suspense>
        </div>
      </div>
      <GlobalPalette api={api} open={paletteOpen} onOpenChange={setPaletteOpen} go={open} />
      <Toaster theme={theme} position="bottom-right" closeButton richColors duration={4000} />
    </TooltipProvider>
  );

  function page(route: Route) {
    switch (route.page) {
      case 'flow':
        return <FlowEditor key={route.id} api={api} flowId={route.id} onClose={() => openFlow(undefined)} />;
      case 'prompt':
        return <PromptPage key={route.name} api={api} name={route.name} onClose={() => open({ page: 'prompts' })} />;
      case 'prompts':
        return <PromptLibrary api={api} onOpen={(name) => open({ page: 'prompt', name })} />;
      case 'runs':
        return <RunsPage api={api} query={route.query} go={open} />;
      case 'run':
        return <RunPage key={route.id} api={api} id={route.id} go={open} />;
      case 'inbox':
        return <InboxPage api={api} go={open} />;
      case 'keys':
        return <KeysPage api={api} go={open} />;
      case 'settings':
        return <SettingsPage api={api} go={open} />;
      case 'datasets':
        return <DatasetsPage api={api} go={open} />;
      case 'dataset':
        return <DatasetPage key={route.id} api={api} id={route.id} go={open} />;
      case 'experiments':
        return <ExperimentsPage key={route.query ?? ''} api={api} query={route.query} go={open} />;
      case 'experiment':
        return <ExperimentPage key={route.id} api={api} id={route.id} go={open} />;
      case 'compare':
        return <ComparePage key={`${route.base}:${route.candidate}`} api={api} base={route.base} candidate={route.candidate} go={open} />;
      case 'flows':
        return <FlowList api={api} onOpen={openFlow} />;
    }
  }
}

/** The address of a page; the flow list's is the app's bare address. */
function hrefOf(route: Route): string {
  return hashOfRoute(route) || `${window.location.pathname}${window.location.search}`;
}
