import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasOpened } from './support/canvas.js';
import { useProduct } from './support/e2e.js';

const SHOTS = '/tmp/shots-editor';
mkdirSync(SHOTS, { recursive: true });

/** The canvas's zoom, read from the transform React Flow puts on its viewport. */
const zoomOf = (page: Page) =>
  page.locator('.react-flow__viewport').evaluate((el) => new DOMMatrixReadOnly(getComputedStyle(el).transform).a);

/** How far (screen px) an edge's drawn end is from where it meets its target's input handle (the middle of the handle's outer side, as React Flow draws it). */
const wireEndGap = (page: Page, edgeId: string, nodeId: string) =>
  page.evaluate(([edgeId, nodeId]) => {
    const path = document.querySelector<SVGPathElement>(`[data-testid="rf__edge-${edgeId}"] path.react-flow__edge-path`);
    const handle = document.querySelector(`.react-flow__node[data-id="${nodeId}"] .react-flow__handle-left`);
    const matrix = path?.getScreenCTM();
    if (!path || !handle || !matrix) return Infinity;
    const end = path.getPointAtLength(path.getTotalLength()).matrixTransform(matrix);
    const box = handle.getBoundingClientRect();
    return Math.hypot(end.x - box.left, end.y - (box.top + box.height / 2));
  }, [edgeId, nodeId]);

/** Opens a flow and waits until its opening view has settled (the same transform twice in a row). */
async function openFlow(page: Page, url: string, id: string) {
  await page.goto(`${url}/#/flows/${id}`);
  const canvas = page.getByLabel('Flow canvas');
  await canvas.locator('.react-flow__node .name').first().waitFor();
  await canvasOpened(page);
  const transform = () => page.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
  let last = '';
  await expect
    .poll(async () => {
      const now = await transform();
      const settled = now === last;
      last = now;
      return settled;
    }, { interval: 250 })
    .toBe(true);
  return canvas;
}

/** The frame around the canvas: toolbar, palette, side panel, minimap, problems, palette commands. */
describe('the flow editor chrome', () => {
  const product = useProduct();

  it('opens every bundled example with node labels at least 11 px on screen, its start in view', async () => {
    const { page, url } = await product.freshPage();
    const flows = (await (await fetch(`${url}/api/flows`)).json()) as { items: Array<{ id: string }> };
    expect(flows.items.length).toBeGreaterThanOrEqual(5);
    for (const { id } of flows.items) {
      const canvas = await openFlow(page, url, id);
      const zoom = await zoomOf(page);
      const sizes = await canvas.locator('.react-flow__node .name').evaluateAll((els) => els.map((el) => parseFloat(getComputedStyle(el).fontSize)));
      expect(sizes.length, id).toBeGreaterThan(0);
      for (const size of sizes) expect(size * zoom, `${id}: a ${size}px label at zoom ${zoom.toFixed(2)}`).toBeGreaterThanOrEqual(11);
      // The flow's input, where it starts, is on screen.
      const frame = (await canvas.boundingBox())!;
      const input = (await canvas.locator('.react-flow__node-input, .react-flow__node[data-id="in"], .react-flow__node[data-id="input"]').first().boundingBox())!;
      expect(input.x, id).toBeGreaterThanOrEqual(frame.x + 16);
      expect(input.y, id).toBeGreaterThanOrEqual(frame.y + 16);
      expect(input.x + input.width, id).toBeLessThanOrEqual(frame.x + frame.width - 16);
      expect(input.y + input.height, id).toBeLessThanOrEqual(frame.y + frame.height - 16);
    }
    // Fit view still shows all of the widest one, shrinking it as far as it must.
    await openFlow(page, url, 'support-triage');
    const opening = await zoomOf(page);
    await page.getByRole('button', { name: 'Fit view' }).click();
    await expect.poll(() => zoomOf(page)).toBeLessThan(opening);
  }, 90_000);

  it('opens a 400-node flow at a readable zoom with only what is in view drawn, and its painted minimap moves the view', async () => {
    const { page, url } = await product.freshPage();
    // An input, then 20 rows of transforms, each fed by the one before it in its row.
    const nodes: unknown[] = [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} }];
    const edges: unknown[] = [];
    for (let i = 0; i < 399; i++) {
      const id = `t${i}`;
      nodes.push({ id, type: 'tool', name: `Step ${i}`, position: { x: 300 + (i % 20) * 280, y: Math.floor(i / 20) * 140 }, config: { tool: 'transform', requiresApproval: false, expression: '$' } });
      const from = i % 20 === 0 ? 'in' : `t${i - 1}`;
      edges.push({ id: `e${i}`, source: from, sourceHandle: 'out', target: id, targetHandle: 'in' });
    }
    const saved = await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ schema: 'trellis.flow/v1', id: 'wide-grid', name: 'Wide grid', nodes, edges }) });
    expect(saved.status).toBe(201);
    // The most cards ever in the page while it opens: React Flow draws a node it has not measured,
    // so without handles given up front it would draw all 400 once to measure them.
    await page.addInitScript(() => {
      const w = window as unknown as { mostNodes: number };
      w.mostNodes = 0;
      new MutationObserver(() => (w.mostNodes = Math.max(w.mostNodes, document.querySelectorAll('.react-flow__node').length))).observe(document, { childList: true, subtree: true });
    });
    await page.goto(`${url}/#/flows/wide-grid`);
    await canvasOpened(page);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.locator('.react-flow__node').first().waitFor();
    expect(await zoomOf(page)).toBeGreaterThanOrEqual(0.85);
    expect(await canvas.locator('.react-flow__node').count()).toBeLessThan(100);
    expect(await page.evaluate(() => (window as unknown as { mostNodes: number }).mostNodes)).toBeLessThan(100);

    // The minimap is painted: some of its pixels are not blank.
    const minimap = page.getByRole('img', { name: 'Minimap' });
    await expect
      .poll(() => minimap.evaluate((el) => {
        const c = el as HTMLCanvasElement;
        const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
        return inked;
      }))
      .toBeGreaterThan(200);
    // A click on its far corner brings that part of the flow into view.
    const transform = () => page.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
    const before = await transform();
    const box = (await minimap.boundingBox())!;
    await page.mouse.click(box.x + box.width - 12, box.y + box.height - 12);
    await expect.poll(transform).not.toBe(before);
    await canvas.getByLabel(/node Step 398\b/).waitFor();
    // The wire into a card drawn only now ends at its handle, measured when it was drawn.
    await expect.poll(() => wireEndGap(page, 'e398', 't398')).toBeLessThan(3);
    await page.screenshot({ path: `${SHOTS}/large-flow-minimap.png` });
  }, 60_000);

  it('hides and shows the node palette, the side panel and the minimap, and remembers the minimap', async () => {
    const { page, url } = await product.freshPage();
    const canvas = await openFlow(page, url, 'support-triage');
    const minimap = page.getByRole('img', { name: 'Minimap' });
    const canvasWidth = async () => (await canvas.boundingBox())!.width;

    const wide = await canvasWidth();
    await page.getByRole('button', { name: 'Hide node palette' }).click();
    await page.getByRole('searchbox', { name: 'Search node kinds' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Hide side panel' }).click();
    await page.getByRole('tab', { name: 'Inspector' }).waitFor({ state: 'hidden' });
    expect(await canvasWidth()).toBeGreaterThan(wide + 400);
    await page.screenshot({ path: `${SHOTS}/support-triage-panels-hidden-light.png` });
    await page.getByRole('button', { name: 'Show node palette' }).click();
    await page.getByRole('searchbox', { name: 'Search node kinds' }).waitFor();
    await page.getByRole('button', { name: 'Show side panel' }).click();
    await page.getByRole('tab', { name: 'Inspector' }).waitFor();
    expect(Math.round(await canvasWidth())).toBe(Math.round(wide));

    await minimap.waitFor();
    await page.getByRole('button', { name: 'Hide minimap' }).click();
    await minimap.waitFor({ state: 'detached' });
    await page.reload();
    await page.getByLabel('Flow canvas').locator('.react-flow__node').first().waitFor();
    await page.getByRole('button', { name: 'Show minimap' }).waitFor();
    expect(await minimap.count()).toBe(0);
    await page.getByRole('button', { name: 'Show minimap' }).click();
    await minimap.waitFor();
  }, 60_000);

  it('adds a clicked node inside the visible canvas, selected, and a second one beside it, not on top', async () => {
    const { page, url } = await product.freshPage();
    const canvas = await openFlow(page, url, 'support-triage');
    const frame = (await canvas.boundingBox())!;
    // Pan far from the flow: the new node must still land where the person is looking.
    await page.mouse.move(frame.x + frame.width / 2, frame.y + 40);
    await page.mouse.down();
    await page.mouse.move(frame.x + 60, frame.y + 60, { steps: 6 });
    await page.mouse.up();

    await page.getByRole('button', { name: 'Add Approval' }).click();
    const added = canvas.locator('.react-flow__node.selected');
    await added.waitFor();
    const first = (await added.boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(frame.x);
    expect(first.y).toBeGreaterThanOrEqual(frame.y);
    expect(first.x + first.width).toBeLessThanOrEqual(frame.x + frame.width);
    expect(first.y + first.height).toBeLessThanOrEqual(frame.y + frame.height);

    const count = await canvas.locator('.react-flow__node').count();
    await page.getByRole('button', { name: 'Add Approval' }).click();
    await expect.poll(() => canvas.locator('.react-flow__node').count()).toBe(count + 1);
    await expect.poll(async () => (await added.boundingBox())?.x).toBeGreaterThan(first.x + 20);
    const second = (await added.boundingBox())!;
    expect(second.y).toBeGreaterThan(first.y - first.height);
    expect(second.x + second.width).toBeLessThanOrEqual(frame.x + frame.width);
    // Undo is possible now, and undoing both adds empties the history again.
    const undo = page.getByRole('button', { name: 'Undo' });
    expect(await undo.isEnabled()).toBe(true);
  }, 60_000);

  it('says passing news in a toast that goes away by itself', async () => {
    const { page, url } = await product.freshPage();
    await openFlow(page, url, 'research-agent');
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    const news = page.getByRole('status').filter({ hasText: 'Laid out the flow' });
    await news.waitFor();
    await news.waitFor({ state: 'detached', timeout: 10_000 });
  }, 30_000);

  it('offers the app’s own commands in the canvas palette: Go to Runs leaves for the runs page', async () => {
    const { page, url } = await product.freshPage();
    await openFlow(page, url, 'research-agent');
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByLabel('Command').fill('go to runs');
    await palette.getByRole('option', { name: 'Go to Runs' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/palette-go-to-runs.png` });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.url()).toContain('#/runs');
    await page.getByRole('link', { name: 'Runs' }).and(page.locator('[aria-current="page"]')).waitFor();
  }, 30_000);

  it('selects a node without moving the page, in light and dark', async () => {
    const { page, url } = await product.freshPage();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const canvas = await openFlow(page, url, 'support-triage');
      const header = page.getByRole('navigation', { name: 'Sections' });
      const headerAt = (await header.boundingBox())!.y;
      await canvas.getByLabel(/node Screen ticket/).click();
      await page.getByLabel('Flow canvas').locator('.react-flow__node.selected').waitFor();
      await page.waitForTimeout(300);
      expect((await header.boundingBox())!.y).toBe(headerAt);
      const scrolled = await page.evaluate(() => [document.scrollingElement?.scrollTop ?? 0, ...[...document.querySelectorAll('*')].filter((el) => el.scrollTop > 0 && !el.closest('.side-panel-body, .react-flow')).map((el) => el.className)]);
      expect(scrolled).toEqual([0]);
      await page.screenshot({ path: `${SHOTS}/support-triage-selected-${scheme}.png` });
      if (scheme === 'dark') {
        await page.keyboard.press('Control+k');
        await page.getByRole('dialog', { name: 'Command palette' }).getByLabel('Command').waitFor();
        await page.screenshot({ path: `${SHOTS}/command-palette-${scheme}.png` });
        await page.keyboard.press('Escape');
      }
    }
  }, 60_000);
});
