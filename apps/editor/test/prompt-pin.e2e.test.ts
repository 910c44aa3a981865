import type { FlowVersion, PromptVersion, Run } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const TEMPLATE_V1 = 'Classify this support ticket (library v1).\n\nMessage:\n{{ input.message }}';
const TEMPLATE_V2 = 'Classify this support ticket (library v2), strictly.\n\nMessage:\n{{ input.message }}';

async function send<T>(url: string, method: string, body: unknown): Promise<T> {
  const response = await fetch(url, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

/** A prompt node pinned to a library prompt version, in real Chromium against a real runner. */
describe('pinning a library prompt in a node', () => {
  const product = useProduct();

  it('pins a prompt at v1, is told when v2 exists, and a test run’s trace names the versions it used', async () => {
    const { url } = product;
    const v1 = await send<PromptVersion>(`${url}/api/prompts`, 'POST', { name: 'triage-classifier', template: TEMPLATE_V1, tags: ['classification'], description: 'Sorts support tickets', note: 'First cut' });
    expect(v1.version).toBe(1);

    const page = await product.browser.newPage({ viewport: { width: 1800, height: 1000 } });
    await page.goto(`${url}/#/flows/support-triage`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Prompt node Classify ticket/).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });

    // Switch the node's prompt (not its system text) to the library prompt, pinned at v1.
    await inspector.getByRole('group', { name: 'Prompt source', exact: true }).getByRole('radio', { name: 'Library prompt' }).check();
    const picker = inspector.getByRole('group', { name: 'Prompt from the library', exact: true });
    await picker.getByRole('combobox', { name: 'Prompt: library prompt' }).selectOption('triage-classifier');
    await picker.getByRole('combobox', { name: 'Prompt: version' }).selectOption('1');
    const text = picker.getByLabel('Text of triage-classifier v1');
    await expect.poll(() => text.textContent()).toBe(TEMPLATE_V1);
    await picker.getByText('input.message', { exact: true }).waitFor();
    // The system text stays inline.
    expect(await inspector.getByRole('group', { name: 'System source', exact: true }).getByRole('radio', { name: 'Inline text' }).isChecked()).toBe(true);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    const saved = (await (await fetch(`${url}/api/flows/support-triage/versions/2`)).json()) as FlowVersion;
    expect(saved.document.nodes.find((n) => n.id === 'classify')?.config.prompt).toEqual({ ref: 'triage-classifier@1' });

    // Someone saves v2 of the prompt: the node, shown again, says a newer version exists.
    const v2 = await send<PromptVersion>(`${url}/api/prompts/triage-classifier`, 'PUT', { template: TEMPLATE_V2, tags: ['classification'], description: 'Sorts support tickets', note: 'Stricter' });
    expect(v2.version).toBe(2);
    await canvas.getByLabel(/Condition node Routine\?/).click();
    await canvas.getByLabel(/Prompt node Classify ticket/).click();
    const newer = inspector.getByRole('status').filter({ hasText: 'A newer version exists (v2)' });
    await newer.waitFor();
    expect(await newer.getByRole('button', { name: 'Use v2' }).count()).toBe(1);
    // The pin holds: the text on show is still v1's.
    expect(await inspector.getByLabel('Text of triage-classifier v1').textContent()).toBe(TEMPLATE_V1);

    // A test run (the test provider, the sample's mock script) uses the pinned v1 and says so.
    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('Sample', { exact: true }).selectOption('routine-billing');
    await panel.getByRole('button', { name: 'Start run' }).click();
    const pins = panel.getByRole('list', { name: 'Library prompts used' });
    await pins.waitFor();
    expect(await pins.textContent()).toBe('Classify ticket (prompt.ref): triage-classifier@1 → version 1');
    await panel.getByText(/flow version 2/).waitFor();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();

    // The run records the same pins.
    const runs = (await (await fetch(`${url}/api/runs?flowId=support-triage`)).json()) as { items: Run[] };
    expect(runs.items[0]).toMatchObject({ flowVersion: 2, prompts: [{ ref: 'triage-classifier@1', name: 'triage-classifier', version: 1, nodeId: 'classify', field: 'prompt.ref' }] });

    // "Use v2" moves the pin; switching back to inline text copies the library text in.
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await newer.getByRole('button', { name: 'Use v2' }).click();
    await newer.waitFor({ state: 'detached' });
    await expect.poll(() => inspector.getByLabel('Text of triage-classifier v2').textContent()).toBe(TEMPLATE_V2);
    await inspector.getByRole('group', { name: 'Prompt source', exact: true }).getByRole('radio', { name: 'Inline text' }).check();
    const inline = inspector.locator('.cm-content[aria-label="Prompt"]');
    await expect.poll(() => inline.textContent()).toContain('Classify this support ticket (library v2), strictly.');
    await page.close({ runBeforeUnload: false });
  }, 90_000);
});
