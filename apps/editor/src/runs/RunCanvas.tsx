import { useEffect, useMemo } from 'react';
import { Background, Controls, ReactFlow, ReactFlowProvider, useReactFlow } from '@xyflow/react';
import type { Flow } from '@trellis/schema';
import { nodeTypes } from '../canvas/node-types';
import { useCanvasElements, type RunOnCanvas } from '../canvas/use-canvas-elements';
import type { Trace } from '../run/trace';
import { runOnCanvasOf } from '../canvas/run-on-canvas';
import { createFlowStore, type FlowStore } from '../store/flow-store';
import { useTheme } from '../ui/theme';

// As the flow editor opens a flow: at its natural size at most, never blown up.
const FIT_OPTIONS = { padding: 0.15, maxZoom: 1 };

/**
 * The flow version a run used, read-only, each node showing where the run stands (running, done,
 * failed, waiting, skipped): the path the run took. Drawn by the canvas's own nodes.
 */
export function RunCanvas({ flow, version, trace, focus }: { flow: Flow; version: number | undefined; trace: Trace | undefined; focus: string | undefined }) {
  // One store per document: the canvas's hooks read a flow from a store, as the editor's do.
  const store = useMemo(() => createFlowStore(flow, version), [flow, version]);
  return (
    <ReactFlowProvider>
      <Drawn store={store} trace={trace} focus={focus} />
    </ReactFlowProvider>
  );
}

function Drawn({ store, trace, focus }: { store: FlowStore; trace: Trace | undefined; focus: string | undefined }) {
  const run = useMemo<RunOnCanvas | undefined>(() => (trace ? runOnCanvasOf(trace) : undefined), [trace]);
  const { nodes, edges } = useCanvasElements(store, run);
  const { theme } = useTheme();
  const view = useReactFlow();

  // A step picked in the timeline is selected and brought into view.
  useEffect(() => {
    if (!focus) return;
    store.getState().select([focus]);
    void view.fitView({ nodes: [{ id: focus }], padding: 1, maxZoom: 1, duration: 250 });
  }, [focus, store, view]);

  return (
    <div className="run-canvas h-full w-full" aria-label="Run canvas" role="figure">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        deleteKeyCode={null}
        colorMode={theme}
        fitView
        fitViewOptions={FIT_OPTIONS}
        minZoom={0.1}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
