/**
 * Where the canvas looks when a flow opens, and where a clicked-in node lands: pure geometry,
 * kept apart from React Flow so it can be tested on its own.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}
export interface Point {
  x: number;
  y: number;
}

/**
 * Node labels are 13–14 px: below this zoom they read smaller than 11 px on screen. A flow opens
 * no smaller than this; Fit view (which shows everything) may go below when asked.
 */
export const READABLE_ZOOM = 0.85;
/** A small flow is shown at its natural size rather than blown up to fill the canvas. */
export const OPENING_MAX_ZOOM = 1;
const MARGIN = 48;

/**
 * The opening view: the whole flow, centred, when it fits at a readable zoom (at most 1); else
 * the readable zoom, showing the flow's start (its left edge, where the input sits) and, on an
 * axis where it still fits, centred on that axis.
 */
export function openingViewport(bounds: Rect, size: { width: number; height: number }): Viewport {
  const room = { width: Math.max(1, size.width - 2 * MARGIN), height: Math.max(1, size.height - 2 * MARGIN) };
  const fit = Math.min(room.width / Math.max(1, bounds.width), room.height / Math.max(1, bounds.height), OPENING_MAX_ZOOM);
  const zoom = Math.max(fit, READABLE_ZOOM);
  const axis = (start: number, length: number, space: number) => {
    const drawn = length * zoom;
    // Fits: centred. Too long: its start at the margin, the rest reached by scrolling.
    return drawn <= space - 2 * MARGIN ? (space - drawn) / 2 - start * zoom : MARGIN - start * zoom;
  };
  return { x: axis(bounds.x, bounds.width, size.width), y: axis(bounds.y, bounds.height, size.height), zoom };
}

/** The point of the flow at the centre of what the canvas shows. */
export function viewCentre(viewport: Viewport, size: { width: number; height: number }): Point {
  return { x: (size.width / 2 - viewport.x) / viewport.zoom, y: (size.height / 2 - viewport.y) / viewport.zoom };
}

export const ADD_STEP = 32;

/**
 * Where a clicked-in node goes: its top-left at `at`, moved down and right a step at a time
 * while a node already stands there, so repeated clicks fan out instead of stacking.
 */
export function freeSpot(at: Point, taken: readonly Point[], step = ADD_STEP): Point {
  let spot = at;
  // A spot is taken when a node's corner is close enough that the new node would mostly cover it.
  const near = (p: Point) => Math.abs(p.x - spot.x) < step * 3 && Math.abs(p.y - spot.y) < step;
  for (let i = 1; i < 50 && taken.some(near); i++) {
    spot = { x: at.x + i * step, y: at.y + i * step };
  }
  return spot;
}
