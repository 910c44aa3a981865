import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type UIEvent } from 'react';
import { Background, BackgroundVariant, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type Edge, type NodeChange, type EdgeChange } from '@xyflow/react';
import { Map as MapIcon, PanelLeftOpen, PanelRightOpen } from 'lucide-react';
import { kinds } from '@trellis/nodes';
import { errorMessage } from '@trellis/schema';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { CanvasNode } from '../canvas/FlowNode';
import { nodeTypes } from '../canvas/node-types';
import { DrawnMiniMap } from '../canvas/DrawnMiniMap';
import { CanvasActionsContext, type CanvasActions } from '../canvas/canvas-actions';
import { bodiesGoing } from '../canvas/bodies';
import { useBodyMoves } from '../canvas/use-body-moves';
import { useCanvasElements, type RunOnCanvas } from '../canvas/use-canvas-elements';
import type { PaletteCommand } from '../canvas/CommandPalette';
import { HelpDialog } from '../canvas/HelpDialog';
import type { Size, layoutFlow as LayoutFlowFn } from '../canvas/layout';
import { SHORTCUTS, shortcutFor, type CommandId } from '../canvas/shortcuts';
import { KIND_MIME, Palette } from '../canvas/Palette';
import { LeaveDialog } from '../LeaveDialog';
import { guardLeaving } from '../leave-guard';
import { authorField } from '../author';
import { hashOfRoute, type Route } from '../routes';
import { globalCommands } from '../shell/global-commands';
import { HistoryPanel } from '../history/HistoryPanel';
import { SaveNoteDialog } from '../history/SaveNoteDialog';
import { Inspector } from '../inspector/Inspector';
import { LastRunContext } from '../run/last-run';
import { FlowSettingsDialog } from '../flows/FlowSettingsDialog';
import { PublishPanel } from '../publish/PublishPanel';
import { RunPanel } from '../run/RunPanel';
import { TestsPanel } from '../tests/TestsPanel';
import type { Trace } from '../run/trace';
import { runOnCanvasOf } from '../canvas/run-on-canvas';
import { createFlowStore, type FlowState, type FlowStore } from '../store/flow-store';
import { IconButton } from '../ui/IconButton';
import { Page } from '../ui/Page';
import { useTheme } from '../ui/theme';
import { toast } from '../ui/toast';
import { EditorToolbar } from './EditorToolbar';
import { ProblemsDrawer } from './ProblemsDrawer';
import { PANEL_WIDTH, PANELS, SidePanel, type PanelId } from './SidePanel';
import { bodyNote, useNodeActions } from './use-node-actions';
import { useOpeningView } from './use-opening-view';
import { useRemembered } from './use-remembered';
import { freeSpot, NEW_NODE_SIZE, READABLE_ZOOM, viewCentre, visibleRect } from './viewport';
import './flow-editor.css';

/** A flow on the canvas: drawn from the store, every change going back through the store's actions. */
export function FlowEditor({ api, flowId, onClose }: { api: ApiClient; flowId: string; onClose: () => void }) {
  const [store, setStore] = useState<FlowStore | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api.getFlow(flowId).then(
      (flow) => live && setStore(createFlowStore(flow.document, flow.latestVersion, { problems: flow.problems })),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [api, flowId]);

  if (error) {
    return (
      <Page>
        <div className="card flex flex-col items-start gap-3 p-6">
          <p role="alert" className="m-0 text-danger-fg">
            Could not open flow "{flowId}": {error}
          </p>
          <button type="button" onClick={onClose}>
            Back to flows
          </button>
        </div>
      </Page>
    );
  }
  if (!store) {
    return (
      <p aria-live="polite" className="p-6 text-fg-muted">
        Opening {flowId}…
      </p>
    );
  }
  return (
    <ReactFlowProvider>
      <Canvas api={api} store={store} onClose={onClose} />
    </ReactFlowProvider>
  );
}

type LayoutFlow = typeof LayoutFlowFn;
// The palette (cmdk and its dialog) loads when first opened, keeping it out of the first load.
const CommandPalette = lazy(() => import('../canvas/CommandPalette').then((m) => ({ default: m.CommandPalette })));
// Fit view shows the whole flow, small or not; a small flow is not blown up past its natural size.
const FIT_OPTIONS = { padding: 0.12, maxZoom: 1 };
const RUN_COLORS: Record<string, string> = { running: 'var(--warning)', waiting: 'var(--waiting)', succeeded: 'var(--success)', failed: 'var(--danger)' };
/** The minimap shows where a run stands too. */
const minimapColor = (node: CanvasNode) => RUN_COLORS[node.data.run ?? ''] ?? 'var(--border-strong)';

const selectDocument = (s: FlowState) => s.document;
const selectProblems = (s: FlowState) => s.problems;
const selectDirty = (s: FlowState) => s.dirty;

/** Another page of the app, through the address (the app's hash listener asks before leaving unsaved work). */
const goTo = (route: Route) => {
  window.location.hash = hashOfRoute(route) || '#/';
};

/**
 * The canvas pans by its transform, never by scrolling: a focus or scrollIntoView that scrolled
 * React Flow's clipped box would shift the drawing off its coordinates, so it is put back.
 */
function keepUnscrolled(event: UIEvent<HTMLDivElement>) {
  const box = event.target as HTMLElement;
  if (box.classList.contains('react-flow') && (box.scrollTop || box.scrollLeft)) {
    box.scrollTop = 0;
    box.scrollLeft = 0;
  }
}

/** News as a toast that goes away by itself; a message starting "Could not" is an error and stays longer. */
function say(message: string | undefined) {
  if (!message) return;
  if (/^(Could not|Cannot)/.test(message)) toast.error(message);
  else toast.info(message);
}

function Canvas({ api, store, onClose }: { api: ApiClient; store: FlowStore; onClose: () => void }) {
  const document = useStore(store, selectDocument);
  const problems = useStore(store, selectProblems);
  const dirty = useStore(store, selectDirty);
  const savedVersion = useStore(store, (s) => s.savedVersion);
  const [trace, setTrace] = useState<Trace | undefined>();
  const [panel, setPanel] = useState<PanelId>('inspector');
  const [paletteShown, setPaletteShown] = useRemembered('palette', true);
  const [sideShown, setSideShown] = useRemembered('sidePanel', true);
  const [sideWidth, setSideWidth] = useRemembered('sidePanelWidth', PANEL_WIDTH.initial);
  const [minimapShown, setMinimapShown] = useRemembered('minimap', true);
  const [problemsOpen, setProblemsOpen] = useRemembered('problems', true);
  const { theme } = useTheme();
  const canvasRef = useRef<HTMLDivElement>(null);
  const runOnCanvas = useMemo<RunOnCanvas | undefined>(() => {
    if (!trace) return undefined;
    return runOnCanvasOf(trace);
  }, [trace]);
  const selectNode = useCallback((id: string) => store.getState().select([id]), [store]);
  const showPanel = useCallback(
    (id: PanelId) => {
      setPanel(id);
      setSideShown(true);
    },
    [setSideShown],
  );
  const showInspector = useCallback(() => showPanel('inspector'), [showPanel]);

  const { nodes, edges, large } = useCanvasElements(store, runOnCanvas);
  const flow = useReactFlow();
  const opening = useOpeningView(store, canvasRef, large);
  const { dropped, parentAt } = useBodyMoves(store, say);
  const nodeActions = useNodeActions(store, { say, showInspector });
  // The node toolbar's testStep, duplicateNode and deleteNode join here once CanvasActions declares them.
  const actions = useMemo<CanvasActions & typeof nodeActions>(() => ({ setCollapsed: (id, collapsed) => store.getState().setCollapsed(id, collapsed), ...nodeActions }), [nodeActions, store]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const state = store.getState();
      const moved: Record<string, { x: number; y: number }> = {};
      let final = false;
      for (const change of changes) {
        // A container's resizer: every frame sets its size, the last one (`resizing: false`) ends the step.
        // Other dimension changes are React Flow's measurements, which are not edits.
        if (change.type === 'dimensions' && change.dimensions && (change.setAttributes || change.resizing === false)) {
          state.resizeNode(change.id, change.dimensions, { final: change.resizing === false });
        }
        if (change.type === 'position') {
          // The drop may carry no position: the node stays where the last frame put it.
          const at = change.position ?? state.document.nodes.find((n) => n.id === change.id)?.position;
          if (at) moved[change.id] = at;
          final ||= change.dragging === false;
        }
        if (change.type === 'remove') state.removeNodes([change.id]);
      }
      const selects = changes.filter((c) => c.type === 'select');
      if (selects.length) {
        const chosen = new Set(store.getState().selection.nodes);
        for (const change of selects) {
          if (change.selected) chosen.add(change.id);
          else chosen.delete(change.id);
        }
        state.select({ nodes: [...chosen], edges: store.getState().selection.edges });
      }
      if (Object.keys(moved).length) {
        // A drop may land a node in (or out of) a container: that and the drag are one undo step.
        if (final) dropped(moved);
        else state.moveNodes(moved, { final });
      }
    },
    [store, dropped],
  );
  const onEdgesChange = useCallback(
    (changes: EdgeChange[]) => {
      const state = store.getState();
      const removed = changes.filter((c) => c.type === 'remove').map((c) => c.id);
      if (removed.length) state.removeEdges(removed);
      const selects = changes.filter((c) => c.type === 'select');
      if (selects.length) {
        const chosen = new Set(state.selection.edges);
        for (const change of selects) {
          if (change.selected) chosen.add(change.id);
          else chosen.delete(change.id);
        }
        state.select({ nodes: state.selection.nodes, edges: [...chosen] });
      }
    },
    [store],
  );
  const onConnect = useCallback(
    (connection: Connection) => {
      const result = store.getState().connect({
        source: connection.source,
        sourceHandle: connection.sourceHandle ?? 'out',
        target: connection.target,
        targetHandle: connection.targetHandle ?? 'in',
      });
      if (!result.ok) say(`Cannot connect: ${result.reason}`);
    },
    [store],
  );

  /**
   * A new node where it was dropped (inside the container it was dropped on, if any), or, added
   * by click, in the middle of what the canvas shows, stepped aside from nodes already there.
   */
  const addKind = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const state = store.getState();
      let place: { position: { x: number; y: number }; parent?: string };
      if (at) place = parentAt(at);
      else {
        const box = canvasRef.current?.getBoundingClientRect();
        const size = { width: box?.width ?? 800, height: box?.height ?? 600 };
        const viewport = flow.getViewport();
        const centre = viewCentre(viewport, size);
        const view = visibleRect(viewport, size);
        // Top-level cards as drawn (a container's box holds its steps): the canvas's own measures,
        // since the nodes it is given carry none; one not measured yet counts as a new card.
        const taken = flow
          .getNodes()
          .filter((n) => n.parentId === undefined)
          .map((n) => {
            const measured = flow.getInternalNode(n.id)?.measured;
            return { ...n.position, width: measured?.width ?? NEW_NODE_SIZE.width, height: measured?.height ?? NEW_NODE_SIZE.height };
          });
        // The node's top-left up and left of the centre by half a card, so the card itself sits about there.
        const at = { x: Math.round(centre.x - NEW_NODE_SIZE.width / 2), y: Math.round(centre.y - NEW_NODE_SIZE.height / 2) };
        const spot = freeSpot(at, taken, view);
        place = { position: { x: Math.round(spot.x), y: Math.round(spot.y) } };
      }
      try {
        state.addNode(type, place.position, place.parent !== undefined ? { parent: place.parent } : {});
        if (place.parent !== undefined) say(`Added a ${kinds.get(type)?.label ?? type} step inside "${place.parent}"`);
      } catch (e) {
        say(`Could not add the node: ${errorMessage(e)}`);
      }
    },
    [store, parentAt, flow],
  );
  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(KIND_MIME);
      if (!type) return;
      event.preventDefault();
      addKind(type, flow.screenToFlowPosition({ x: event.clientX, y: event.clientY }));
    },
    [addKind, flow],
  );
  const onDragOver = useCallback((event: DragEvent) => {
    if (!event.dataTransfer.types.includes(KIND_MIME)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  }, []);

  const save = useCallback(
    async (note?: string): Promise<boolean> => {
      const state = store.getState();
      try {
        const saved = await api.saveFlow(state.document.id, state.document, state.savedVersion, note || undefined, authorField().author);
        state.markSaved(saved.version);
        toast.success(`Saved as version ${saved.version}`);
        return true;
      } catch (e) {
        say(`Could not save: ${errorMessage(e)}`);
        return false;
      }
    },
    [api, store],
  );

  const [helpOpen, setHelpOpen] = useState(false);
  const [settingsOpen, setSettingsOpen] = useState(false);
  // The tags other flows use, offered when tagging this one (loaded when the settings open).
  const [tagSuggestions, setTagSuggestions] = useState<string[]>([]);
  // The datasets a publish gate's experiment may run on (loaded when the settings open).
  const [datasets, setDatasets] = useState<{ id: string; name: string }[]>([]);
  useEffect(() => {
    if (!settingsOpen) return;
    let live = true;
    api.listFlows().then(
      (flows) => live && setTagSuggestions([...new Set(flows.flatMap((f) => f.tags ?? []))].sort()),
      () => undefined, // no suggestions: tags can still be typed
    );
    api.listDatasets().then(
      (found) => live && setDatasets(found.map((d) => ({ id: d.id, name: d.name }))),
      () => undefined, // none offered: the gate can still require the cases
    );
    return () => {
      live = false;
    };
  }, [api, settingsOpen]);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [leaving, setLeaving] = useState<(() => void) | undefined>();
  const [noting, setNoting] = useState(false);

  /** Lays the flow out left to right, as one undo step, then fits it in view. */
  const autoLayout = useCallback(async () => {
    if (store.getState().document.nodes.length === 0) return;
    const sizes = new Map<string, Size>();
    for (const n of flow.getNodes()) if (n.measured?.width && n.measured.height) sizes.set(n.id, { width: n.measured.width, height: n.measured.height });
    let layoutFlow: LayoutFlow;
    try {
      // The layout library loads on first use: most sessions never lay out.
      ({ layoutFlow } = await import('../canvas/layout'));
    } catch (e) {
      say(`Could not load the auto-layout: ${errorMessage(e)}`);
      return;
    }
    const state = store.getState();
    state.moveNodes(layoutFlow(state.document, sizes), { final: true });
    say('Laid out the flow (Ctrl+Z undoes it)');
    requestAnimationFrame(() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 }));
  }, [flow, store]);
  const fitView = useCallback(() => void flow.fitView({ ...FIT_OPTIONS, duration: 200 }), [flow]);

  const run = useCallback(
    (command: CommandId) => {
      const state = store.getState();
      switch (command) {
        case 'save':
          return void save();
        case 'undo':
          return state.undo();
        case 'redo':
          return state.redo();
        case 'copy': {
          const copied = state.copySelection();
          return say(copied ? `Copied ${copied} node${copied === 1 ? '' : 's'}` : 'Select nodes to copy them');
        }
        case 'paste':
          return void state.paste();
        case 'duplicate':
          return void state.duplicateSelection();
        case 'selectAll':
          return state.selectAll();
        case 'delete': {
          // A container goes with its body: say so, since those steps were not selected themselves.
          const inside = bodiesGoing(state.document, state.selection.nodes);
          state.removeSelected();
          return say(bodyNote(inside));
        }
        case 'layout':
          return void autoLayout();
        case 'fitView':
          return fitView();
        case 'palette':
          return setPaletteOpen(true);
        case 'help':
          return setHelpOpen(true);
      }
    },
    [autoLayout, fitView, save, store],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutFor(event);
      if (!shortcut) return;
      // Inside a field, the field's own keys win (its undo, its copy, typing "?").
      const typing = event.target instanceof HTMLElement && event.target.closest('input, textarea, select, [contenteditable="true"], dialog') !== null;
      if (typing && !shortcut.inFields) return;
      // Copy with nothing selected on the canvas leaves the page's text selection alone.
      if (shortcut.command === 'copy' && store.getState().selection.nodes.length === 0) return;
      event.preventDefault();
      run(shortcut.command);
    };
    // On the document: after a field's own handlers (an Inspector draft commits before Ctrl+S saves),
    // before the app's on the window (the canvas's Ctrl+K opens this palette, not the app's).
    window.document.addEventListener('keydown', onKey);
    return () => window.document.removeEventListener('keydown', onKey);
  }, [run, store]);

  // Unsaved changes: reloading or closing the tab asks (the browser's own prompt) and so does
  // leaving inside the app (our dialog, with the choice to save first).
  useEffect(() => {
    const onUnload = (event: BeforeUnloadEvent) => {
      if (!store.getState().dirty) return;
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', onUnload);
    const unguard = guardLeaving((leave) => (store.getState().dirty ? setLeaving(() => leave) : leave()));
    return () => {
      window.removeEventListener('beforeunload', onUnload);
      unguard();
    };
  }, [store]);

  // The app's own commands (go to a section, open a flow or prompt, the theme), loaded when the palette opens.
  const [everywhere, setEverywhere] = useState<PaletteCommand[]>([]);
  useEffect(() => {
    if (!paletteOpen) return;
    let live = true;
    void globalCommands(api, goTo).then((c) => live && setEverywhere(c));
    return () => {
      live = false;
    };
  }, [api, paletteOpen]);

  // Built only while the palette is open: the node list changes on every drag frame.
  const commands = useMemo<PaletteCommand[]>(() => {
    if (!paletteOpen) return [];
    const hint = (c: CommandId) => SHORTCUTS.find((s) => s.command === c)?.keys[0];
    const actions: PaletteCommand[] = SHORTCUTS.filter((s) => s.command !== 'palette').map((s) => ({ id: s.command, label: s.label, group: 'Actions', hint: hint(s.command), run: () => run(s.command) }));
    const adds: PaletteCommand[] = kinds.all().map((spec) => ({ id: `add-${spec.type}`, label: `Add ${spec.label} node`, group: 'Add node', keywords: [spec.type, spec.category], run: () => addKind(spec.type) }));
    const gotos: PaletteCommand[] = document.nodes.map((n) => ({
      id: `node-${n.id}`,
      label: `Go to ${n.name ?? n.id}`,
      group: 'Nodes',
      keywords: [n.id, n.type],
      run: () => {
        store.getState().select([n.id]);
        showPanel('inspector');
        void flow.fitView({ nodes: [{ id: n.id }], padding: 1, duration: 200, maxZoom: 1.2 });
      },
    }));
    const panels: PaletteCommand[] = PANELS.map((p) => ({ id: `panel-${p.id}`, label: `Show ${p.label}`, group: 'Panels', run: () => showPanel(p.id) }));
    const layout: PaletteCommand[] = [
      { id: 'toggle-palette', label: paletteShown ? 'Hide node palette' : 'Show node palette', group: 'Panels', run: () => setPaletteShown(!paletteShown) },
      { id: 'toggle-side', label: sideShown ? 'Hide side panel' : 'Show side panel', group: 'Panels', run: () => setSideShown(!sideShown) },
      { id: 'toggle-minimap', label: minimapShown ? 'Hide minimap' : 'Show minimap', group: 'Panels', run: () => setMinimapShown(!minimapShown) },
    ];
    const saveWithNote: PaletteCommand = { id: 'save-note', label: 'Save with note…', group: 'Actions', run: () => setNoting(true) };
    const settings: PaletteCommand = { id: 'flow-settings', label: 'Flow settings…', group: 'Actions', keywords: ['description', 'tags', 'vars', 'variables'], run: () => setSettingsOpen(true) };
    return [...actions, saveWithNote, settings, ...adds, ...panels, ...layout, ...gotos, { id: 'back', label: 'Back to flows', group: 'Panels', run: onClose }, ...everywhere];
  }, [addKind, document.nodes, everywhere, flow, minimapShown, onClose, paletteOpen, paletteShown, run, setMinimapShown, setPaletteShown, setSideShown, showPanel, sideShown, store]);

  // A wire dragged over a port it cannot join says why, while it is dragged.
  const [refusal, setRefusal] = useState<string | undefined>();
  const isValidConnection = useCallback(
    (c: Connection | Edge) => {
      const check = store.getState().canConnect({ source: c.source, sourceHandle: c.sourceHandle ?? null, target: c.target, targetHandle: c.targetHandle ?? null });
      const reason = check.ok ? undefined : check.reason;
      setRefusal((prev) => (prev === reason ? prev : reason));
      return check.ok;
    },
    [store],
  );
  const onConnectEnd = useCallback(() => setRefusal(undefined), []);

  const saveAndLeave = async () => {
    const leave = leaving;
    setLeaving(undefined);
    if (await save()) leave?.();
  };

  /** Selects a node and brings it to the middle of the canvas, at a readable zoom (from the problems list). */
  const revealNode = useCallback(
    (id: string) => {
      store.getState().select([id]);
      const zoom = Math.max(flow.getZoom(), READABLE_ZOOM);
      void flow.fitView({ nodes: [{ id }], padding: 1, duration: 200, minZoom: zoom, maxZoom: zoom });
    },
    [flow, store],
  );
  const nameOf = useCallback((id: string) => document.nodes.find((n) => n.id === id)?.name ?? id, [document.nodes]);
  return (
    <div className="flow-editor">
      <EditorToolbar store={store} onClose={onClose} run={run} onSettings={() => setSettingsOpen(true)} />
      <div className="workspace">
        {paletteShown ? (
          <Palette onAdd={addKind} onHide={() => setPaletteShown(false)} />
        ) : (
          <div className="rail rail-left">
            <IconButton label="Show node palette" icon={PanelLeftOpen} className="btn-ghost" tooltipSide="right" onClick={() => setPaletteShown(true)} />
          </div>
        )}
        <div className="canvas-column">
          <div ref={canvasRef} className="canvas" aria-label="Flow canvas" onDrop={onDrop} onDragOver={onDragOver} onScrollCapture={keepUnscrolled}>
            <CanvasActionsContext.Provider value={actions}>
              {!opening.waitForSize && (
              <ReactFlow
                {...(opening.defaultViewport ? { defaultViewport: opening.defaultViewport } : {})}
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                colorMode={theme}
                onNodesChange={onNodesChange}
                onEdgesChange={onEdgesChange}
                onConnect={onConnect}
                isValidConnection={isValidConnection}
                onConnectEnd={onConnectEnd}
                onlyRenderVisibleElements={large}
                minZoom={0.1}
                deleteKeyCode={null}
                selectionKeyCode="Shift"
                multiSelectionKeyCode={['Control', 'Meta']}
                proOptions={{ hideAttribution: true }}
              >
                <Background variant={BackgroundVariant.Dots} gap={20} size={1.4} color="var(--canvas-dots)" bgColor="var(--canvas-bg)" />
                {minimapShown &&
                  (large ? <DrawnMiniMap color={minimapColor} /> : <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} nodeStrokeWidth={0} nodeBorderRadius={4} style={{ width: 160, height: 110 }} />)}
                <Controls showInteractive={false} showFitView={false} position="bottom-left" />
              </ReactFlow>
              )}
            </CanvasActionsContext.Provider>
            <div className="canvas-corner">
              <IconButton
                label={minimapShown ? 'Hide minimap' : 'Show minimap'}
                icon={MapIcon}
                className="btn-sm canvas-corner-button"
                aria-pressed={minimapShown}
                tooltipSide="left"
                onClick={() => setMinimapShown(!minimapShown)}
              />
            </div>
            {!sideShown && (
              <div className="canvas-corner canvas-corner-top">
                <IconButton label="Show side panel" icon={PanelRightOpen} className="btn-sm canvas-corner-button" tooltipSide="left" onClick={() => setSideShown(true)} />
              </div>
            )}
            {refusal && (
              <p className="connect-refusal" role="status">
                Cannot connect: {refusal}
              </p>
            )}
          </div>
          <ProblemsDrawer problems={problems} nameOf={nameOf} onPick={revealNode} open={problemsOpen} onOpen={setProblemsOpen} />
        </div>
        <LastRunContext.Provider value={trace}>
        <SidePanel panel={panel} onPanel={setPanel} hidden={!sideShown} onHide={() => setSideShown(false)} width={sideWidth} onWidth={setSideWidth}>
          {{
            inspector: <Inspector api={api} store={store} />,
            run: <RunPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} trace={trace} onTrace={setTrace} onSelectNode={selectNode} store={store} />,
            publish: <PublishPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} />,
            tests: <TestsPanel api={api} store={store} />,
            history: <HistoryPanel api={api} store={store} onSaveWithNote={() => setNoting(true)} />,
          }}
        </SidePanel>
        </LastRunContext.Provider>
      </div>
      {helpOpen && <HelpDialog onClose={() => setHelpOpen(false)} />}
      {settingsOpen && <FlowSettingsDialog store={store} onClose={() => setSettingsOpen(false)} tagSuggestions={tagSuggestions} datasets={datasets} />}
      {paletteOpen && (
        <Suspense fallback={null}>
          <CommandPalette open onOpenChange={setPaletteOpen} commands={commands} />
        </Suspense>
      )}
      {noting && (
        <SaveNoteDialog
          onSave={(note) => {
            setNoting(false);
            void save(note);
          }}
          onCancel={() => setNoting(false)}
        />
      )}
      {leaving && (
        <LeaveDialog
          lost="The changes since the last save would be lost."
          saveLabel="Save and leave"
          onSave={() => void saveAndLeave()}
          onDiscard={() => {
            const leave = leaving;
            setLeaving(undefined);
            leave();
          }}
          onStay={() => setLeaving(undefined)}
        />
      )}
    </div>
  );
}
