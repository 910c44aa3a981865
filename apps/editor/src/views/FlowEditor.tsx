import { lazy, Suspense, useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type Edge, type NodeChange, type EdgeChange } from '@xyflow/react';
import { kinds } from '@trellis/nodes';
import { errorMessage } from '@trellis/schema';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { CanvasNode } from '../canvas/FlowNode';
import { nodeTypes } from '../canvas/node-types';
import { CanvasActionsContext, type CanvasActions } from '../canvas/canvas-actions';
import { bodiesGoing } from '../canvas/bodies';
import { useBodyMoves } from '../canvas/use-body-moves';
import { useCanvasElements, type RunOnCanvas } from '../canvas/use-canvas-elements';
import type { PaletteCommand } from '../canvas/CommandPalette';
import { HelpDialog } from '../canvas/HelpDialog';
import type { Size, layoutFlow as LayoutFlowFn } from '../canvas/layout';
import { SHORTCUTS, shortcutFor, type CommandId } from '../canvas/shortcuts';
import { LeaveDialog } from '../LeaveDialog';
import { guardLeaving } from '../leave-guard';
import { FlowName } from './FlowName';
import { authorField } from '../author';
import { HistoryPanel } from '../history/HistoryPanel';
import { SaveNoteDialog } from '../history/SaveNoteDialog';
import { KIND_MIME, Palette } from '../canvas/Palette';
import { Inspector } from '../inspector/Inspector';
import { PublishPanel } from '../publish/PublishPanel';
import { RunPanel } from '../run/RunPanel';
import { statusByNode, type RoundTally, type Trace } from '../run/trace';
import { createFlowStore, type FlowState, type FlowStore } from '../store/flow-store';

/** A flow on the canvas: drawn from the store, every change going back through the store's actions. */
export function FlowEditor({ api, flowId, onClose }: { api: ApiClient; flowId: string; onClose: () => void }) {
  const [store, setStore] = useState<FlowStore | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api.getFlow(flowId).then(
      (flow) => live && setStore(createFlowStore(flow.document, flow.latestVersion)),
      (e: unknown) => live && setError(errorMessage(e)),
    );
    return () => {
      live = false;
    };
  }, [api, flowId]);

  if (error) {
    return (
      <main>
        <p role="alert">Could not open flow "{flowId}": {error}</p>
        <button type="button" onClick={onClose}>
          Back to flows
        </button>
      </main>
    );
  }
  if (!store) return <p aria-live="polite">Opening {flowId}…</p>;
  return (
    <ReactFlowProvider>
      <Canvas api={api} store={store} onClose={onClose} />
    </ReactFlowProvider>
  );
}

const PANELS = [
  { id: 'inspector', label: 'Inspector' },
  { id: 'run', label: 'Test run' },
  { id: 'publish', label: 'Publish' },
  { id: 'history', label: 'History' },
] as const;
type PanelId = (typeof PANELS)[number]['id'];
type LayoutFlow = typeof LayoutFlowFn;
// The palette (cmdk and its dialog) loads when first opened, keeping it out of the first load.
const CommandPalette = lazy(() => import('../canvas/CommandPalette').then((m) => ({ default: m.CommandPalette })));
const FIT_PADDING = 0.12;
const RUN_COLORS: Record<string, string> = { running: '#d69e2e', waiting: '#805ad5', succeeded: '#2f855a', failed: '#c53030' };
/** The minimap shows where a run stands too. */
const minimapColor = (node: CanvasNode) => RUN_COLORS[node.data.run ?? ''] ?? '#9aa3b5';
// A small flow is shown at its natural size rather than blown up to fill the canvas.
const FIT_OPTIONS = { padding: FIT_PADDING, maxZoom: 1 };
// Past this many nodes the canvas draws only what is in view (smaller flows keep every node in the page),
// and the flow opens readable rather than whole; Fit view (button, Shift+1) still shows all of it.
const LARGE_FLOW = 200;
const LARGE_FLOW_OPENING_FIT = { ...FIT_OPTIONS, minZoom: 0.5 };

const selectDocument = (s: FlowState) => s.document;
const selectProblems = (s: FlowState) => s.problems;
const selectDirty = (s: FlowState) => s.dirty;

function Canvas({ api, store, onClose }: { api: ApiClient; store: FlowStore; onClose: () => void }) {
  const document = useStore(store, selectDocument);
  const problems = useStore(store, selectProblems);
  const dirty = useStore(store, selectDirty);
  const [status, setStatus] = useState<string | undefined>();
  const savedVersion = useStore(store, (s) => s.savedVersion);
  const [trace, setTrace] = useState<Trace | undefined>();
  const [panel, setPanel] = useState<PanelId>('inspector');
  const runOnCanvas = useMemo<RunOnCanvas | undefined>(() => {
    if (!trace) return undefined;
    const rounds = new Map<string, RoundTally>();
    return { status: statusByNode(trace, rounds), rounds };
  }, [trace]);
  const selectNode = useCallback((id: string) => store.getState().select([id]), [store]);

  const { nodes, edges } = useCanvasElements(store, runOnCanvas);
  const flow = useReactFlow();
  const { dropped, parentAt } = useBodyMoves(store, setStatus);
  const actions = useMemo<CanvasActions>(() => ({ setCollapsed: (id, collapsed) => store.getState().setCollapsed(id, collapsed) }), [store]);

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
      setStatus(result.ok ? undefined : `Cannot connect: ${result.reason}`);
    },
    [store],
  );

  /**
   * A new node where it was dropped (inside the container it was dropped on, if any), or right of
   * the flow's own level when added by click.
   */
  const addKind = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const state = store.getState();
      const nodes = state.document.nodes.filter((n) => n.parent === undefined);
      const right = nodes.length ? Math.max(...nodes.map((n) => n.position.x)) + 240 : 0;
      const place = at ? parentAt(at) : { position: { x: right, y: nodes.length ? nodes.reduce((sum, n) => sum + n.position.y, 0) / nodes.length : 0 } };
      try {
        state.addNode(type, place.position, place.parent !== undefined ? { parent: place.parent } : {});
        setStatus(place.parent !== undefined ? `Added a ${kinds.get(type)?.label ?? type} step inside "${place.parent}"` : undefined);
      } catch (e) {
        setStatus(`Could not add the node: ${errorMessage(e)}`);
      }
    },
    [store, parentAt],
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

  const save = useCallback(async (note?: string): Promise<boolean> => {
    const state = store.getState();
    try {
      const saved = await api.saveFlow(state.document.id, state.document, state.savedVersion, note || undefined, authorField().author);
      state.markSaved(saved.version);
      setStatus(`Saved as version ${saved.version}`);
      return true;
    } catch (e) {
      setStatus(`Could not save: ${errorMessage(e)}`);
      return false;
    }
  }, [api, store]);

  const [helpOpen, setHelpOpen] = useState(false);
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
      setStatus(`Could not load the auto-layout: ${errorMessage(e)}`);
      return;
    }
    const state = store.getState();
    state.moveNodes(layoutFlow(state.document, sizes), { final: true });
    setStatus('Laid out the flow (Ctrl+Z undoes it)');
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
          return setStatus(copied ? `Copied ${copied} node${copied === 1 ? '' : 's'}` : 'Select nodes to copy them');
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
          return setStatus(inside ? `Also deleted the ${inside === 1 ? 'step' : `${inside} steps`} inside it (a body goes with its container; Ctrl+Z brings it back)` : undefined);
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
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
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

  // Built only while the palette is open: the node list changes on every drag frame.
  const commands = useMemo<PaletteCommand[]>(() => {
    if (!paletteOpen) return [];
    const hint = (c: CommandId) => SHORTCUTS.find((s) => s.command === c)?.keys[0];
    const actions: PaletteCommand[] = SHORTCUTS.filter((s) => s.command !== 'palette').map((s) => ({ id: s.command, label: s.label, group: 'Actions', hint: hint(s.command), run: () => run(s.command) }));
    const adds: PaletteCommand[] = kinds.all().map((spec) => ({ id: `add-${spec.type}`, label: `Add ${spec.label} node`, group: 'Add node', keywords: [spec.type, spec.category, spec.description], run: () => addKind(spec.type) }));
    const gotos: PaletteCommand[] = document.nodes.map((n) => ({
      id: `go-${n.id}`,
      label: `Go to ${n.name ?? n.id}`,
      group: 'Nodes',
      keywords: [n.id, n.type],
      run: () => {
        store.getState().select([n.id]);
        setPanel('inspector');
        void flow.fitView({ nodes: [{ id: n.id }], padding: 1, duration: 200, maxZoom: 1.2 });
      },
    }));
    const panels: PaletteCommand[] = PANELS.map((p) => ({ id: `panel-${p.id}`, label: `Show ${p.label}`, group: 'Panels', run: () => setPanel(p.id) }));
    const saveWithNote: PaletteCommand = { id: 'save-note', label: 'Save with note…', group: 'Actions', run: () => setNoting(true) };
    return [...actions, saveWithNote, ...adds, ...panels, ...gotos, { id: 'back', label: 'Back to flows', group: 'Panels', run: onClose }];
  }, [addKind, document.nodes, flow, onClose, paletteOpen, run, store]);

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

  const errors = problems.filter((p) => p.severity === 'error');
  const nameOf = (id: string) => document.nodes.find((n) => n.id === id)?.name ?? id;
  return (
    <div className="flow-editor">
      <header className="toolbar">
        <button type="button" onClick={onClose}>
          Back to flows
        </button>
        <FlowName name={document.name} onRename={(name) => store.getState().renameFlow(name)} />
        <span className="dirty" aria-live="polite">
          {dirty ? 'Unsaved changes' : 'Saved'}
        </span>
        <button type="button" onClick={() => run('undo')} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={() => run('redo')} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" onClick={() => void autoLayout()} title="Auto-layout (Ctrl+Shift+L)">
          Auto-layout
        </button>
        <button type="button" onClick={() => setPaletteOpen(true)} title="Command palette (Ctrl+K)">
          Commands
        </button>
        <button type="button" onClick={() => setHelpOpen(true)} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
        <button type="button" onClick={() => void save()} disabled={!dirty}>
          Save
        </button>
      </header>
      {status && (
        <p role="status" className="status">
          {status}
        </p>
      )}
      <div className="workspace">
        <Palette onAdd={addKind} />
        <div className="canvas" aria-label="Flow canvas" onDrop={onDrop} onDragOver={onDragOver}>
          <CanvasActionsContext.Provider value={actions}>
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            isValidConnection={isValidConnection}
            onConnectEnd={onConnectEnd}
            fitView
            fitViewOptions={nodes.length > LARGE_FLOW ? LARGE_FLOW_OPENING_FIT : FIT_OPTIONS}
            onlyRenderVisibleElements={nodes.length > LARGE_FLOW}
            minZoom={0.1}
            deleteKeyCode={null}
            selectionKeyCode="Shift"
            multiSelectionKeyCode={['Control', 'Meta']}
          >
            <Background />
            <MiniMap pannable zoomable ariaLabel="Minimap" nodeColor={minimapColor} />
            <Controls />
          </ReactFlow>
          </CanvasActionsContext.Provider>
          {refusal && (
            <p className="connect-refusal" role="status">
              Cannot connect: {refusal}
            </p>
          )}
        </div>
        <aside className="side-panel">
          <div role="tablist" aria-label="Panels">
            {PANELS.map((p) => (
              <button key={p.id} type="button" role="tab" id={`tab-${p.id}`} aria-controls={`panel-${p.id}`} aria-selected={panel === p.id} onClick={() => setPanel(p.id)}>
                {p.label}
              </button>
            ))}
          </div>
          {/* Every panel stays mounted, so a run keeps streaming while another panel is on show. */}
          <div role="tabpanel" id="panel-inspector" aria-labelledby="tab-inspector" hidden={panel !== 'inspector'}>
            <Inspector api={api} store={store} />
          </div>
          <div role="tabpanel" id="panel-run" aria-labelledby="tab-run" hidden={panel !== 'run'}>
            <RunPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} trace={trace} onTrace={setTrace} onSelectNode={selectNode} store={store} />
          </div>
          <div role="tabpanel" id="panel-publish" aria-labelledby="tab-publish" hidden={panel !== 'publish'}>
            <PublishPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} />
          </div>
          <div role="tabpanel" id="panel-history" aria-labelledby="tab-history" hidden={panel !== 'history'}>
            <HistoryPanel api={api} store={store} onSaveWithNote={() => setNoting(true)} />
          </div>
        </aside>
      </div>
      <section className="problems" aria-label="Problems">
        <h2>{errors.length === 0 ? 'No problems' : `${errors.length} problem${errors.length === 1 ? '' : 's'}`}</h2>
        <ul>
          {errors.map((p, i) => (
            <li key={i}>
              <button type="button" onClick={() => p.nodeId && store.getState().select([p.nodeId])}>
                {p.nodeId ? `${nameOf(p.nodeId)}: ` : ''}
                {p.message}
              </button>
            </li>
          ))}
        </ul>
      </section>
      {helpOpen && <HelpDialog onClose={() => setHelpOpen(false)} />}
      {paletteOpen && (
        <Suspense fallback={null}>
          <CommandPalette open onOpenChange={setPaletteOpen} commands={commands} />
        </Suspense>
      )}
      {noting && <SaveNoteDialog onSave={(note) => { setNoting(false); void save(note); }} onCancel={() => setNoting(false)} />}
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
