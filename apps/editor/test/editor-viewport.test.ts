import { describe, expect, it } from 'vitest';
import { freeSpot, openingViewport, READABLE_ZOOM, viewCentre, visibleRect } from '../src/views/viewport.js';

describe('the opening viewport', () => {
  const canvas = { width: 1000, height: 700 };

  it('shows a small flow whole, centred, at its natural size', () => {
    const view = openingViewport({ x: 0, y: 0, width: 400, height: 200 }, canvas);
    expect(view.zoom).toBe(1);
    expect(view.x).toBe(300);
    expect(view.y).toBe(250);
  });

  it('shrinks a flow that almost fits, but never below the readable zoom', () => {
    const slightly = openingViewport({ x: 0, y: 0, width: 1000, height: 200 }, canvas);
    expect(slightly.zoom).toBeGreaterThanOrEqual(READABLE_ZOOM);
    expect(slightly.zoom).toBeLessThan(1);
    const wide = openingViewport({ x: 100, y: -50, width: 4000, height: 300 }, canvas);
    expect(wide.zoom).toBe(READABLE_ZOOM);
  });

  it('opens a wide flow at its start (left edge in view) and centres it on the axis that fits', () => {
    const view = openingViewport({ x: 100, y: -50, width: 4000, height: 300 }, canvas);
    // The flow's left edge lands at the margin on screen.
    expect(100 * view.zoom + view.x).toBe(48);
    // Vertically it fits: centred.
    expect(-50 * view.zoom + view.y + (300 * view.zoom) / 2).toBeCloseTo(350);
  });
});

describe('click-to-add placement', () => {
  it('finds the centre of the visible canvas in flow coordinates', () => {
    expect(viewCentre({ x: 100, y: 50, zoom: 2 }, { width: 800, height: 600 })).toEqual({ x: 150, y: 125 });
    expect(visibleRect({ x: 100, y: 50, zoom: 2 }, { width: 800, height: 600 })).toEqual({ x: -50, y: -25, width: 400, height: 300 });
  });

  const card = (x: number, y: number) => ({ x, y, width: 240, height: 150 });

  it('keeps the spot when it is free, and never lands on a node or a container already there', () => {
    const at = { x: 10, y: 10 };
    expect(freeSpot(at, [])).toEqual(at);
    expect(freeSpot(at, [card(400, 10)])).toEqual(at);
    const container = { x: -200, y: -150, width: 700, height: 360 };
    const spot = freeSpot(at, [container]);
    const clear = (r: { x: number; y: number; width: number; height: number }) =>
      spot.x + 240 <= r.x || r.x + r.width <= spot.x || spot.y + 150 <= r.y || r.y + r.height <= spot.y;
    expect(clear(container)).toBe(true);
    // The nearest free spot: just below the container (down is nearer than sideways here).
    expect(spot.y).toBeGreaterThanOrEqual(container.y + container.height);
    expect(spot.y - (container.y + container.height)).toBeLessThan(64);
  });

  it('prefers a free spot the person can see, and repeated adds do not stack', () => {
    const at = { x: 0, y: 0 };
    const view = { x: -300, y: -200, width: 900, height: 500 };
    // The area below is free but out of view; the spot to the right is in view.
    const blocker = { x: -400, y: -250, width: 500, height: 600 };
    const spot = freeSpot(at, [blocker], view);
    expect(spot.x).toBeGreaterThanOrEqual(blocker.x + blocker.width);
    expect(spot.x + 240).toBeLessThanOrEqual(view.x + view.width);
    const taken = [card(0, 0)];
    for (let i = 0; i < 4; i++) taken.push({ ...freeSpot(at, taken, view), width: 240, height: 150 });
    const corners = new Set(taken.map((r) => `${r.x},${r.y}`));
    expect(corners.size).toBe(taken.length);
  });
});
