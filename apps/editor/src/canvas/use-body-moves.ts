import { useCallback } from 'react';
import { useReactFlow } from '@xyflow/react';
import type { FlowEdge } from '@trellis/schema';
import type { FlowStore, Position } from '../store/flow-store';
import { absolutePosition, containerAt, levelChanges } from './bodies';
import type { CanvasNode } from './FlowNode';

const place = (parent: string | undefined) => (parent === undefined ? "the flow's own level" : `"${parent}"`);
const wires = (edges: readonly FlowEdge[]) => edges.map((e) => `${e.id} (${e.source} → ${e.target})`).join(', ');

/** The sentence a move into or out of a body leaves in the status line. */
export function levelMoveMessage(ids: readonly string[], parent: string | undefined, removed: readonly FlowEdge[]): string {
  const what = ids.map((id) => `"${id}"`).join(', ');
  const moved = parent === undefined ? `Moved ${what} out to the flow's own level` : `Moved ${what} into ${place(parent)}`;
  if (!removed.length) return moved;
  const one = removed.length === 1;
  return `${moved}; removed ${one ? 'the wire' : `${removed.length} wires`} ${wires(removed)}, which would cross the container's edge (wires stay inside a body or outside it). Ctrl+Z undoes it.`;
}

/**
 * Dragging nodes into and out of containers, and dropping new ones in. Call inside a ReactFlowProvider.
 *
 * `dropped(positions)` ends a drag: the nodes take their last positions and, when the centre of a
 * node now lies in another container, it moves to that level (one undo step with the drag).
 * `parentAt(point)` says where a new node dropped at this canvas point goes: which container, and
 * its position relative to it.
 */
export function useBodyMoves(store: FlowStore, say: (message: string | undefined) => void) {
  const flow = useReactFlow<CanvasNode>();
  const dropped = useCallback(
    (positions: Record<string, Position>) => {
      const state = store.getState();
      state.moveNodes(positions, { final: false });
      const sizeOf = (id: string) => {
        const m = flow.getInternalNode(id)?.measured;
        return m?.width && m.height ? { width: m.width, height: m.height } : undefined;
      };
      const changes = levelChanges(store.getState().document, Object.keys(positions), sizeOf);
      if (changes.size === 0) {
        state.moveNodes({}, { final: true });
        return;
      }
      const messages: string[] = [];
      for (const [parent, ids] of changes) {
        const result = state.moveToLevel(ids, parent, { endsDrag: true });
        messages.push(result.ok ? levelMoveMessage(ids, parent, result.removedEdges) : `Cannot move into ${place(parent)}: ${result.reason}`);
      }
      say(messages.join(' '));
    },
    [flow, say, store],
  );
  const parentAt = useCallback(
    (point: Position): { parent?: string; position: Position } => {
      const doc = store.getState().document;
      const parent = containerAt(doc, point);
      if (parent === undefined) return { position: point };
      const origin = absolutePosition(doc, parent);
      return { parent, position: { x: Math.round(point.x - origin.x), y: Math.round(point.y - origin.y) } };
    },
    [store],
  );
  return { dropped, parentAt };
}
