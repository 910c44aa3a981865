import type { FlowVersion, FlowVersionSummary } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

/** A flow's version history in real Chromium against a real runner: save with a note, compare, restore. */
describe('the History tab in a browser', () => {
  const product = useProduct();

  it('saves a change with a note and a name, lists it, shows what changed node by node, and restores the first version', async () => {
    const { url } = product;
    const page = await product.browser.newPage({ viewport: { width: 1800, height: 1000 } });
    await page.goto(`${url}/#/flows/support-triage`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.getByLabel(/Prompt node Classify ticket/).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });

    // Change one setting of one node: the classifier's temperature.
    const temperature = inspector.getByLabel('Temperature', { exact: true });
    expect(await temperature.inputValue()).toBe('0');
    await temperature.fill('0.4');
    await temperature.blur();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    // Save with a note from the History tab, giving a name (kept for the next saves).
    await page.getByRole('tab', { name: 'History' }).click();
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: 'Save with note…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save with a note' });
    await dialog.getByLabel('Change note').fill('Warmer classification for vague tickets');
    await dialog.getByLabel('Your name').fill('Ana Lima');
    await dialog.getByRole('button', { name: 'Save version' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved as version 2' }).waitFor();
    const stored = (await (await fetch(`${url}/api/flows/support-triage/versions`)).json()) as { items: FlowVersionSummary[] };
    expect(stored.items.find((v) => v.version === 2)).toMatchObject({ author: 'Ana Lima', message: 'Warmer classification for vague tickets' });

    // The History tab lists it, newest first, with who and why; the name is there to change.
    expect(await history.getByLabel('Your name').inputValue()).toBe('Ana Lima');
    const versions = history.getByRole('list', { name: 'Versions' });
    await versions.getByRole('listitem', { name: 'Version 2' }).waitFor();
    const newest = versions.getByRole('listitem').first();
    expect(await newest.getAttribute('aria-label')).toBe('Version 2');
    expect(await newest.textContent()).toContain('by Ana Lima');
    expect(await newest.textContent()).toContain('Warmer classification for vague tickets');
    expect(await newest.textContent()).toContain('current');

    // The diff of 1 → 2 (the default pair) names the node and the changed field with both values.
    const diff = history.getByRole('region', { name: 'Changes from version 1 to version 2' });
    await diff.waitFor();
    expect(await diff.getByText('1 node changed', { exact: true }).count()).toBe(1);
    const node = diff.getByRole('listitem', { name: 'Classify ticket: changed' });
    const field = node.getByRole('listitem', { name: 'Temperature: changed' });
    expect(await field.locator('.history-before').textContent()).toBe('0');
    expect(await field.locator('.history-after').textContent()).toBe('0.4');
    expect(await diff.getByRole('region', { name: 'Wire changes' }).count()).toBe(0);

    // Restore version 1: asked first, then the editor shows the new latest version.
    await versions.getByRole('button', { name: 'Restore version 1' }).click();
    const ask = page.getByRole('dialog', { name: 'Restore version 1?' });
    await ask.getByText('saved as a new version (version 3)').waitFor();
    await ask.getByRole('button', { name: 'Restore version 1' }).click();
    await history.getByRole('status').filter({ hasText: 'Restored version 1 as version 3.' }).waitFor();
    await page.getByText('Saved', { exact: true }).waitFor();
    const three = versions.getByRole('listitem', { name: 'Version 3' });
    await three.waitFor();
    expect(await three.textContent()).toContain('Restored version 1');
    expect(await three.textContent()).toContain('by Ana Lima');

    // Version 3 holds version 1's document, and the canvas shows it.
    const [v1, v3] = await Promise.all(
      [1, 3].map(async (n) => (await (await fetch(`${url}/api/flows/support-triage/versions/${n}`)).json()) as FlowVersion),
    );
    expect(v3!.document).toEqual(v1!.document);
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await canvas.getByLabel(/Prompt node Classify ticket/).click();
    await expect.poll(() => inspector.getByLabel('Temperature', { exact: true }).inputValue()).toBe('0');

    // Comparing 1 with 3 finds nothing.
    await page.getByRole('tab', { name: 'History' }).click();
    await history.getByLabel('From', { exact: true }).selectOption('1');
    await history.getByLabel('To', { exact: true }).selectOption('3');
    await history.getByRole('region', { name: 'Changes from version 1 to version 3' }).getByText('No differences: the two versions are the same.').waitFor();

    // The name is remembered after a reload, and plain Save (Ctrl+S) still saves, without a note.
    await page.reload();
    await canvas.getByLabel(/Prompt node Classify ticket/).click();
    await inspector.getByLabel('Temperature', { exact: true }).fill('0.2');
    await inspector.getByLabel('Temperature', { exact: true }).blur();
    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: 'Saved as version 4' }).waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    const four = versions.getByRole('listitem', { name: 'Version 4' });
    await four.waitFor();
    expect(await four.textContent()).toContain('by Ana Lima');
    expect(await four.textContent()).toContain('No change note.');

    // Restoring over changes not saved yet says they would be lost; cancelling keeps them.
    await page.getByRole('tab', { name: 'Inspector' }).click();
    await inspector.getByLabel('Temperature', { exact: true }).fill('0.9');
    await inspector.getByLabel('Temperature', { exact: true }).blur();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.getByRole('tab', { name: 'History' }).click();
    await versions.getByRole('button', { name: 'Restore version 2' }).click();
    const careful = page.getByRole('dialog', { name: 'Restore version 2?' });
    await careful.getByText(/changes that are not saved yet: restoring discards them/).waitFor();
    expect(await careful.getByRole('button', { name: 'Discard changes and restore version 2' }).count()).toBe(1);
    await careful.getByRole('button', { name: 'Cancel' }).click();
    await careful.waitFor({ state: 'detached' });
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    expect(((await (await fetch(`${url}/api/flows/support-triage`)).json()) as { latestVersion: number }).latestVersion).toBe(4);
    await page.close({ runBeforeUnload: false });
  }, 90_000);
});
