import { describe, expect, it } from 'vitest';
import { canvasOpened, fitWholeFlow } from './support/canvas.js';
import { useProduct } from './support/e2e.js';

/** The editor in real Chromium against a real runner, as a person uses it. */
describe('the editor in a browser', () => {
  const product = useProduct();

  it('lists the bundled flows, opens one on the canvas, edits, undoes and saves a new version', async () => {
    const { page, url } = await product.freshPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    await page.getByRole('button', { name: 'Open Support triage' }).click();

    await page.getByRole('heading', { name: 'Support triage' }).waitFor();
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Prompt node Classify ticket/).waitFor();
    expect(await canvas.locator('.react-flow__node').count()).toBeGreaterThan(5);
    expect(await canvas.locator('.react-flow__edge').count()).toBeGreaterThan(4);
    // The minimap draws every node (it needs their measured sizes, which the canvas keeps).
    const drawn = await canvas.locator('.react-flow__node').count();
    await expect.poll(() => page.getByRole('img', { name: 'Minimap' }).locator('.react-flow__minimap-node').count()).toBe(drawn);
    await expect.poll(() => page.getByText('Saved', { exact: true }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    // A freshly opened flow has nothing to undo.
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
    // The flow opens readable, at its start; Fit view shows all of it (the node to drag is at its far side).
    await fitWholeFlow(page);

    // Drag a node: the flow has unsaved changes; undo brings it back to the saved state.
    const node = canvas.getByLabel(/Prompt node Classify ticket/);
    const box = (await node.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 120, box.y + box.height / 2 + 60, { steps: 8 });
    await page.mouse.up();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();

    // Move it again and save with the keyboard: version 2 is stored.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 80, box.y + box.height / 2, { steps: 8 });
    await page.mouse.up();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    const stored = (await (await fetch(`${url}/api/flows/support-triage`)).json()) as { latestVersion: number };
    expect(stored.latestVersion).toBe(2);

    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByRole('button', { name: 'Open Research agent' }).waitFor();
  }, 60_000);

  it('adds nodes from the searchable palette by click and by drag, copies, pastes and deletes them', async () => {
    const { page, url } = await product.freshPage();
    await page.goto(`${url}/#/flows/content-pipeline`);
    const canvas = page.getByLabel('Flow canvas');
    // Add only once the opening view is set: a view landing after the add could carry the new node out of sight.
    await canvasOpened(page);
    const count = () => canvas.locator('.react-flow__node').count();
    const before = await count();

    await page.getByRole('searchbox', { name: 'Search node kinds' }).fill('approv');
    expect(await page.getByLabel('Node kinds').getByRole('button').count()).toBe(1);
    await page.getByRole('button', { name: 'Add Approval' }).click();
    await canvas.getByLabel('Approval node approval').waitFor();
    expect(await count()).toBe(before + 1);
    // Added by click, it lands in view on free ground: on no other card, and not under the loop's box.
    const added = (await canvas.locator('.react-flow__node[data-id="approval"]').boundingBox())!;
    const others = await canvas.locator('.react-flow__node:not([data-id="approval"])').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON() as DOMRect));
    const hit = others.filter((r) => r.x < added.x + added.width && added.x < r.x + r.width && r.y < added.y + added.height && added.y < r.y + r.height);
    expect(hit).toEqual([]);
    const view = (await canvas.boundingBox())!;
    expect(added.x >= view.x && added.y >= view.y && added.x + added.width <= view.x + view.width && added.y + added.height <= view.y + view.height).toBe(true);

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
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(count).toBe(before + 3);
  }, 60_000);

  it('test-runs a sample, watches the trace, answers the approval and sees the run finish', async () => {
    const { page, url } = await product.freshPage();
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
    // The name the person gave the editor is who approved (without one, "editor").
    await page.evaluate(() => localStorage.setItem('trellis.author', 'Dana Reviewer'));
    await approval.getByRole('button', { name: 'Approve' }).click();

    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText(/test provider answered for: .*classify/).waitFor();
    expect(await panel.getByRole('button', { name: /^Step approve_reply: succeeded/ }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: /: skipped$/ }).count()).toBeGreaterThan(0);
    await page.getByLabel('Flow canvas').getByLabel(/Prompt node Classify ticket \(succeeded\)/).waitFor({ state: 'attached' });

    // The decision is in the stored trace, with the comment and who decided.
    const runs = (await (await fetch(`${url}/api/runs?flowId=support-triage`)).json()) as { items: Array<{ id: string; status: string }> };
    const events = (await (await fetch(`${url}/api/runs/${runs.items[0]!.id}/events`)).json()) as { items: Array<{ type: string; data: { decision?: unknown } }> };
    expect(events.items.find((e) => e.type === 'run.resumed')?.data.decision).toMatchObject({ approved: true, by: 'Dana Reviewer', comment: 'checked the refund' });
  }, 60_000);
  it('refuses a wire while it is dragged, lays out, finds commands and shortcuts, renames, and asks before leaving unsaved', async () => {
    const { page, url } = await product.freshPage();
    await page.goto(url);
    await page.getByRole('button', { name: 'Open Support triage' }).click();
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Prompt node Draft reply/).waitFor();
    await fitWholeFlow(page);
    const edges = () => canvas.locator('.react-flow__edge').count();
    const edgesBefore = await edges();

    // A wire from Draft reply back into Classify ticket would make a cycle: refused as it is dragged.
    const from = (await canvas.locator('.react-flow__handle[data-nodeid="draft_reply"][data-handleid="out"]').boundingBox())!;
    const to = (await canvas.locator('.react-flow__handle[data-nodeid="classify"][data-handleid="in"]').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
    await canvas.getByRole('status').filter({ hasText: /Cannot connect: .*cycle/ }).waitFor();
    await page.mouse.up();
    await expect.poll(() => canvas.getByRole('status').count()).toBe(0);
    expect(await edges()).toBe(edgesBefore);
    await page.getByText('Saved', { exact: true }).waitFor();

    // Auto-layout moves nodes as one undo step.
    const node = canvas.getByLabel(/Prompt node Classify ticket/);
    const at = async () => (await node.boundingBox())!;
    const before = await at();
    await page.getByRole('button', { name: 'Auto-layout' }).click();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await expect.poll(async () => Math.round((await at()).y)).not.toBe(Math.round(before.y));
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByText('Saved', { exact: true }).waitFor();

    // "?" lists the shortcuts; Escape closes the list.
    await canvas.click({ position: { x: 20, y: 20 } });
    await page.keyboard.press('?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Auto-layout the flow').waitFor();
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'hidden' });

    // Ctrl+K: add a node by name from the command palette.
    const count = () => canvas.locator('.react-flow__node').count();
    const nodesBefore = await count();
    await page.keyboard.press('Control+k');
    const palette = page.getByRole('dialog', { name: 'Command palette' });
    await palette.getByLabel('Command').fill('add approval');
    await palette.getByRole('option', { name: /Add Approval node/ }).waitFor();
    await page.keyboard.press('Enter');
    await palette.waitFor({ state: 'hidden' });
    await expect.poll(count).toBe(nodesBefore + 1);

    // Rename the flow in place.
    await page.getByRole('button', { name: 'Rename flow' }).click();
    await page.getByLabel('Flow name').fill('Support triage (edited)');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Support triage (edited)' }).waitFor();

    // Leaving with unsaved changes asks; "Keep editing" stays, the browser's back asks too, "Discard" leaves.
    await page.getByRole('button', { name: 'Back to flows' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave with unsaved changes?' });
    await leave.getByRole('button', { name: 'Keep editing' }).click();
    await leave.waitFor({ state: 'hidden' });
    expect(await count()).toBe(nodesBefore + 1);
    await page.goBack();
    await leave.waitFor();
    expect(page.url()).toContain('#/flows/support-triage');
    await leave.getByRole('button', { name: 'Discard changes' }).click();
    await page.getByRole('heading', { name: 'Flows' }).waitFor();
    // Nothing was saved: the flow keeps its name.
    await page.getByRole('button', { name: 'Open Support triage' }).waitFor();
  }, 90_000);
});
