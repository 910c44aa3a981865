import { mkdirSync, readFileSync } from 'node:fs';
import type { Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const SHOTS = process.env.TRELLIS_SHOTS ?? '/tmp/shots-editor';
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../../../packages/nodes/src/kinds/subflow/${name}`, import.meta.url), 'utf8')) as Flow;

const save = (url: string, doc: Flow) => fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) });

/** A sub-flow node picks its flow in the inspector, and its child run's trace opens in place. */
describe('sub-flows in the browser', () => {
  const product = useProduct();

  it("picks the flow a sub-flow node runs, runs it, and shows the child run's own trace nested under the step", async () => {
    const { page, url } = await product.freshPage();
    mkdirSync(SHOTS, { recursive: true });
    expect((await save(url, fixture('fixture.child.flow.json'))).status).toBe(201);
    expect((await save(url, fixture('fixture.flow.json'))).status).toBe(201);
    await page.goto(`${url}/#/flows/fixture-subflow`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Sub-flow node/).first().click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    const chooser = inspector.getByLabel('Flow', { exact: true });
    await expect.poll(() => chooser.inputValue()).toBe('fixture-subflow-child');
    await inspector.getByLabel('Version').selectOption('1');
    await inspector.getByRole('link', { name: 'Open the flow fixture-subflow-child' }).waitFor();

    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByRole('button', { name: 'Start run' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    const open = panel.getByRole('button', { name: /^Show the trace of sub-flow run .+ of "fixture-subflow-child" \(version 1\)$/ });
    await open.click();
    const nested = panel.getByLabel(/^Trace of sub-flow run/);
    await nested.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await nested.getByText(/a sub-flow run, started by step "greeting" of run/).waitFor();
    await nested.getByRole('button', { name: 'Step greet: succeeded' }).waitFor();
    await page.screenshot({ path: `${SHOTS}/subflow-trace.png` });
  }, 120_000);
});
