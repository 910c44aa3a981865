import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

/** "Test this step" in real Chromium against a real runner, on the bundled "Support triage" flow. */
describe('testing one step in a browser', () => {
  const product = useProduct();
  let page: Page;

  /** Opens the flow in a fresh page, selects a node, and returns its "Test this step" section. */
  async function testSection(label: string): Promise<Locator> {
    ({ page } = await product.freshPage({ width: 1800, height: 1000 }));
    await page.goto(`${product.url}/#/flows/support-triage`);
    await page.getByLabel('Flow canvas').getByLabel(label).click();
    const section = page.getByRole('region', { name: 'Test this step' });
    await section.waitFor();
    return section;
  }

  async function runsCount(): Promise<number> {
    const page = (await (await fetch(`${product.url}/api/runs`)).json()) as { items: unknown[] };
    return page.items.length;
  }

  it('runs a prompt step with the sample input and hand-filled upstream outputs, shows its output in place, and stores no run', async () => {
    const before = await runsCount();
    const section = await testSection('Prompt node Classify ticket');
    // Filled in from the flow's first sample: its input, its mock replies, and a blank for each upstream output the prompt reads.
    await section.getByText("Filled in from the flow's first sample input", { exact: false }).waitFor();
    const scope = section.locator('.cm-content[aria-label="Step scope"]');
    await scope.waitFor();
    await expect.poll(() => scope.textContent()).toContain('cus_1077');
    expect(await scope.textContent()).toContain('"screen_ticket": null');

    // Left blank, the runner names what is missing.
    await section.getByRole('button', { name: 'Run this step' }).click();
    await section.getByRole('alert').getByText(/reads the output of "load_account", "screen_ticket"/).waitFor({ timeout: 30_000 });

    const filled = {
      input: { customerId: 'cus_1077', message: 'Could you send me a copy of our May invoice?' },
      nodes: { screen_ticket: { value: 'Could you send me a copy of our May invoice?' }, load_account: { plan: 'team', openBalanceUsd: 0 } },
    };
    await scope.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(JSON.stringify(filled, null, 2));
    await section.getByRole('button', { name: 'Run this step' }).click();
    const result = section.getByRole('status', { name: 'Step test result' });
    await result.getByText('Succeeded').waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toMatch(/Succeeded in \d/);
    await result.getByText(/built-in test provider/).waitFor();
    expect(await result.getByLabel('Step output').textContent()).toContain('"category": "billing"');
    expect(await runsCount()).toBe(before);
  }, 90_000);

  it('runs a condition with a hand-edited upstream output and says which branch it took', async () => {
    const section = await testSection('Condition node Routine?');
    // The condition reads classify's output, which no run has given yet: it is there to fill in.
    const scope = section.locator('.cm-content[aria-label="Step scope"]');
    await scope.waitFor();
    await expect.poll(() => scope.textContent()).toContain('"classify": null');

    // Without the value the runner names what is missing.
    await section.getByRole('button', { name: 'Run this step' }).click();
    await section.getByRole('alert').getByText(/reads the output of "classify"/).waitFor({ timeout: 30_000 });

    const edited = { input: { customerId: 'cus_1', message: 'Invoice copy please' }, nodes: { classify: { category: 'billing', urgency: 'low', needsHuman: false } } };
    await scope.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText(JSON.stringify(edited, null, 2));
    await section.getByRole('button', { name: 'Run this step' }).click();
    const result = section.getByRole('status', { name: 'Step test result' });
    await result.getByText(/Took "Routine billing \/ account"/).waitFor({ timeout: 30_000 });
    expect(await result.textContent()).toContain('Goes on through: routine');
  }, 90_000);
});
