import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-editor';
const triage = JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as {
  samples: Array<{ name: string; input: unknown; mocks?: unknown }>;
};
const sample = (name: string) => {
  const found = triage.samples.find((s) => s.name === name);
  if (!found) throw new Error(`support-triage has no sample "${name}"`);
  return { input: found.input, mocks: found.mocks };
};

async function startRun(url: string, body: unknown): Promise<string> {
  const res = await fetch(`${url}/api/flows/support-triage/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBeLessThan(300);
  return ((await res.json()) as { id: string }).id;
}

async function settled(url: string, id: string, statuses: string[]): Promise<void> {
  await expect
    .poll(async () => ((await (await fetch(`${url}/api/runs/${id}`)).json()) as { status: string }).status, { timeout: 20_000 })
    .toSatisfy((s: string) => statuses.includes(s));
}

/** Both themes of the page on show: the system's light, then dark (the app follows the system). */
async function shoot(page: Page, name: string): Promise<void> {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/${name}-light.png` });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForTimeout(300);
  await page.screenshot({ path: `${SHOTS}/${name}-dark.png` });
  await page.emulateMedia({ colorScheme: 'light' });
}

/** The Runs page and a run's own page, in Chromium against a real runner (test provider, no keys). */
describe('the Runs page and a run page', () => {
  const product = useProduct();

  it('lists runs live, filters them in the URL, opens a run with its canvas and timeline, re-runs and cancels', async () => {
    const { page, url } = product;
    const done = await startRun(url, sample('routine-billing'));
    await settled(url, done, ['succeeded']);

    await page.goto(`${url}/#/runs`);
    const table = page.getByRole('table', { name: 'Runs' });
    const row = (id: string) => table.locator(`tr[data-run-id="${id}"]`);
    await row(done).getByText('Succeeded').waitFor();
    expect(await row(done).getByRole('link', { name: 'Support triage', exact: true }).count()).toBe(1);
    expect(await row(done).locator('time').getAttribute('title')).toBeTruthy();

    // Filters live in the address: a reload keeps them.
    await page.getByLabel('Flow', { exact: true }).selectOption('support-triage');
    await expect.poll(() => page.url()).toContain('flow=support-triage');
    await page.getByRole('button', { name: 'Status waiting' }).click();
    await expect.poll(() => page.url()).toContain('status=waiting');
    await page.getByText('No runs match these filters').waitFor();
    await page.reload();
    await page.getByText('No runs match these filters').waitFor();
    expect(await page.getByLabel('Flow', { exact: true }).inputValue()).toBe('support-triage');
    expect(await page.getByRole('button', { name: 'Status waiting' }).getAttribute('aria-pressed')).toBe('true');
    await shoot(page, 'runs-empty-filter');

    // A run that comes to wait while the page is open appears without a reload.
    const waiting = await startRun(url, sample('refund-over-limit'));
    await row(waiting).getByText('Waiting').waitFor({ timeout: 20_000 });
    expect(await row(done).count()).toBe(0);

    await page.getByRole('button', { name: 'Clear filters' }).first().click();
    await expect.poll(() => page.url()).toMatch(/#\/runs$/);
    await row(done).waitFor();
    expect(await table.locator('tbody tr').count()).toBe(2);
    await shoot(page, 'runs');

    // The run's own page, from its link.
    await row(done).getByRole('link', { name: /^Run .* succeeded$/ }).click();
    await expect.poll(() => page.url()).toContain(`#/runs/${done}`);
    await page.getByRole('status', { name: 'Run status: succeeded' }).waitFor();
    const canvas = page.getByRole('region', { name: 'Path taken' });
    await canvas.locator('.react-flow__node[data-id="classify"]').waitFor();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByRole('button', { name: 'Step classify: succeeded' }).waitFor();
    expect(await timeline.getByRole('button', { name: 'Step investigate: skipped' }).count()).toBe(1);
    expect(await page.getByLabel('Input', { exact: true }).textContent()).toContain('cus_1077');
    expect(await page.getByText(done, { exact: true }).count()).toBe(1);
    await shoot(page, 'run-succeeded');

    // Re-run: the same input, and on to the new run's page.
    await page.getByRole('button', { name: 'Re-run with the same input' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/runs\/[^/]+$/);
    await expect.poll(() => page.url()).not.toContain(done);
    const again = decodeURIComponent(page.url().split('#/runs/')[1]!);
    await page.getByRole('status', { name: /^Run status: / }).waitFor();
    expect(await page.getByLabel('Input', { exact: true }).textContent()).toContain('cus_1077');
    expect(again).not.toBe(done);

    // The waiting run: its approval can be answered here, or the run cancelled.
    await page.goto(`${url}/#/runs/${waiting}`);
    const waits = page.getByRole('region', { name: 'Waiting for a person' });
    await waits.getByRole('group', { name: 'Approval' }).waitFor();
    await shoot(page, 'run-waiting');
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel run' }).click();
    await page.getByRole('status', { name: 'Run status: cancelled' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    expect(await waits.count()).toBe(0);

    // A run that does not exist says so, with the way back.
    await page.goto(`${url}/#/runs/no-such-run`);
    await page.getByText('Run not found').waitFor();
    await page.getByRole('link', { name: 'Back to Runs' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/runs$/);
  }, 120_000);

  it('adds a finished run to a dataset from its page, its output as the expectation', async () => {
    const { page, url } = product;
    const created = await fetch(`${url}/api/datasets`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: 'from-runs', name: 'From runs' }) });
    expect(created.status).toBe(201);
    const id = await startRun(url, sample('routine-billing'));
    await settled(url, id, ['succeeded']);
    await page.goto(`${url}/#/runs/${id}`);
    const card = page.getByRole('region', { name: 'Add to a dataset' });
    await card.getByLabel('Dataset').selectOption('from-runs');
    await card.getByRole('button', { name: 'Add run to dataset' }).click();
    await card.getByRole('status').filter({ hasText: 'Added as row 1 of “from-runs” (version 2).' }).waitFor();
    const version = (await (await fetch(`${url}/api/datasets/from-runs/versions/2`)).json()) as { rows: Array<{ input: unknown; expected?: { route?: string }; source?: string }> };
    expect(version.rows[0]).toMatchObject({ input: sample('routine-billing').input, expected: { route: 'auto_reply' }, source: `run ${id}` });
    await card.getByRole('link', { name: 'Open the dataset' }).waitFor();
  }, 60_000);
});

