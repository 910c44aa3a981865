import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const fixture = JSON.parse(readFileSync(new URL('../../../packages/nodes/src/kinds/human-input/fixture.flow.json', import.meta.url), 'utf8')) as { id: string };

/** A question in the Test run panel, in real Chromium against a real runner: its form comes from the question's JSON Schema. */
describe('answering a question from the editor', () => {
  const product = useProduct();

  it('draws the kind (handles, inspector), shows the question with a labelled form from its schema, names what is wrong under each field, and goes on with the answer', async () => {
    const { page, url } = product;
    const saved = await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(fixture) });
    expect(saved.status).toBe(201);

    await page.goto(`${url}/#/flows/${fixture.id}`);
    // The canvas draws the kind's handles: the answer, and the timeout it routes to.
    const ask = page.getByLabel('Flow canvas').locator('.react-flow__node[data-id="ask"]');
    await ask.waitFor();
    expect(await ask.locator('.react-flow__handle[data-handleid="answered"]').count()).toBe(1);
    expect(await ask.locator('.react-flow__handle[data-handleid="timeout"]').count()).toBe(1);

    // The inspector draws the kind's config: the question, its answer form as fields, the timeout rule.
    await ask.click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    expect(await inspector.getByRole('heading', { level: 3 }).textContent()).toBe('Human input');
    await inspector.locator('.cm-content[aria-label="Question"]').waitFor();
    await inspector.locator('.cm-content[aria-label="Answer form"]').waitFor();
    expect(await inspector.getByLabel('Field 1 name').inputValue()).toBe('quantity');
    expect(await inspector.getByLabel('On timeout', { exact: true }).inputValue()).toBe('route');

    await page.getByRole('tab', { name: 'Test run' }).click();
    const panel = page.getByRole('region', { name: 'Test run' });
    await panel.getByLabel('item', { exact: true }).fill('widgets');
    await panel.getByRole('button', { name: 'Start run' }).click();

    const question = panel.getByRole('form', { name: 'Question' });
    await question.waitFor();
    await question.getByText(/^Step .* asks:/).waitFor();
    await question.getByText('How many widgets should we reorder?').waitFor();
    await question.getByText(/Deadline: .*\(in 24 h\)/).waitFor();
    const quantity = question.getByLabel('Quantity', { exact: true });
    const note = question.getByLabel('Note', { exact: true });
    expect(await quantity.getAttribute('type')).toBe('number');

    // Nothing sent yet: the required field is named under itself.
    await question.getByRole('button', { name: 'Send answer' }).click();
    await question.getByText('Quantity: is required').waitFor();
    expect(await quantity.getAttribute('aria-invalid')).toBe('true');
    await quantity.fill('0');
    await question.getByRole('button', { name: 'Send answer' }).click();
    await question.getByText('Quantity: must be at least 1').waitFor();

    await quantity.fill('12');
    await note.fill('before Friday');
    await question.getByRole('button', { name: 'Send answer' }).click();
    await panel.getByRole('status').filter({ hasText: 'Run succeeded' }).waitFor();
    await question.waitFor({ state: 'detached' });
    await panel.getByText('Answered by editor: {"quantity":12,"note":"before Friday"}').waitFor();
    expect(await panel.getByLabel('Run output').textContent()).toContain('"quantity": 12');
  });
});
