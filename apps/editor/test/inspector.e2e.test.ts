import type { ModelCatalog } from '@trellis/schema';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { fitWholeFlow } from './support/canvas.js';
import { useProduct } from './support/e2e.js';

/** The inspector in real Chromium against a real runner: editing the bundled "Support triage" flow. */
describe('the node inspector in a browser', () => {
  const product = useProduct();
  let page: Page;

  /** Opens the flow in a fresh page and selects a node on the canvas; returns the inspector. */
  async function openNode(label: string | RegExp): Promise<Locator> {
    // Each test has a page of its own: a page with unsaved changes would ask before reloading.
    ({ page } = await product.freshPage({ width: 1800, height: 1000 }));
    await page.goto(`${product.url}/#/flows/support-triage`);
    const canvas = page.getByLabel('Flow canvas');
    // The flow opens readable at its start; Fit view brings its far nodes on screen too.
    await canvas.getByLabel(label).waitFor();
    await fitWholeFlow(page);
    await canvas.getByLabel(label).click();
    const inspector = page.getByRole('region', { name: 'Inspector' });
    await inspector.getByRole('heading', { level: 3 }).waitFor();
    return inspector;
  }

  /** The loaded code editor (not its plain stand-in) of a field. */
  async function codeEditor(inspector: Locator, label: string): Promise<Locator> {
    const editor = inspector.locator(`.cm-content[aria-label="${label}"]`);
    await editor.waitFor();
    return editor;
  }

  it('edits a prompt: unknown template variables warn while typing, and the model picker says what runs will do', async () => {
    const inspector = await openNode('Prompt node Classify ticket');
    expect(await inspector.getByRole('heading', { level: 3 }).textContent()).toBe('Prompt');
    await inspector.getByText('classify', { exact: true }).waitFor();
    expect(await inspector.getByLabel('Name', { exact: true }).inputValue()).toBe('Classify ticket');

    // Type an unknown variable at the end of the prompt: a warning names it, and the edit is committed.
    const prompt = await codeEditor(inspector, 'Prompt');
    expect(await prompt.getAttribute('role')).toBe('textbox');
    await prompt.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' {{ nodes.ghost.output }}');
    const warning = inspector.getByText('{{nodes.ghost.output}}: "ghost" is not a step that runs before this node');
    await warning.waitFor();
    await expect.poll(() => prompt.locator('.cm-tpl-var-unknown').count()).toBe(1);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    // Fix it: the warning goes.
    for (let i = 0; i < ' {{ nodes.ghost.output }}'.length; i++) await page.keyboard.press('Backspace');
    await warning.waitFor({ state: 'detached' });
    expect(await prompt.textContent()).toContain('summary: one sentence in your own words for the colleague who picks the ticket up.');

    // A burst of typing is one undo step, not one per key: one Undo brings the typed variable back,
    // a second one the flow as saved.
    await page.getByRole('button', { name: 'Undo' }).click();
    await warning.waitFor();
    await expect.poll(() => prompt.textContent()).toContain('picks the ticket up. {{ nodes.ghost.output }}');
    await page.getByRole('button', { name: 'Undo' }).click();
    await warning.waitFor({ state: 'detached' });
    await page.getByText('Saved', { exact: true }).waitFor();

    // The picker lists the runner's models, and warns about a provider runs cannot use.
    const model = inspector.getByLabel('Model', { exact: true });
    expect(await model.inputValue()).toBe('openai:gpt-4.1-mini');
    await expect.poll(() => inspector.locator('datalist option[value="anthropic:claude-haiku-4-5"]').count()).toBe(1);
    const catalog = (await (await fetch(`${product.url}/api/models`)).json()) as ModelCatalog;
    const anthropicReady = catalog.providers.find((p) => p.id === 'anthropic')!.configured;
    await model.fill('anthropic:claude-haiku-4-5');
    await model.blur();
    const noKey = inspector.getByText(/No key for anthropic: ANTHROPIC_API_KEY is not set on the runner, so runs answer with the built-in test provider/);
    if (anthropicReady) expect(await noKey.count()).toBe(0);
    else await noKey.waitFor();
    await model.fill('nonesuch:big-model');
    await inspector.getByText(/knows no provider "nonesuch": runs of this node will fail/).waitFor();
    await model.fill('test:echo');
    await inspector.getByText(/knows no provider/).waitFor({ state: 'detached' });
  }, 60_000);

  it('edits condition branches: a broken expression is flagged at once and in the problems list, then fixed', async () => {
    const inspector = await openNode('Condition node Routine?');
    const branch = inspector.getByRole('group', { name: 'Branch 1' });
    const when = branch.getByLabel('When');
    const original = await when.inputValue();
    expect(original).toContain("nodes.classify.output.category in ['billing', 'account']");

    await when.fill("nodes.classify.output.category == 'billing' &&");
    await branch.getByText(/^Expression error:/).waitFor();
    expect(await when.getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Problems').getByRole('button', { name: /Routine\?: branch "routine"/ }).waitFor();

    await when.fill("nodes.classify.output.category == 'billing'");
    await branch.getByText(/^Expression error:/).waitFor({ state: 'detached' });
    await page.getByLabel('Problems').getByRole('button', { name: /Routine\?: branch "routine"/ }).waitFor({ state: 'detached' });

    // Renaming a branch cuts the wire that leaves from it: the inspector says so.
    await branch.getByLabel('Id').fill('billing_only');
    await inspector.getByText(/The wire to "Draft reply" leaves from branch "routine", which no longer exists/).waitFor();

    // A second branch, moved to the top; else stays last.
    await inspector.getByRole('button', { name: 'Add branch' }).click();
    await inspector.getByRole('group', { name: 'Branch 2' }).getByRole('button', { name: 'Move up' }).click();
    expect(await inspector.getByRole('group', { name: 'Branch 1' }).getByLabel('Id').inputValue()).toBe('branch');
    expect(await inspector.getByRole('group', { name: 'Branch 2' }).getByLabel('Id').inputValue()).toBe('billing_only');
    await inspector.getByText('when no branch above matches', { exact: false }).waitFor();
  }, 60_000);

  it('edits the input schema in the Fields table and as JSON, and Undo brings the form back', async () => {
    const inspector = await openNode('Input node Ticket');
    const schema = await codeEditor(inspector, 'Input schema');
    expect(await inspector.getByLabel('Field 1 name').inputValue()).toBe('message');
    expect(await inspector.getByLabel('Field 2 name').inputValue()).toBe('customerId');
    expect(await inspector.getByLabel('Field 1 required').isChecked()).toBe(true);

    // The table: a new required integer field shows up in the JSON.
    await inspector.getByRole('button', { name: 'Add field' }).click();
    await inspector.getByLabel('Field 3 name').fill('priority');
    await inspector.getByLabel('Field 3 type').selectOption('integer');
    await inspector.getByLabel('Field 3 required').check();
    await expect.poll(() => schema.textContent()).toContain('"priority"');
    await expect.poll(() => schema.textContent()).toMatch(/"required": \[\s*"message",\s*"customerId",\s*"priority"\s*\]/);
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    // The JSON: a syntax error is shown and not committed; valid JSON rebuilds the table.
    await schema.click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText('{ "type": "object", "properties": { "ticket": { "type": "string" } ');
    await inspector.getByText(/Not valid JSON:/).waitFor();
    await inspector.getByText('Fix the JSON below to edit the fields.').waitFor();
    await page.keyboard.insertText('} }');
    await inspector.getByText(/Not valid JSON:/).waitFor({ state: 'detached' });
    await expect.poll(() => inspector.getByLabel('Field 1 name').inputValue()).toBe('ticket');
    expect(await inspector.getByLabel('Field 2 name').count()).toBe(0);

    // Undo (clicking it commits the JSON first, as the editor loses focus) brings back the table's schema.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => inspector.getByLabel('Field 1 name').inputValue()).toBe('message');
    expect(await inspector.getByLabel('Field 3 name').inputValue()).toBe('priority');
    await expect.poll(() => schema.textContent()).toContain('"priority"');
  }, 60_000);

  it("lists an agent's tools, disconnects and reconnects one, and says why a step cannot be a tool", async () => {
    const inspector = await openNode('Agent node Investigate');
    const tools = inspector.getByRole('region', { name: 'Tools' });
    await tools.getByText('Look up account (lookup_account)').waitFor();
    await tools.getByText('Check status page (check_status_page)').waitFor();
    const edges = page.getByLabel('Flow canvas').locator('.react-flow__edge');
    const before = await edges.count();

    await tools.getByRole('button', { name: 'Disconnect tool Check status page (check_status_page)' }).click();
    await expect.poll(() => edges.count()).toBe(before - 1);
    const choice = tools.getByLabel('Tool to connect');
    await choice.selectOption({ label: 'Load account' });
    await tools.getByRole('button', { name: 'Connect tool', exact: true }).click();
    await tools.getByRole('alert').filter({ hasText: /Cannot connect Load account: "load_account" runs as a step/ }).waitFor();

    await choice.selectOption({ label: 'Check status page (check_status_page)' });
    await tools.getByRole('button', { name: 'Connect tool', exact: true }).click();
    await tools.getByRole('button', { name: 'Disconnect tool Check status page (check_status_page)' }).waitFor();
    await expect.poll(() => edges.count()).toBe(before);
    expect(await inspector.getByLabel('Max steps').inputValue()).toBe('6');
  }, 60_000);

  it('saves what was just typed when Ctrl+S is pressed inside a field', async () => {
    const inspector = await openNode('Prompt node Draft reply');
    const name = inspector.getByLabel('Name', { exact: true });
    await name.fill('Draft the reply');
    await page.keyboard.press('Control+s'); // at once: no pause for the draft to commit by itself
    await page.getByRole('status').filter({ hasText: /Saved as version \d+/ }).waitFor();
    const stored = (await (await fetch(`${product.url}/api/flows/support-triage`)).json()) as { document: { nodes: { id: string; name?: string }[] } };
    expect(stored.document.nodes.find((n) => n.id === 'draft_reply')?.name).toBe('Draft the reply');
    await page.getByLabel('Flow canvas').getByLabel('Prompt node Draft the reply').waitFor();
  }, 60_000);

  it('shows a tool\'s fields for its kind of tool, and the run policy folded away', async () => {
    const inspector = await openNode('Tool node Check status page');
    await inspector.getByLabel('Method').waitFor();
    await codeEditor(inspector, 'URL');
    expect(await inspector.getByLabel('JSONata expression').count()).toBe(0);

    await inspector.getByLabel('Tool', { exact: true }).selectOption('transform');
    await inspector.getByLabel('JSONata expression').waitFor();
    expect(await inspector.getByLabel('Method').count()).toBe(0);
    // A transform needs an expression: the field says so until one is written.
    await expect.poll(() => inspector.getByLabel('JSONata expression').getAttribute('aria-invalid')).toBe('true');

    await inspector.getByText('Run policy').click();
    const retries = inspector.getByLabel('Retries');
    expect(await retries.getAttribute('placeholder')).toMatch(/\(default\)$/);
    await retries.fill('3');
    await retries.blur();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => retries.inputValue()).toBe('');
    await page.getByRole('button', { name: 'Undo' }).click();
    await inspector.getByLabel('Method').waitFor();
  }, 60_000);
});
