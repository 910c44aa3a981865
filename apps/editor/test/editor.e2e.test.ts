import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProduct, type E2e } from './support/e2e.js';

/** The editor in real Chromium against a real runner, as a person uses it. */
describe('the editor in a browser', () => {
  let product: E2e;
  beforeAll(async () => {
    product = await startProduct();
  }, 120_000);
  afterAll(async () => {
    await product?.close();
  });

  it('lists the bundled flows, opens one on the canvas, edits, undoes and saves a new version', async () => {
    const { page, url } = product;
    await page.goto(url);
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await page.getByRole('button', { name: 'Open Support triage' }).click();

    await page.getByRole('heading', { name: 'Support triage' }).waitFor();
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Prompt node Classify ticket/).waitFor();
    expect(await canvas.locator('.react-flow__node').count()).toBeGreaterThan(5);
    expect(await canvas.locator('.react-flow__edge').count()).toBeGreaterThan(4);
    await expect.poll(() => page.getByText('Saved', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    // Drag a node: the flow has unsaved changes; undo brings it back to the saved state.
    const node = canvas.getByLabel(/Prompt node Classify ticket/);
    const box = (await node.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 8 });
    await page.mouse.up();
    await page.getByText('Unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();

    // Move it again and save with the keyboard: version 2 is stored.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.getByText('Unsaved changes').waitFor();
    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    const stored = (await (await fetch(`${url}/api/flows/support-triage`)).json()) as { latestVersion: number };
    expect(stored.latestVersion).toBe(2);

    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByRole('button', { name: 'Open Research agent' }).waitFor();
  }, 60_000);

  it('adds nodes from the searchable palette by click and by drag, copies, pastes and deletes them', async () => {
    const { page, url } = product;
    await page.goto(`${url}/#/flows/content-pipeline`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.locator('.react-flow__node').first().waitFor();
    const count = () => canvas.locator('.react-flow__node').count();
    const before = await count();

    await page.getByRole('searchbox', { name: 'Search node kinds' }).fill('approv');
    expect(await page.getByLabel('Node kinds').getByRole('button').count()).toBe(1);
    await page.getByRole('button', { name: 'Add Approval' }).click();
    await canvas.getByLabel('Approval node approval').waitFor();
    expect(await count()).toBe(before + 1);

    await page.getByRole('searchbox', { name: 'Search node kinds' }).fill('');
    const target = (await canvas.boundingBox())!;
    await page.getByRole('button', { name: 'Add Output' }).dragTo(canvas, { targetPosition: { x: target.width / 2, y: target.height - 80 } });
    await canvas.getByLabel(/Output node output/).first().waitFor();
    expect(await count()).toBe(before + 2);

    // Select a node, copy and paste it (the copy becomes the selection), delete the copy, undo that.
    await canvas.click({ position: { x: target.width / 2, y: 10 } }); // focus the canvas, clearing the selection
    await canvas.getByLabel('Approval node approval').click();
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await canvas.getByLabel('Approval node approval-2').waitFor();
    expect(await count()).toBe(before + 3);
    await page.keyboard.press('Delete');
    await expect.poll(count).toBe(before + 2);
    await page.getByText('Unsaved changes').waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(count).toBe(before + 3);
  }, 60_000);

  it('test-runs a sample, watches the trace, answers the approval and sees the run finish', async () => {
    const { page, url } = product;
    await page.goto(`${url}/#/flows/support-triage`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample').selectOption('refund-over-limit');
    expect(await panel.getByLabel('Run input (JSON)').inputValue()).toContain('refund');
    await panel.getByRole('button', { name: 'Start run' }).click();

    const approval = panel.getByRole('group', { name: 'Approval' });
    await approval.waitFor();
    await panel.getByRole('status').filter({ hasText: 'Run waiting' }).waitFor();
    await page.getByLabel('Flow canvas').getByLabel(/Approval node Sign off reply \(waiting\)/).waitFor({ state: 'attached' });
    await approval.getByLabel('Comment').fill('checked the refund');
    await approval.getByRole('button', { name: 'Approve' }).click();

    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText(/test provider answered for: .*classify/).waitFor();
    expect(await panel.getByRole('button', { name: /^Step approve_reply: succeeded/ }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /: skipped$/ }).count()).toBeGreaterThan(0);
    await page.getByLabel('Flow canvas').getByLabel(/Prompt node Classify ticket \(succeeded\)/).waitFor({ state: 'attached' });

    // The decision is in the stored trace, with the comment and who decided.
    const runs = (await (await fetch(`${url}/api/runs?flowId=support-triage`)).json()) as { items: Array<{ id: string; status: string }> };
    const events = (await (await fetch(`${url}/api/runs/${runs.items[0]!.id}/events`)).json()) as { items: Array<{ type: string; data: { decision?: unknown } }> };
    expect(events.items.find((e) => e.type === 'run.resumed')?.data.decision).toMatchObject({ approved: true, by: 'editor', comment: 'checked the refund' });
  }, 60_000);
});
