import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

/** The Test run panel in real Chromium against a real runner (test provider, no model keys). */
describe('test-running a flow from the editor', () => {
  const product = useProduct();

  it('runs the input typed in the generated form, shows the timeline, saves a sample and re-opens the run after a reload', async () => {
    const { page, url } = product;
    await page.goto(`${url}/#/flows/support-triage`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    const canvas = page.getByLabel('Flow canvas');

    // The form comes from the input node's schema; the routine-billing sample brings its mock script.
    await panel.getByLabel('Sample', { exact: true }).selectOption('routine-billing');
    expect(await panel.getByRole('radio', { name: 'Form' }).isChecked()).toBe(true);
    expect(await panel.getByLabel('Mock script (JSON)').inputValue()).toContain('"classify"');
    const message = panel.getByLabel('message', { exact: true });
    const customer = panel.getByLabel('customerId', { exact: true });
    expect(await message.evaluate((el) => el.tagName)).toBe('TEXTAREA');
    await message.fill('Hi, where can I download my May invoice? Thanks, Priya');
    await customer.fill('');

    // A required field left empty is named before anything runs.
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('alert').filter({ hasText: 'Fix the input first: customerId: is required' }).waitFor();
    expect(await customer.getAttribute('aria-invalid')).toBe('true');
    await customer.fill('cus_1077');

    // JSON and the form edit the same value.
    await panel.getByRole('radio', { name: 'JSON' }).check();
    const json = JSON.parse(await panel.getByLabel('Run input (JSON)').inputValue()) as Record<string, unknown>;
    expect(json).toEqual({ customerId: 'cus_1077', message: 'Hi, where can I download my May invoice? Thanks, Priya' });
    await panel.getByRole('radio', { name: 'Form' }).check();
    expect(await customer.inputValue()).toBe('cus_1077');

    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText(/test provider answered for: Classify ticket \(classify/).waitFor();
    const classify = panel.getByRole('button', { name: 'Step classify: succeeded' });
    expect(await classify.textContent()).toMatch(/^Classify ticket.*succeeded.*\d+(\.\d)? m?s/);
    await panel.getByText(/^Took "Routine billing \/ account": /).waitFor();
    expect(await panel.getByRole('button', { name: /^Step (draft_reply|send_reply): succeeded$/ }).count()).toBe(2);
    expect(await panel.getByRole('button', { name: 'Step investigate: skipped' }).count()).toBe(1);
    expect(await panel.getByLabel('Run output').textContent()).toContain('"customerId": "cus_1077"');

    // A step selects its node on the canvas.
    await classify.click();
    await canvas.locator('.react-flow__node.selected[data-id="classify"]').waitFor();

    const pastRuns = panel.getByRole('region', { name: 'Past runs' });
    await expect.poll(() => pastRuns.getByRole('button', { name: /^Open run / }).count()).toBe(1);
    expect(await pastRuns.getByRole('button', { name: /^Open run / }).textContent()).toMatch(/succeeded.*v1/);

    // Save the input and mock script as a sample: an edit of the flow, saved like any other.
    await panel.getByRole('button', { name: 'Save as sample' }).click();
    await panel.getByLabel('Sample name').fill('priya-invoice');
    await panel.getByRole('button', { name: 'Add sample' }).click();
    await page.getByText('Unsaved changes').waitFor();
    expect(await panel.getByLabel('Sample', { exact: true }).inputValue()).toBe('priya-invoice');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();

    await page.reload();
    await page.getByRole('tab', { name: 'Test run' }).click();
    const sample = panel.getByLabel('Sample', { exact: true });
    await sample.locator('option', { hasText: 'priya-invoice' }).waitFor({ state: 'attached' });
    await sample.selectOption('priya-invoice');
    expect(await panel.getByLabel('customerId', { exact: true }).inputValue()).toBe('cus_1077');
    expect(await panel.getByLabel('Mock script (JSON)').inputValue()).toContain('draft_reply');

    // The run is listed after the reload, as a run of version 1; opening it shows its steps again.
    const open = pastRuns.getByRole('button', { name: /^Open run / });
    await expect.poll(() => open.count()).toBe(1);
    await pastRuns.getByText('not the version you edit').waitFor();
    await open.click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await panel.getByText('This run used version 1; you are editing version 2').waitFor();
    expect(await panel.getByRole('button', { name: 'Step classify: succeeded' }).textContent()).toMatch(/^Classify ticket/);
    await canvas.getByLabel(/Prompt node Classify ticket \(succeeded\)/).waitFor({ state: 'attached' });
    await canvas.getByLabel(/Agent node Investigate \(skipped\)/).waitFor({ state: 'attached' });
  }, 90_000);

  it('saves a run as a test case, runs the tests, and sees the case fail after a change to the flow', async () => {
    const { page, url } = await product.freshPage({ width: 1600, height: 1000 });
    await page.goto(`${url}/#/flows/support-triage`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('routine-billing');
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();

    // The run becomes a case: its input, mock script and output.
    await panel.getByRole('button', { name: 'Save run as test case' }).click();
    await panel.getByLabel('Case name').fill('priya-routine');
    await panel.getByRole('button', { name: 'Save case' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved case "priya-routine": it expects this output' }).waitFor();

    // The Tests tab runs every case against the canvas as drawn: all pass.
    await page.getByRole('tab', { name: 'Tests' }).click();
    const tests = page.getByRole('region', { name: 'Test cases' });
    await tests.getByRole('button', { name: /^priya-routine/ }).waitFor();
    await tests.getByRole('button', { name: 'Run tests' }).click();
    await tests.getByRole('status').filter({ hasText: /^All \d+ passed/ }).waitFor();
    expect(await tests.getByRole('button', { name: /^priya-routine/ }).textContent()).toMatch(/passed · \d+ ms/);

    // A change to the flow: the auto-reply output step is deleted. Run again: the case fails, saying why.
    await page.getByLabel('Flow canvas').getByLabel(/^Output node Send reply/).click();
    await page.keyboard.press('Delete');
    await page.getByText('Unsaved changes').waitFor();
    await tests.getByRole('button', { name: 'Run tests' }).click();
    await tests.getByRole('status').filter({ hasText: /failed/ }).waitFor();
    const failed = tests.getByRole('region', { name: 'Case priya-routine' });
    await failed.waitFor();
    expect(await failed.getByLabel('failed').count()).toBeGreaterThan(0);
    expect(await failed.textContent()).toMatch(/is not the expected value|no output/);
    await page.screenshot({ path: `${process.env.TRELLIS_SCREENSHOTS ?? '/tmp'}/tests-tab-failed.png` });
  }, 90_000);

  it('shows an approval with its deadline, and cancels the waiting run', async () => {
    const { page, url } = product;
    await page.goto(`${url}/#/flows/support-triage`);
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('refund-over-limit');
    await panel.getByRole('button', { name: 'Start run' }).click();

    const approval = panel.getByRole('group', { name: 'Approval' });
    await approval.waitFor();
    await approval.getByText(/^Step Sign off reply waits for your decision/).waitFor();
    await approval.getByText(/Deadline: .*\(in 2 days\)/).waitFor();
    expect(JSON.parse(await approval.getByLabel('Payload (JSON)').inputValue())).toMatchObject({ customerId: 'cus_1001', refundUsd: 480 });

    await panel.getByRole('button', { name: 'Cancel run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run cancelled' }).waitFor();
    await approval.waitFor({ state: 'detached' });
    expect(await panel.getByRole('button', { name: 'Step approve_reply: cancelled' }).count()).toBe(1);
    expect(await panel.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const pastRuns = panel.getByRole('region', { name: 'Past runs' });
    await expect.poll(() => pastRuns.getByRole('listitem').first().textContent()).toMatch(/^cancelled/);
  }, 60_000);
});
