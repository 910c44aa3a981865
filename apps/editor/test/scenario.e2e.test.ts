import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { callCurl, requestOf } from './support/curl.js';
import { canvasOpened } from './support/canvas.js';
import { useProduct } from './support/e2e.js';

/** Drags a wire from one node's handle to another's, as a person does with the mouse. */
async function wire(page: Page, canvas: Locator, from: [node: string, handle: string], to: [node: string, handle: string]) {
  const handle = (node: string, id: string) => canvas.locator(`.react-flow__handle[data-nodeid="${node}"][data-handleid="${id}"]`);
  const a = (await handle(...from).boundingBox())!;
  const b = (await handle(...to).boundingBox())!;
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 10 });
  await page.mouse.up();
}

/**
 * The whole journey of the issue, in one go: a new flow built on the canvas by dragging, wired,
 * saved, test-run on the test provider with an approval on the way, found again after a reload,
 * published, and called with the curl command the editor shows.
 */
describe('from a blank canvas to a called endpoint', () => {
  const product = useProduct();

  it('builds, saves, test-runs, approves, finds the run after a reload, publishes and calls the endpoint', async () => {
    const { page, url } = product;
    await page.goto(url);

    // A blank flow: an input wired to an output.
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByLabel('Name').fill('Reply desk');
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Reply desk' }).waitFor();
    const canvas = page.getByLabel('Flow canvas');
    await canvasOpened(page); // dropped before the opening view is set, nodes could be carried away by it

    // Drag a prompt and an approval from the palette onto the canvas.
    const box = (await canvas.boundingBox())!;
    // One above the other: the cards are wide, and side by side they would cover each other's handles.
    await page.getByRole('button', { name: 'Add Prompt' }).dragTo(canvas, { targetPosition: { x: box.width * 0.3, y: box.height * 0.55 } });
    await canvas.getByLabel(/Prompt node prompt/).waitFor();
    await page.getByRole('button', { name: 'Add Approval' }).dragTo(canvas, { targetPosition: { x: box.width * 0.3, y: box.height * 0.8 } });
    await canvas.getByLabel(/Approval node approval/).waitFor();

    // Wire input → prompt → approval → output; the flow then has no problems.
    await wire(page, canvas, ['input', 'out'], ['prompt', 'in']);
    await wire(page, canvas, ['prompt', 'out'], ['approval', 'in']);
    await wire(page, canvas, ['approval', 'approved'], ['output', 'in']);
    await page.screenshot({ path: '/tmp/shots-editor/scenario-wired.png' });
    await expect.poll(() => canvas.locator('.react-flow__edge').count()).toBe(4);
    await page.getByRole('heading', { name: 'No problems' }).waitFor();

    // The approval shows the prompt's answer; edited in the inspector.
    await canvas.getByLabel(/Approval node approval/).click();
    const inspector = page.getByRole('tabpanel', { name: 'Inspector' });
    await inspector.getByText('Approval', { exact: false }).first().waitFor();

    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();

    // Test-run: the run waits for the approval; approve it and the run succeeds on the test provider.
    await page.getByRole('tab', { name: 'Test run' }).click();
    const run = page.getByRole('region', { name: 'Test run' });
    await run.getByRole('radio', { name: 'JSON' }).check();
    await run.getByLabel('Run input (JSON)').fill('{ "message": "Where is my parcel?" }');
    await run.getByRole('button', { name: 'Start run' }).click();
    const approval = run.getByRole('group', { name: 'Approval' });
    await approval.waitFor();
    await approval.getByLabel('Comment').fill('fine to send');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await run.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await run.getByText(/test provider answered for: .*prompt/).waitFor();
    await canvas.getByLabel(/Prompt node prompt \(succeeded\)/).waitFor({ state: 'attached' });
    const output = await run.getByLabel('Run output').textContent();
    expect(output).toContain('Where is my parcel?');

    // After a reload the run is in the flow's history and opens again.
    await page.reload();
    await page.getByRole('heading', { name: 'Reply desk' }).waitFor();
    await page.getByRole('tab', { name: 'Test run' }).click();
    const history = page.getByRole('region', { name: 'Past runs' });
    const past = history.getByRole('button', { name: /^Open run .*succeeded/ });
    await expect.poll(() => past.count()).toBe(1);
    await past.click();
    await run.getByRole('button', { name: /^Step approval: succeeded/ }).waitFor();
    await canvas.getByLabel(/Approval node approval \(succeeded\)/).waitFor({ state: 'attached' });

    // Publish, create a key, and call the endpoint exactly as the shown curl command does.
    await page.getByRole('tab', { name: 'Publish' }).click();
    const publish = page.getByRole('tabpanel', { name: 'Publish' });
    await publish.getByRole('button', { name: 'Publish', exact: true }).click();
    await publish.getByRole('status').filter({ hasText: 'Published version 2 at /v1/flows/reply-desk' }).waitFor();
    await publish.getByLabel('Key name').fill('scenario key');
    await publish.getByRole('button', { name: 'Create API key' }).click();
    const secret = await publish.getByLabel('New API key').inputValue();
    const curl = publish.getByLabel('curl command');
    await expect.poll(() => curl.inputValue()).toContain(secret);
    const request = requestOf(await curl.inputValue());
    expect(request.url).toBe(`${url}/v1/flows/reply-desk`);
    request.body = JSON.stringify({ message: 'Can I change my address?' });

    // The flow waits for a person, so the endpoint answers 202 with where to follow the run.
    const answered = await callCurl(request);
    expect(answered.status).toBe(202);
    expect(answered.json).toMatchObject({ status: 'waiting' });
    expect(await callCurl(request, ['Authorization'])).toMatchObject({ status: 401 });

    // That run waits in the editor's history too, and approving it there finishes it.
    await page.getByRole('tab', { name: 'Test run' }).click();
    const waiting = history.getByRole('button', { name: /^Open run .*waiting/ });
    await expect.poll(() => waiting.count(), { timeout: 10_000 }).toBe(1);
    await waiting.click();
    await approval.getByRole('button', { name: 'Approve' }).click();
    await run.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    expect(await run.getByLabel('Run output').textContent()).toContain('Can I change my address?');
  }, 120_000);
});
