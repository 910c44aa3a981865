import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

/** A guardrail node in real Chromium against a real runner: its handles, and its rules form. */
describe('the guardrail node in a browser', () => {
  const product = useProduct();

  it('adds a guardrail with pass and fail handles, and edits its rules: add, reorder, a live problem, remove, save', async () => {
    const { page, url } = await product.freshPage({ width: 1800, height: 1000 });
    await page.goto(`${url}/#/flows/content-pipeline`);
    const canvas = page.getByLabel('Flow canvas');
    await canvas.locator('.react-flow__node').first().waitFor();
    await page.getByRole('searchbox', { name: 'Search node kinds' }).fill('guardrail');
    await page.getByRole('button', { name: 'Add Guardrail' }).click();
    const node = canvas.getByLabel('Guardrail node guardrail');
    await node.waitFor();
    expect(await node.locator('.react-flow__handle.source').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-handleid')))).toEqual(['pass', 'fail']);

    await node.click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await inspector.getByRole('group', { name: /^Rule 1: personal data/ }).waitFor();
    await inspector.getByRole('group', { name: 'Rule 2: secrets and API keys' }).waitFor();

    // Add a terms rule and move it to the top.
    await inspector.getByLabel('New rule').selectOption('terms');
    await inspector.getByRole('button', { name: 'Add rule' }).click();
    const terms = inspector.getByRole('group', { name: 'Rule 3: blocked terms (1)' });
    await terms.waitFor();
    await terms.getByLabel('Terms, one a line').fill('chargeback\nlawsuit');
    await inspector.getByRole('group', { name: 'Rule 3: blocked terms (2)' }).waitFor();
    await inspector.getByRole('button', { name: 'Move rule 3 up' }).click();
    await inspector.getByRole('button', { name: 'Move rule 2 up' }).click();
    await inspector.getByRole('group', { name: 'Rule 1: blocked terms (2)' }).waitFor();

    // A regex rule with a lookbehind is flagged at once.
    await inspector.getByLabel('New rule').selectOption('regex');
    await inspector.getByRole('button', { name: 'Add rule' }).click();
    const regex = inspector.getByRole('group', { name: /^Rule 4: pattern/ });
    await regex.getByLabel('Pattern (RE2)').fill('(?<=\\$)\\d+');
    await regex.getByText(/lookarounds and backreferences are not supported/).waitFor();
    await regex.getByLabel('Pattern (RE2)').fill('ORD-\\d+');
    await regex.getByLabel('Mode').selectOption('redact');
    await regex.getByLabel('Replacement').fill('[ORDER]');
    await regex.getByText(/lookarounds/).waitFor({ state: 'detached' });

    // Remove the secrets rule (now third), and save.
    await inspector.getByRole('button', { name: 'Remove rule 3' }).click();
    await page.getByText('Unsaved changes', { exact: true }).waitFor();
    await page.keyboard.press('Control+s');
    await page.getByRole('status').filter({ hasText: /Saved as version/ }).waitFor();
    const stored = (await (await fetch(`${url}/api/flows/content-pipeline`)).json()) as { document: { nodes: Array<{ id: string; config: { rules: Array<{ type: string }> } }> } };
    const guard = stored.document.nodes.find((n) => n.id === 'guardrail')!;
    expect(guard.config.rules).toEqual([
      { type: 'terms', terms: ['chargeback', 'lawsuit'], action: 'block', wholeWords: true },
      { type: 'pii', entities: ['email', 'phone', 'card', 'iban', 'ip', 'national_id'], action: 'redact', country: 'US' },
      { type: 'regex', pattern: 'ORD-\\d+', mode: 'redact', caseInsensitive: true, replacement: '[ORDER]' },
    ]);
  }, 90_000);
});
