import { useMemo } from 'react';
import type { Edge } from '@xyflow/react';
import { useStore } from 'zustand';
import type { FlowState, FlowStore } from '../store/flow-store';
import type { CanvasNode } from './FlowNode';

const selectDocument = (s: FlowState) => s.document;
const selectProblems = (s: FlowState) => s.problems;
const selectSelection = (s: FlowState) => s.selection;

/** The store's document as React Flow nodes and edges, with problem counts and run status on each node. */
export function useCanvasElements(store: FlowStore, runStatus: Map<string, string> | undefined): { nodes: CanvasNode[]; edges: Edge[] } {
  const document = useStore(store, selectDocument);
  const problems = useStore(store, selectProblems);
  const selection = useStore(store, selectSelection);

  const nodes = useMemo<CanvasNode[]>(() => {
    const counts = new Map<string, number>();
    for (const p of problems) if (p.nodeId && p.severity === 'error') counts.set(p.nodeId, (counts.get(p.nodeId) ?? 0) + 1);
    const selected = new Set(selection.nodes);
    return document.nodes.map((n) => ({
      id: n.id,
      type: 'trellis',
      position: n.position,
      selected: selected.has(n.id),
      data: { type: n.type, ...(n.name ? { name: n.name } : {}), config: n.config, problems: counts.get(n.id) ?? 0, ...(runStatus?.has(n.id) ? { run: runStatus.get(n.id) } : {}) },
    }));
  }, [document.nodes, problems, selection.nodes, runStatus]);
  const edges = useMemo<Edge[]>(() => {
    const selected = new Set(selection.edges);
    return document.edges.map((e) => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle, target: e.target, targetHandle: e.targetHandle, selected: selected.has(e.id) }));
  }, [document.edges, selection.edges]);
  return { nodes, edges };
}
