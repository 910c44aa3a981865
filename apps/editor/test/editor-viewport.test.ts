import { describe, expect, it } from 'vitest';
import { freeSpot, openingViewport, READABLE_ZOOM, viewCentre } from '../src/views/viewport.js';

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
  });

  it('steps down and right past nodes already at the spot, so repeated adds do not stack', () => {
    const at = { x: 10, y: 10 };
    expect(freeSpot(at, [])).toEqual(at);
    expect(freeSpot(at, [{ x: 12, y: 9 }])).toEqual({ x: 42, y: 42 });
    expect(freeSpot(at, [{ x: 10, y: 10 }, { x: 42, y: 42 }])).toEqual({ x: 74, y: 74 });
    // A node a little off the spot (the view moved a bit between two clicks) still counts.
    expect(freeSpot(at, [{ x: 10, y: -9 }])).toEqual({ x: 42, y: 42 });
    expect(freeSpot(at, [{ x: 400, y: 10 }])).toEqual(at);
  });
});
