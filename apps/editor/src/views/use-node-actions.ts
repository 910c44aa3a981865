import { useMemo } from 'react';
import { bodiesGoing } from '../canvas/bodies';
import type { FlowStore } from '../store/flow-store';

/** What deleting these nodes also takes: a container's body goes with it, which the person did not select. */
export function bodyNote(inside: number): string | undefined {
  return inside ? `Also deleted the ${inside === 1 ? 'step' : `${inside} steps`} inside it (a body goes with its container; Ctrl+Z brings it back)` : undefined;
}

/**
 * The actions of a node's own toolbar on the canvas (run this step, duplicate, delete), ready for
 * the CanvasActions context. `testStep` opens the Inspector on the node and brings its step test
 * (the element with id `step-test`, when the Inspector has one) into view.
 */
export function useNodeActions(store: FlowStore, { say, showInspector }: { say: (message: string | undefined) => void; showInspector: () => void }) {
  return useMemo(
    () => ({
      testStep(id: string) {
        store.getState().select([id]);
        showInspector();
        // After the Inspector has drawn the node: scroll only its own panel, never the page.
        requestAnimationFrame(() => {
          const target = document.getElementById('step-test');
          const panel = target?.closest<HTMLElement>('.side-panel-body');
          if (!target || !panel) return;
          panel.scrollTop += target.getBoundingClientRect().top - panel.getBoundingClientRect().top - 12;
          const field = target.querySelector<HTMLElement>('button, input, textarea, select');
          field?.focus({ preventScroll: true });
        });
      },
      duplicateNode(id: string) {
        const state = store.getState();
        state.select([id]);
        state.duplicateSelection();
      },
      deleteNode(id: string) {
        const state = store.getState();
        const inside = bodiesGoing(state.document, [id]);
        state.removeNodes([id]);
        say(bodyNote(inside));
      },
    }),
    [say, showInspector, store],
  );
}
