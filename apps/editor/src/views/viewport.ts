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

/** What the canvas shows, in the flow's coordinates. */
export function visibleRect(viewport: Viewport, size: { width: number; height: number }): Rect {
  return { x: -viewport.x / viewport.zoom, y: -viewport.y / viewport.zoom, width: size.width / viewport.zoom, height: size.height / viewport.zoom };
}

/** A node card of typical size, for one not measured yet (a large flow draws only what is in view). */
export const TYPICAL_NODE = { width: 240, height: 88 };

/** The point of the flow at the centre of what the canvas shows. */
export function viewCentre(viewport: Viewport, size: { width: number; height: number }): Point {
  return { x: (size.width / 2 - viewport.x) / viewport.zoom, y: (size.height / 2 - viewport.y) / viewport.zoom };
}

export const ADD_STEP = 32;
/** A new node card at its largest (one with two labelled outputs), for finding room before it is measured. */
export const NEW_NODE_SIZE = { width: 240, height: 150 };
const GAP = 16;
const RINGS = 24;

const overlaps = (a: Rect, b: Rect) =>
  a.x < b.x + b.width + GAP && b.x < a.x + a.width + GAP && a.y < b.y + b.height + GAP && b.y < a.y + a.height + GAP;
const inside = (a: Rect, view: Rect) =>
  a.x >= view.x && a.y >= view.y && a.x + a.width <= view.x + view.width && a.y + a.height <= view.y + view.height;

/**
 * Where a clicked-in node goes: its top-left at `at` when nothing stands there, else the nearest
 * spot (a step apart) where it covers no node, preferring spots inside `view`, so the new node is
 * seen and never hides or sits under another (a container included). Rightwards comes first, as
 * a flow reads, and a step down counts a little more than a step aside, so a second node lands
 * beside the first. When nothing near is free, it fans out down and right so adds do not stack.
 */
export function freeSpot(at: Point, taken: readonly Rect[], view?: Rect, size = NEW_NODE_SIZE, step = ADD_STEP): Point {
  const free = (p: Point) => !taken.some((r) => overlaps({ ...p, ...size }, r));
  const spots: Array<{ spot: Point; left: boolean; cost: number }> = [];
  for (let dx = -RINGS; dx <= RINGS; dx++) {
    for (let dy = -RINGS; dy <= RINGS; dy++) spots.push({ spot: { x: at.x + dx * step, y: at.y + dy * step }, left: dx < 0, cost: Math.hypot(dx, dy * 1.5) });
  }
  spots.sort((a, b) => Number(a.left) - Number(b.left) || a.cost - b.cost);
  let outOfView: Point | undefined;
  for (const { spot } of spots) {
    if (!free(spot)) continue;
    if (!view || inside({ ...spot, ...size }, view)) return spot;
    outOfView ??= spot;
  }
  if (outOfView) return outOfView;
  let spot = at;
  for (let i = 1; i < 50 && !free(spot); i++) spot = { x: at.x + i * step, y: at.y + i * step };
  return spot;
}
