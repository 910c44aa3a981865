import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useProduct } from './support/e2e.js';

const SHOTS = process.env.TRELLIS_SHOTS ?? '/tmp/shots-editor';

/** The canvas's node cards in real Chromium against a real runner with the bundled examples. */
describe('canvas nodes people can read', () => {
  const product = useProduct();

  const open = async (page: Page, url: string, flow: string) => {
    await page.goto(`${url}/#/flows/${flow}`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.locator('.react-flow__node').first().waitFor();
    // React Flow draws the wires once it has measured every node.
    await canvas.locator('.react-flow__edge').first().waitFor();
    return canvas;
  };

  it('shows each node a preview, labelled outputs and wires, tools below their agent, and a run on the nodes', async () => {
    const { page, url } = product;
    let canvas = await open(page, url, 'support-handoffs');

    // An agent's attachments hang below it: handoff targets under the desk, the billing tool under billing.
    const box = async (name: RegExp) => (await canvas.getByLabel(name).boundingBox())!;
    const desk = await box(/^Agent node Front desk/);
    const billing = await box(/^Agent node Billing specialist/);
    const invoices = await box(/^Tool node Look up invoices/);
    expect(billing.y).toBeGreaterThan(desk.y + desk.height);
    expect(invoices.y).toBeGreaterThan(billing.y + billing.height);
    // The desk's attachment ports are named on its bottom edge; the wires to them are dashed.
    const deskNode = canvas.getByLabel(/^Agent node Front desk/);
    expect(await deskNode.locator('.node-attachments').textContent()).toBe('ToolsHandoffs');
    const handoff = canvas.locator('.react-flow__handle[data-nodeid="desk"][data-handleid="handoffs"]');
    expect(await handoff.evaluate((h) => h.classList.contains('react-flow__handle-bottom'))).toBe(true);
    expect(await canvas.locator('.react-flow__edge.attachment').count()).toBe(3);
    // Every node names its model or what it does.
    expect(await deskNode.locator('.node-preview').textContent()).toMatch(/^gpt-4\.1-mini · /);
    await page.screenshot({ path: `${SHOTS}/canvas-support-handoffs.png` });

    canvas = await open(page, url, 'support-triage');
    const nodes = canvas.locator('.trellis-node');
    const count = await nodes.count();
    expect(count).toBeGreaterThan(10);
    for (let i = 0; i < count; i++) {
      const preview = nodes.nth(i).locator('.node-preview');
      expect(await preview.count(), `node ${await nodes.nth(i).getAttribute('aria-label')} has a preview`).toBe(1);
      expect((await preview.textContent())!.length).toBeGreaterThan(2);
    }
    // Text is readable: names at 14 px, previews at 12 px (CSS px; the editor opens at a zoom ≥ 0.8).
    const route = canvas.getByLabel(/^Condition node Routine\?/);
    expect(await route.locator('.name').evaluate((el) => getComputedStyle(el).fontSize)).toBe('14px');
    expect(await route.locator('.node-preview').evaluate((el) => getComputedStyle(el).fontSize)).toBe('12px');
    expect(await route.locator('.node-preview').textContent()).toContain("nodes.classify.output.category in ['billing', 'account']");

    // A condition's outputs are labelled with its branches, an approval's with Approved / Rejected.
    expect(await route.locator('.node-output-label').allTextContents()).toEqual(['Routine billing / account', 'Else']);
    const approval = canvas.getByLabel(/^Approval node /);
    expect(await approval.locator('.node-output-label').allTextContents()).toEqual(['Approved', 'Rejected']);
    // Each row's handle sits at the card's right edge, level with its label.
    const rejected = (await approval.locator('.node-output[data-port="rejected"]').boundingBox())!;
    const rejectedHandle = (await approval.locator('.react-flow__handle[data-handleid="rejected"]').boundingBox())!;
    expect(Math.abs(rejectedHandle.y + rejectedHandle.height / 2 - (rejected.y + rejected.height / 2))).toBeLessThan(2);
    // ...and the wires leaving them carry the label.
    const edgeLabels = await canvas.locator('.react-flow__edge-text').allTextContents();
    expect(edgeLabels).toEqual(expect.arrayContaining(['Routine billing / account', 'Else', 'Approved', 'Rejected', 'Pass', 'Fail']));

    // The investigating agent's tools sit below it.
    const investigate = await box(/^Agent node Investigate/);
    const status = await box(/^Tool node Check status page/);
    expect(status.y).toBeGreaterThan(investigate.y + investigate.height);

    // Selecting a node offers its toolbar.
    await canvas.getByLabel(/^Prompt node Classify ticket/).click();
    for (const name of ['Test this step', 'Duplicate', 'Delete']) await page.getByRole('button', { name, exact: true }).waitFor();
    await page.screenshot({ path: `${SHOTS}/canvas-support-triage-selected.png` });

    // A test run: each node that ran shows its status and duration, and its output on click (the
    // duration and output come from runOnCanvasOf(trace), which the editor hands the canvas).
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('routine-billing');
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    const classify = canvas.getByLabel('Prompt node Classify ticket (succeeded)');
    await classify.waitFor();
    const run = classify.getByRole('button', { name: 'Output of Classify ticket' });
    expect(await run.textContent()).toMatch(/^Succeeded\d+(\.\d)? m?s/);
    await canvas.getByLabel('Agent node Investigate (skipped)').getByText('Skipped').waitFor();
    await run.click();
    const output = page.getByRole('dialog', { name: 'Output of Classify ticket' });
    expect(await output.locator('pre').textContent()).toContain('"category"');
    await page.screenshot({ path: `${SHOTS}/canvas-support-triage-run.png` });
    await page.keyboard.press('Escape');
    await output.waitFor({ state: 'detached' });
    // Close up on the run: status, duration and tokens on each card.
    const at = (await classify.boundingBox())!;
    await page.mouse.move(at.x + at.width / 2, at.y + at.height / 2);
    for (let i = 0; i < 8; i++) await page.mouse.wheel(0, -120);
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${SHOTS}/canvas-support-triage-run-zoomed.png` });
  }, 120_000);

  it('draws the examples in light and dark themes', async () => {
    const { page, url } = product;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const flow of ['support-triage', 'support-handoffs', 'research-orchestrator', 'research-agent', 'content-pipeline']) {
        const canvas = await open(page, url, flow);
        // The card follows the theme: its background is the theme's surface.
        const surface = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--surface').trim());
        const card = await canvas.locator('.trellis-node').first().evaluate((el) => getComputedStyle(el).backgroundColor);
        expect(card).toBe(await page.evaluate((c) => { const d = document.createElement('div'); d.style.color = c; document.body.append(d); const v = getComputedStyle(d).color; d.remove(); return v; }, surface));
        await page.screenshot({ path: `${SHOTS}/canvas-${flow}-${scheme}.png` });
        // And close up, as a person reads it: zoomed in around the flow's second node.
        const focus = (await canvas.locator('.react-flow__node').nth(1).boundingBox())!;
        await page.mouse.move(focus.x + focus.width / 2, focus.y + focus.height / 2);
        for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -120);
        await page.waitForTimeout(300);
        await page.screenshot({ path: `${SHOTS}/canvas-${flow}-${scheme}-zoomed.png` });
      }
    }
    // The lead's workers and their tools hang below it, row by row.
    const canvas = page.getByLabel('Flow canvas');
    await open(page, url, 'research-orchestrator');
    const lead = (await canvas.getByLabel(/^Agent node Research lead/).boundingBox())!;
    const tools = canvas.locator('.react-flow__node[data-id="read_source"]');
    const worker = (await canvas.locator('.react-flow__node[data-id="fact_checker"]').boundingBox())!;
    expect(worker.y).toBeGreaterThan(lead.y + lead.height);
    expect((await tools.boundingBox())!.y).toBeGreaterThan(worker.y + worker.height);
  }, 180_000);
});
