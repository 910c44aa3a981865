import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import { useReactFlow, useStore } from '@xyflow/react';
import type { FlowStore } from '../store/flow-store';
import { openingViewport, TYPICAL_NODE, type Rect, type Viewport } from './viewport';

// A large flow draws only what is in view, so its nodes are never all measured: it opens from
// the positions in the document with a typical node's size instead (as does any flow whose
// nodes are not all measured soon after it is drawn).
const MEASURE_WAIT_MS = 400;

/**
 * Sets the view a flow opens at, once: readable (labels ≥ 11 px on screen), the whole flow when
 * it fits so, else its start. Nodes are hidden by React Flow until measured, so nothing is drawn
 * at the wrong zoom first.
 */
export function useOpeningView(store: FlowStore, canvas: RefObject<HTMLElement | null>, large: boolean): OpeningView {
  const flow = useReactFlow();
  // setViewport does nothing until React Flow's pan and zoom is set up.
  const ready = useStore((s) => s.panZoom !== null);
  const opened = useRef(false);
  // A flow that opens large is drawn at its opening view from its first frame: the canvas waits
  // for its own size (one layout pass), then mounts with that view as its default. Setting the
  // view after a first render would draw a large flow twice (seconds on a slow machine).
  const [startsLarge] = useState(large);
  const [preset, setPreset] = useState<Viewport>();
  useLayoutEffect(() => {
    if (!startsLarge || preset || !canvas.current) return;
    const { width, height } = canvas.current.getBoundingClientRect();
    opened.current = true;
    setPreset(openingViewport(estimatedBounds(store), { width, height }));
  }, [canvas, preset, startsLarge, store]);
  useEffect(() => {
    if (preset && ready && canvas.current) canvas.current.dataset.view = 'opened';
  }, [canvas, preset, ready]);

  useEffect(() => {
    if (opened.current || !ready || startsLarge) return;
    const started = performance.now();
    let frame = 0;
    // Checked frame by frame rather than subscribed to: it runs only until the flow has opened.
    const tryOpen = () => {
      const element = canvas.current;
      const nodes = flow.getNodes();
      const measured = nodes.length > 0 && nodes.every((n) => n.hidden || (n.measured?.width && n.measured.height));
      const late = performance.now() - started > MEASURE_WAIT_MS;
      if (!element || store.getState().document.nodes.length === 0 || (!measured && !large && !late)) {
        if (!late || !element) frame = requestAnimationFrame(tryOpen);
        return;
      }
      opened.current = true;
      const bounds: Rect = measured ? flow.getNodesBounds(nodes.filter((n) => !n.hidden)) : estimatedBounds(store);
      const { width, height } = element.getBoundingClientRect();
      // Marked on the canvas once set, for whoever waits on the opening view (tests, screenshots).
      void flow.setViewport(openingViewport(bounds, { width, height })).then(() => {
        element.dataset.view = 'opened';
      });
    };
    tryOpen();
    return () => cancelAnimationFrame(frame);
  }, [canvas, flow, large, ready, startsLarge, store]);
  return { waitForSize: startsLarge && !preset, defaultViewport: preset };
}

export interface OpeningView {
  /** Mount the canvas only once this is false (a large flow waits for the canvas's size). */
  waitForSize: boolean;
  /** The view to mount a large flow's canvas at. */
  defaultViewport: Viewport | undefined;
}

function estimatedBounds(store: FlowStore): Rect {
  const top = store.getState().document.nodes.filter((n) => n.parent === undefined);
  const xs = top.map((n) => n.position.x);
  const ys = top.map((n) => n.position.y);
  const x = Math.min(...xs);
  const y = Math.min(...ys);
  return { x, y, width: Math.max(...xs) + TYPICAL_NODE.width - x, height: Math.max(...ys) + TYPICAL_NODE.height - y };
}
