import { mkdirSync, readFileSync } from 'node:fs';
import type { Flow } from '@trellis/schema';
import type { Locator } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { canvasOpened } from './support/canvas.js';
import { useProduct } from './support/e2e.js';

const SHOTS = process.env.TRELLIS_SHOTS ?? '/tmp/shots-editor';

/** The map kind's fixture (in → each: [shout → item_out] → out), under an id of its own. */
function mapFlow(): Flow {
  const doc = JSON.parse(readFileSync(new URL('../../../packages/nodes/src/kinds/map/fixture.flow.json', import.meta.url), 'utf8')) as Flow;
  return { ...doc, id: 'map-e2e', name: 'Shout each word' };
}

const inside = async (inner: Locator, outer: Locator) => {
  const [a, b] = [(await inner.boundingBox())!, (await outer.boundingBox())!];
  return a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;
};

/** A map drawn as a container with its body, run from the editor, its trace grouped by item. */
describe('containers in the browser', () => {
  const product = useProduct();

  it('draws a map with its body, refuses a wire across its edge, takes a dropped node in, runs it and shows the trace grouped by item', async () => {
    const { page, url } = await product.freshPage();
    mkdirSync(SHOTS, { recursive: true });
    const saved = await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(mapFlow()) });
    expect(saved.status).toBe(201);
    await page.goto(`${url}/#/flows/map-e2e`);
    const canvas = page.getByLabel('Flow canvas');
    const container = canvas.locator('.react-flow__node[data-id="each"]');
    const shout = canvas.locator('.react-flow__node[data-id="shout"]');
    await canvas.getByLabel('Map node each').waitFor();
    await canvas.getByText('each item of input.words · 2 at once').waitFor();
    await canvasOpened(page);
    // The body is drawn inside its container, as React Flow's children of it.
    await expect.poll(() => inside(shout, container)).toBe(true);
    await expect.poll(() => inside(canvas.locator('.react-flow__node[data-id="item_out"]'), container)).toBe(true);
    await canvas.screenshot({ path: `${SHOTS}/container-canvas.png` });

    // A wire from the flow's input straight to a body step is refused, saying why, while it is dragged.
    const from = (await canvas.locator('.react-flow__node[data-id="in"] .react-flow__handle.source').boundingBox())!;
    const to = (await shout.locator('.react-flow__handle.target').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 10 });
    await canvas.getByRole('status').filter({ hasText: /^Cannot connect: wires stay inside a body or outside it: "in" is at the flow's own level and "shout" is inside container "each"/ }).waitFor();
    await page.mouse.up();
    expect(await canvas.locator('.react-flow__edge').count()).toBe(3);

    // A node dropped from the palette onto the container becomes a body step; Ctrl+Z takes it away again.
    const box = (await container.boundingBox())!;
    const area = (await canvas.boundingBox())!;
    await page.getByRole('button', { name: 'Add Prompt' }).dragTo(canvas, { targetPosition: { x: box.x - area.x + box.width / 2, y: box.y - area.y + box.height / 2 } });
    await page.getByRole('status').filter({ hasText: 'Added a Prompt step inside "each"' }).waitFor();
    const prompt = canvas.locator('.react-flow__node[data-id="prompt"]');
    await expect.poll(() => inside(prompt, container)).toBe(true);
    await canvas.screenshot({ path: `${SHOTS}/container-dropped.png` });
    await canvas.click({ position: { x: 10, y: 10 } });
    await page.keyboard.press('Control+z');
    await prompt.waitFor({ state: 'detached' });

    // Run the saved flow with its sample: the map's step holds one round per item, each with its steps.
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('three-words');
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByRole('button', { name: 'Step each: succeeded' }).waitFor();
    await panel.getByText('3 items: 3 succeeded').waitFor();
    const items = panel.getByRole('list', { name: 'Items of each' });
    expect(await items.getByRole('button', { name: /^item \d of each: succeeded$/ }).allTextContents()).toEqual([
      expect.stringMatching(/item 0/), expect.stringMatching(/item 1/), expect.stringMatching(/item 2/),
    ]);
    for (const i of [0, 1, 2]) {
      const steps = panel.getByRole('list', { name: `Steps of item ${i} of each` });
      expect(await steps.getByRole('button', { name: /^Step / }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual([
        'Step shout: succeeded',
        'Step item_out: succeeded',
      ]);
    }
    // The body steps are not steps of the flow's own level.
    expect(await panel.getByRole('list', { name: 'Steps', exact: true }).locator(':scope > li').count()).toBe(3);
    const second = panel.getByRole('list', { name: 'Steps of item 1 of each' });
    await second.getByText('Output').first().click();
    await second.getByText('"BC!"', { exact: true }).first().waitFor();
    expect(await panel.getByLabel('Run output').textContent()).toContain('"word": "D!"');

    // An item folds away; on the canvas each body step says how many rounds it has done.
    await panel.getByRole('button', { name: 'item 0 of each: succeeded' }).click();
    await panel.getByRole('list', { name: 'Steps of item 0 of each' }).waitFor({ state: 'detached' });
    await canvas.getByText('3/3 done').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/grouped-trace.png` });

    // Collapsed, the container is one node saying what it holds, its body hidden.
    await canvas.getByRole('button', { name: 'Collapse each' }).click();
    await canvas.getByText('2 steps inside').waitFor();
    await shout.waitFor({ state: 'hidden' });
    await canvas.screenshot({ path: `${SHOTS}/container-collapsed.png` });
    await canvas.getByRole('button', { name: 'Expand each' }).click();
    await shout.waitFor();

    // Selected, the container can be resized from its corner: the flow has a change to save.
    await container.locator('.container-head .name').click();
    const corner = container.locator('.react-flow__resize-control.handle.bottom.right');
    const before = (await container.boundingBox())!;
    const grip = (await corner.boundingBox())!;
    await page.mouse.move(grip.x + grip.width / 2, grip.y + grip.height / 2);
    await page.mouse.down();
    await page.mouse.move(grip.x + 120, grip.y + 60, { steps: 8 });
    await page.mouse.up();
    await expect.poll(async () => (await container.boundingBox())!.width).toBeGreaterThan(before.width + 100);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await canvas.screenshot({ path: `${SHOTS}/container-resized.png` });

    // A body step dragged out of the container leaves the body; its wire inside would cross the edge, so it goes, and the line says so.
    const step = (await shout.boundingBox())!;
    await page.mouse.move(step.x + step.width / 2, step.y + step.height / 2);
    await page.mouse.down();
    await page.mouse.move(step.x + step.width / 2, step.y + step.height / 2 + 260, { steps: 10 });
    await page.mouse.up();
    await page.getByRole('status').filter({ hasText: /^Moved "shout" out to the flow's own level; removed the wire e2 \(shout → item_out\)/ }).waitFor();
    await expect.poll(() => inside(shout, container)).toBe(false);
    // React Flow draws a wire again once its handles are measured anew, which a busy machine takes a while for.
    await expect.poll(() => canvas.locator('.react-flow__edge').count(), { timeout: 10_000 }).toBe(2);
    // One undo puts it back in its body, wire and all.
    await page.keyboard.press('Control+z');
    await expect.poll(() => canvas.locator('.react-flow__edge').count(), { timeout: 10_000 }).toBe(3);
    await expect.poll(() => inside(shout, container)).toBe(true);
    // The resize before it was a step of its own: it stays.
    expect((await container.boundingBox())!.width).toBeGreaterThan(before.width + 100);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    // The inspector draws the map's fields from its kind; a body step's template may read index.
    await page.getByRole('tab', { name: 'Inspector' }).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await container.locator('.container-head .name').click();
    await inspector.getByText('Items', { exact: true }).first().waitFor();
    expect(await inspector.getByLabel('When an item fails', { exact: true }).inputValue()).toBe('stop');
    expect(await inspector.getByLabel('At once', { exact: true }).inputValue()).toBe('2');
    await page.screenshot({ path: `${SHOTS}/container-inspector.png` });
    await canvas.locator('.react-flow__node[data-id="item_out"]').click();
    await inspector.getByText('index', { exact: false }).first().waitFor();
    expect(await inspector.getByText(/unknown name "index"/).count()).toBe(0);

    // Deleting the container deletes its body too, and says so; Ctrl+Z brings all back.
    await container.locator('.container-head .name').click();
    await page.keyboard.press('Delete');
    await page.getByRole('status').filter({ hasText: 'Also deleted the 2 steps inside it' }).waitFor();
    await shout.waitFor({ state: 'detached' });
    await page.keyboard.press('Control+z');
    await shout.waitFor();
  }, 120_000);

  it('answers an approval inside each item of a map, the form keyed by the wait, the answers shown in their items', async () => {
    const { page, url } = await product.freshPage();
    const doc = {
      schema: 'trellis.flow/v1', id: 'map-approve-e2e', name: 'Approve each word',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 80 }, config: { schema: { type: 'object', properties: { words: { type: 'array', items: { type: 'string' } } }, required: ['words'] } } },
        { id: 'each', type: 'map', position: { x: 260, y: 0 }, size: { width: 560, height: 220 }, config: { items: 'input.words', concurrency: 1, maxItems: 10, onError: 'stop' } },
        { id: 'check', type: 'approval', parent: 'each', position: { x: 40, y: 70 }, config: { message: 'Send {{ item }}?' } },
        { id: 'item_out', type: 'output', parent: 'each', position: { x: 300, y: 70 }, config: { value: { word: '{{ item }}' } } },
        { id: 'out', type: 'output', position: { x: 900, y: 80 }, config: { value: { sent: '{{ nodes.each.output }}' } } },
      ],
      edges: [
        { id: 'e1', source: 'in', sourceHandle: 'out', target: 'each', targetHandle: 'in' },
        { id: 'e2', source: 'check', sourceHandle: 'approved', target: 'item_out', targetHandle: 'in' },
        { id: 'e3', source: 'each', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
      ],
      samples: [{ name: 'two', input: { words: ['hi', 'yo'] } }],
    };
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) })).status).toBe(201);
    await page.goto(`${url}/#/flows/map-approve-e2e`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('two');
    await panel.getByRole('button', { name: 'Start run' }).click();

    // Both items wait at once (a waiting item frees its slot): a form for each, named by its item.
    const approvals = panel.getByRole('group', { name: 'Approval' });
    await expect.poll(() => approvals.count()).toBe(2);
    await approvals.filter({ hasText: 'Step check (item 0 of each) waits for your decision' }).waitFor();
    await panel.getByRole('button', { name: 'item 0 of each: waiting' }).waitFor();
    await panel.getByRole('button', { name: 'item 1 of each: waiting' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/approvals-in-map.png` });
    for (const word of ['yo', 'hi']) {
      const approval = approvals.filter({ hasText: `Send ${word}?` });
      await approval.getByRole('button', { name: 'Approve' }).click();
      await approval.waitFor({ state: 'detached' });
    }
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    expect(await approvals.count()).toBe(0);
    for (const i of [0, 1]) {
      const steps = panel.getByRole('list', { name: `Steps of item ${i} of each` });
      await steps.getByRole('button', { name: 'Step check: succeeded' }).waitFor();
      await steps.getByText(/^Approved/).waitFor();
    }
    expect(await panel.getByLabel('Run output').textContent()).toContain('"word": "yo"');
  }, 120_000);

  it('runs a loop, its trace grouped by round, each round open to its steps', async () => {
    const { page, url } = await product.freshPage();
    const doc = JSON.parse(readFileSync(new URL('../../../packages/nodes/src/kinds/loop/fixture.flow.json', import.meta.url), 'utf8')) as Flow;
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...doc, id: 'loop-e2e' }) })).status).toBe(201);
    await page.goto(`${url}/#/flows/loop-e2e`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel('Loop node grow').waitFor();
    await canvas.getByText('until output.length >= input.target · ≤ 4 rounds').waitFor();

    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('limit-reached');
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText('4 rounds: 4 succeeded').waitFor();
    const rounds = panel.getByRole('list', { name: 'Rounds of grow' });
    expect(await rounds.getByRole('button', { name: /^round \d of grow/ }).evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(
      [1, 2, 3, 4].map((n) => `round ${n} of grow: succeeded`),
    );
    const third = panel.getByRole('list', { name: 'Steps of round 3 of grow' });
    await third.getByRole('button', { name: 'Step write: succeeded' }).waitFor();
    await third.getByText('Output').first().click();
    await third.getByText('"text": "xxx"').first().waitFor();
    await page.screenshot({ path: `${SHOTS}/loop-trace.png` });
  }, 120_000);

  it('pages a map of many items in the trace and shows any item picked by its number', async () => {
    const { page, url } = await product.freshPage();
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`);
    const doc = { ...mapFlow(), id: 'map-many-e2e', samples: [{ name: 'thirty', input: { words } }] };
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) })).status).toBe(201);
    await page.goto(`${url}/#/flows/map-many-e2e`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('thirty');
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText('30 items: 30 succeeded').waitFor();
    const items = panel.getByRole('list', { name: 'Items of each' });
    // A page of closed items: no item's steps are drawn until it is opened.
    expect(await items.getByRole('button', { name: / of each: succeeded$/ }).count()).toBe(20);
    expect(await panel.getByRole('list', { name: /^Steps of item/ }).count()).toBe(0);
    await panel.getByLabel('item number of each').fill('27');
    await panel.getByRole('button', { name: 'Show item' }).click();
    const picked = panel.getByRole('list', { name: 'Steps of item 27 of each' });
    await picked.getByRole('button', { name: 'Step shout: succeeded' }).waitFor();
    await picked.getByText('Output').first().click();
    await picked.getByText('"W27!"', { exact: true }).first().waitFor();
    await panel.getByRole('button', { name: 'Show 10 more items (10 not shown)' }).click();
    expect(await items.getByRole('button', { name: / of each: succeeded$/ }).count()).toBe(30);
    await page.screenshot({ path: `${SHOTS}/many-items-trace.png` });
  }, 120_000);
});
