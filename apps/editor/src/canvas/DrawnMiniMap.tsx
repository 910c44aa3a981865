import { useEffect, useRef, type PointerEvent as ReactPointerEvent, type WheelEvent as ReactWheelEvent } from 'react';
import { Panel, useReactFlow, useStore, useStoreApi, type ReactFlowState } from '@xyflow/react';
import { TYPICAL_NODE, visibleRect } from '../views/viewport';
import type { CanvasNode } from './FlowNode';

const WIDTH = 160;
const HEIGHT = 110;
const PAD = 6;

type Box = [x: number, y: number, width: number, height: number, fill: string];
/** What the last drawing kept for the next: colours, the nodes' boxes, and the nodes painted. */
interface Drawn {
  theme: string;
  colours: Map<string, string>;
  nodes: unknown;
  boxes: Box[];
  bounds: { minX: number; minY: number; maxX: number; maxY: number };
  image: { canvas: HTMLCanvasElement; key: string } | undefined;
}

interface Props {
  /** A CSS colour (custom properties allowed) for a node: its run status, or the border colour. */
  color: (node: CanvasNode) => string;
}

// What the drawing depends on: the nodes (moves included) and the view.
const selectNodes = (s: ReactFlowState) => s.nodes;
const selectView = (s: ReactFlowState) => `${s.transform.join(',')};${s.width},${s.height}`;

/**
 * The minimap of a large flow, painted on a <canvas>: React Flow's own minimap makes an SVG
 * shape (and a component) for every node, which for 1,000 nodes costs more than the visible
 * canvas and is redrawn on every drag frame. Same place, look and gestures: drag to pan, wheel to
 * zoom, click to go there.
 */
export function DrawnMiniMap({ color }: Props) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const nodes = useStore(selectNodes);
  const view = useStore(selectView);
  const store = useStoreApi<CanvasNode>();
  const flow = useReactFlow();
  // The last drawing's mapping from the minimap's pixels to the flow, for the gestures.
  const mapping = useRef({ scale: 1, x: 0, y: 0 });
  const drawn = useRef<Drawn>({ theme: '', colours: new Map(), nodes: undefined, boxes: [], bounds: { minX: 0, minY: 0, maxX: 0, maxY: 0 }, image: undefined });

  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    const frame = requestAnimationFrame(() => {
      const { nodeLookup, transform, width, height } = store.getState();
      const [tx, ty, zoom] = transform;
      const shown = visibleRect({ x: tx, y: ty, zoom }, { width, height });
      // Custom properties resolved once per colour and theme (a canvas cannot read `var(--…)`
      // itself), not per frame: reading computed styles mid-pan would force a style pass.
      const theme = globalThis.document.documentElement.className;
      const cache = drawn.current;
      if (cache.theme !== theme) Object.assign(cache, { theme, colours: new Map(), nodes: undefined });
      const paint = (css: string) => {
        let value = cache.colours.get(css);
        if (value === undefined) {
          const name = /^var\((--[\w-]+)\)$/.exec(css)?.[1];
          value = (name ? getComputedStyle(element).getPropertyValue(name).trim() : css) || '#999';
          cache.colours.set(css, value);
        }
        return value;
      };
      // The nodes' boxes and bounds, read again only when the nodes changed (not while panning).
      if (cache.nodes !== nodes) {
        const boxes: Box[] = [];
        const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
        for (const node of nodeLookup.values()) {
          if (node.hidden) continue;
          const { x, y } = node.internals.positionAbsolute;
          const w = node.measured.width ?? node.width ?? TYPICAL_NODE.width;
          const h = node.measured.height ?? node.height ?? TYPICAL_NODE.height;
          boxes.push([x, y, w, h, paint(color(node))]);
          b.minX = Math.min(b.minX, x);
          b.minY = Math.min(b.minY, y);
          b.maxX = Math.max(b.maxX, x + w);
          b.maxY = Math.max(b.maxY, y + h);
        }
        Object.assign(cache, { nodes, boxes, bounds: b, image: undefined });
      }
      const minX = Math.min(cache.bounds.minX, shown.x);
      const minY = Math.min(cache.bounds.minY, shown.y);
      const maxX = Math.max(cache.bounds.maxX, shown.x + shown.width);
      const maxY = Math.max(cache.bounds.maxY, shown.y + shown.height);
      const scale = Math.min((WIDTH - 2 * PAD) / Math.max(1, maxX - minX), (HEIGHT - 2 * PAD) / Math.max(1, maxY - minY));
      const ox = PAD + (WIDTH - 2 * PAD - (maxX - minX) * scale) / 2 - minX * scale;
      const oy = PAD + (HEIGHT - 2 * PAD - (maxY - minY) * scale) / 2 - minY * scale;
      mapping.current = { scale, x: ox, y: oy };

      const ratio = globalThis.devicePixelRatio || 1;
      // The nodes painted once per layout of the minimap; a pan inside the flow only moves the outline.
      const key = `${scale},${ox},${oy},${ratio}`;
      if (cache.image?.key !== key) {
        const image = cache.image?.canvas ?? globalThis.document.createElement('canvas');
        image.width = WIDTH * ratio;
        image.height = HEIGHT * ratio;
        const ink = image.getContext('2d')!;
        ink.setTransform(ratio, 0, 0, ratio, 0, 0);
        for (const [x, y, w, h, fill] of cache.boxes) {
          ink.fillStyle = fill;
          ink.fillRect(ox + x * scale, oy + y * scale, Math.max(1, w * scale), Math.max(1, h * scale));
        }
        cache.image = { canvas: image, key };
      }
      if (element.width !== WIDTH * ratio) {
        element.width = WIDTH * ratio;
        element.height = HEIGHT * ratio;
      }
      context.setTransform(1, 0, 0, 1, 0, 0);
      context.clearRect(0, 0, element.width, element.height);
      context.drawImage(cache.image.canvas, 0, 0);
      // What the canvas shows, outlined over the rest.
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.strokeStyle = paint('var(--primary)');
      context.lineWidth = 1.5;
      context.strokeRect(ox + shown.x * scale, oy + shown.y * scale, shown.width * scale, shown.height * scale);
    });
    return () => cancelAnimationFrame(frame);
  }, [nodes, view, color, store]);

  /** The flow point under a pointer on the minimap. */
  const flowPoint = (event: { clientX: number; clientY: number }) => {
    const box = canvas.current!.getBoundingClientRect();
    const { scale, x, y } = mapping.current;
    return { x: (event.clientX - box.left - x) / scale, y: (event.clientY - box.top - y) / scale };
  };
  const centreOn = (event: { clientX: number; clientY: number }) => {
    const point = flowPoint(event);
    void flow.setCenter(point.x, point.y, { zoom: flow.getZoom() });
  };
  const onPointerDown = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    event.currentTarget.setPointerCapture(event.pointerId);
    centreOn(event);
  };
  const onPointerMove = (event: ReactPointerEvent<HTMLCanvasElement>) => {
    if (event.currentTarget.hasPointerCapture(event.pointerId)) centreOn(event);
  };
  const onWheel = (event: ReactWheelEvent<HTMLCanvasElement>) => {
    void (event.deltaY < 0 ? flow.zoomIn({ duration: 0 }) : flow.zoomOut({ duration: 0 }));
  };

  return (
    <Panel position="bottom-right" className="react-flow__minimap">
      <canvas ref={canvas} role="img" aria-label="Minimap" style={{ width: WIDTH, height: HEIGHT, display: 'block', cursor: 'grab' }} onPointerDown={onPointerDown} onPointerMove={onPointerMove} onWheel={onWheel} />
    </Panel>
  );
}
