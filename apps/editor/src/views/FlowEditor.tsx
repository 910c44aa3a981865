import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import { Background, Controls, MiniMap, ReactFlow, ReactFlowProvider, useReactFlow, type Connection, type NodeChange, type EdgeChange } from '@xyflow/react';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import { nodeTypes, type CanvasNode } from '../canvas/FlowNode';
import { useCanvasElements } from '../canvas/use-canvas-elements';
import { KIND_MIME, Palette } from '../canvas/Palette';
import { Inspector } from '../inspector/Inspector';
import { PublishPanel } from '../publish/PublishPanel';
import { RunPanel } from '../run/RunPanel';
import { statusByNode, type Trace } from '../run/trace';
import { createFlowStore, type FlowState, type FlowStore } from '../store/flow-store';

/** A flow on the canvas: drawn from the store, every change going back through the store's actions. */
export function FlowEditor({ api, flowId, onClose }: { api: ApiClient; flowId: string; onClose: () => void }) {
  const [store, setStore] = useState<FlowStore | undefined>();
  const [error, setError] = useState<string | undefined>();

  useEffect(() => {
    let live = true;
    api.getFlow(flowId).then(
      (flow) => live && setStore(createFlowStore(flow.document, flow.latestVersion)),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
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
] as const;
type PanelId = (typeof PANELS)[number]['id'];

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
  const runStatus = useMemo(() => (trace ? statusByNode(trace) : undefined), [trace]);
  const selectNode = useCallback((id: string) => store.getState().select([id]), [store]);

  const { nodes, edges } = useCanvasElements(store, runStatus);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const state = store.getState();
      const moved: Record<string, { x: number; y: number }> = {};
      let final = false;
      for (const change of changes) {
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
      if (Object.keys(moved).length) state.moveNodes(moved, { final });
    },
    [store],
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

  const flow = useReactFlow();
  /** A new node where it was dropped, or right of the flow when added by click. */
  const addKind = useCallback(
    (type: string, at?: { x: number; y: number }) => {
      const state = store.getState();
      const nodes = state.document.nodes;
      const right = nodes.length ? Math.max(...nodes.map((n) => n.position.x)) + 240 : 0;
      const position = at ?? { x: right, y: nodes.length ? nodes.reduce((sum, n) => sum + n.position.y, 0) / nodes.length : 0 };
      try {
        state.addNode(type, position);
        setStatus(undefined);
      } catch (e) {
        setStatus(`Could not add the node: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
    [store],
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

  const save = useCallback(async () => {
    const state = store.getState();
    try {
      const saved = await api.saveFlow(state.document.id, state.document, state.savedVersion);
      state.markSaved(saved.latestVersion);
      setStatus(`Saved as version ${saved.latestVersion}`);
    } catch (e) {
      setStatus(`Could not save: ${e instanceof Error ? e.message : String(e)}`);
    }
  }, [api, store]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      if (!mod) return;
      const key = event.key.toLowerCase();
      const typing = event.target instanceof HTMLElement && event.target.closest('input, textarea, select, [contenteditable="true"]') !== null;
      if (!typing && key === 'c') {
        store.getState().copySelection();
      } else if (!typing && key === 'v') {
        event.preventDefault();
        store.getState().paste();
      } else if (!typing && key === 'd') {
        event.preventDefault();
        store.getState().duplicateSelection();
      } else if (!typing && key === 'a') {
        event.preventDefault();
        store.getState().selectAll();
      } else if (key === 's') {
        event.preventDefault();
        void save();
      } else if (key === 'z' && !event.shiftKey) {
        if (typing) return; // a field's own undo
        event.preventDefault();
        store.getState().undo();
      } else if ((key === 'z' && event.shiftKey) || key === 'y') {
        event.preventDefault();
        store.getState().redo();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [save, store]);

  const errors = problems.filter((p) => p.severity === 'error');
  return (
    <div className="flow-editor">
      <header className="toolbar">
        <button type="button" onClick={onClose}>
          Back to flows
        </button>
        <h1>{document.name}</h1>
        <span className="dirty" aria-live="polite">
          {dirty ? 'Unsaved changes' : 'Saved'}
        </span>
        <button type="button" onClick={() => store.getState().undo()} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={() => store.getState().redo()} title="Redo (Ctrl+Shift+Z)">
          Redo
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
        <ReactFlow nodes={nodes} edges={edges} nodeTypes={nodeTypes} onNodesChange={onNodesChange} onEdgesChange={onEdgesChange} onConnect={onConnect} fitView deleteKeyCode={['Delete', 'Backspace']}>
          <Background />
          <MiniMap />
          <Controls />
        </ReactFlow>
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
          <RunPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} trace={trace} onTrace={setTrace} onSelectNode={selectNode} />
        </div>
        <div role="tabpanel" id="panel-publish" aria-labelledby="tab-publish" hidden={panel !== 'publish'}>
          <PublishPanel api={api} flow={document} savedVersion={savedVersion} dirty={dirty} />
        </div>
      </aside>
      </div>
      <section className="problems" aria-label="Problems">
        <h2>{errors.length === 0 ? 'No problems' : `${errors.length} problem${errors.length === 1 ? '' : 's'}`}</h2>
        <ul>
          {errors.map((p, i) => (
            <li key={i}>
              <button type="button" onClick={() => p.nodeId && store.getState().select([p.nodeId])}>
                {p.nodeId ? `${p.nodeId}: ` : ''}
                {p.message}
              </button>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
