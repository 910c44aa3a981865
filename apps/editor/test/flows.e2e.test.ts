import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Flow, FlowSummary } from '@trellis/schema';
import { useProduct } from './support/e2e.js';

/** The flow list in real Chromium against a real runner: every way a person manages their flows. */
describe('managing flows in the list', () => {
  const product = useProduct();

  const stored = async (id: string) => {
    const res = await fetch(`${product.url}/api/flows/${id}`);
    return res.ok ? ((await res.json()) as FlowSummary & { document: Flow }) : undefined;
  };
  const list = () => product.page.getByRole('list', { name: 'Your flows' });
  const status = () => product.page.getByRole('status').filter({ hasText: /\S/ });

  /** Picks an action from a flow's "More actions" menu. */
  async function menuAction(flow: string, action: 'Rename' | 'Duplicate' | 'Export' | 'Delete', scope = product.page.locator('body')) {
    await scope.getByRole('button', { name: `More actions for ${flow}`, exact: true }).click();
    await product.page.getByRole('menuitem', { name: `${action} ${flow}`, exact: true }).click();
  }

  async function openList() {
    await product.page.goto(product.url);
    await product.page.getByRole('button', { name: 'Open Support triage' }).waitFor();
  }

  it('creates a blank flow that opens on the canvas and runs as it is', async () => {
    const { page } = product;
    await openList();
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.waitFor();
    // Focus moved into the dialog, and Escape closes it.
    expect(await dialog.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await page.getByRole('button', { name: 'New flow' }).click();
    await dialog.getByRole('button', { name: 'Create' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Give the flow a name.' }).waitFor();
    await dialog.getByLabel('Name').fill('Hello world');
    expect(await dialog.getByRole('radio', { name: 'Blank' }).isChecked()).toBe(true);
    await dialog.getByText('hello-world', { exact: true }).waitFor();
    await dialog.getByRole('button', { name: 'Create' }).click();

    await page.getByRole('heading', { name: 'Hello world' }).waitFor();
    const canvas = page.getByLabel('Flow canvas');
    await expect.poll(() => canvas.locator('.react-flow__node').count()).toBe(2);
    expect(await canvas.locator('.react-flow__edge').count()).toBe(1);
    expect(page.url()).toContain('#/flows/hello-world');
    const saved = await stored('hello-world');
    expect(saved?.document.nodes.map((n) => n.type)).toEqual(['input', 'output']);
    const check = (await (await fetch(`${product.url}/api/validate`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(saved!.document) })).json()) as { ok: boolean };
    expect(check.ok).toBe(true);
    const run = (await (await fetch(`${product.url}/api/flows/hello-world/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input: { message: 'hi' } }) })).json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${product.url}/api/runs/${run.id}`)).json()) as { status: string }).status).toBe('succeeded');

    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByRole('button', { name: 'Open Hello world' }).waitFor();
  }, 60_000);

  it('creates a flow from the Support triage example under a free id', async () => {
    const { page } = product;
    await openList();
    await page.getByRole('button', { name: 'New flow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New flow' });
    await dialog.getByRole('radio', { name: 'Support triage' }).check();
    // Picking an example names the flow after it; its id is taken, so the new one gets -2.
    expect(await dialog.getByLabel('Name').inputValue()).toBe('Support triage');
    await dialog.getByText('support-triage-2', { exact: true }).waitFor();
    await dialog.getByLabel('Name').fill('Triage for the EU desk');
    await dialog.getByRole('button', { name: 'Create' }).click();

    await page.getByRole('heading', { name: 'Triage for the EU desk' }).waitFor();
    await page.getByLabel('Flow canvas').getByLabel(/Prompt node Classify ticket/).waitFor();
    const copy = await stored('triage-for-the-eu-desk');
    const original = await stored('support-triage');
    expect(copy?.document.nodes).toEqual(original?.document.nodes);
    await page.getByRole('button', { name: 'Back to flows' }).click();
    await page.getByRole('button', { name: 'Open Triage for the EU desk' }).waitFor();
  }, 60_000);

  it('renames, duplicates, exports and deletes a flow, asking before the delete', async () => {
    const { page } = product;
    await openList();

    await menuAction('Research agent', 'Rename');
    const field = page.getByLabel('New name for Research agent');
    expect(await field.evaluate((el) => el === document.activeElement)).toBe(true);
    await field.fill('Market research');
    await field.press('Enter');
    await page.getByRole('button', { name: 'Open Market research' }).waitFor();
    await status().filter({ hasText: 'Renamed “Research agent” to “Market research” (version 2).' }).waitFor();
    expect(await stored('research-agent')).toMatchObject({ name: 'Market research', latestVersion: 2 });

    await menuAction('Market research', 'Duplicate');
    await page.getByRole('button', { name: 'Open Market research (copy)' }).waitFor();
    await status().filter({ hasText: 'Duplicated “Market research” as “Market research (copy)” (id market-research-copy).' }).waitFor();
    expect((await stored('market-research-copy'))?.document.nodes).toEqual((await stored('research-agent'))?.document.nodes);

    const [download] = await Promise.all([page.waitForEvent('download'), menuAction('Market research', 'Export')]);
    expect(download.suggestedFilename()).toBe('research-agent.flow.json');
    const text = readFileSync(await download.path(), 'utf8');
    expect(JSON.parse(text)).toEqual((await stored('research-agent'))!.document);
    expect(text).toContain('\n  "name": "Market research",\n');
    await status().filter({ hasText: 'Exported version 2 of “Market research” as research-agent.flow.json.' }).waitFor();

    // Delete asks first, naming the flow; Cancel keeps it.
    const row = list().getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Open Market research (copy)' }) });
    await menuAction('Market research (copy)', 'Delete', row);
    const confirm = page.getByRole('dialog', { name: 'Delete Market research (copy)?' });
    await confirm.getByText('Delete “Market research (copy)”?').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await stored('market-research-copy')).toBeDefined();

    await menuAction('Market research (copy)', 'Delete', row);
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await status().filter({ hasText: 'Deleted “Market research (copy)”.' }).waitFor();
    await page.getByRole('button', { name: 'Open Market research (copy)' }).waitFor({ state: 'detached' });
    expect(await stored('market-research-copy')).toBeUndefined();
  }, 60_000);

  it('shows the runner\'s error beside the flow it concerns', async () => {
    const { page, url } = product;
    const doc = { ...(await stored('support-triage'))!.document, id: 'short-lived', name: 'Short lived' };
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(doc) })).status).toBe(201);
    await openList();
    await page.getByRole('button', { name: 'Open Short lived' }).waitFor();
    // Someone else deletes the flow; this list still shows it.
    expect((await fetch(`${url}/api/flows/short-lived`, { method: 'DELETE' })).status).toBe(204);
    await menuAction('Short lived', 'Duplicate');
    const row = list().getByRole('listitem').filter({ has: page.getByRole('button', { name: 'Open Short lived' }) });
    await row.getByRole('alert').filter({ hasText: 'Could not duplicate “Short lived”: there is no flow "short-lived"' }).waitFor();
  }, 60_000);

  it('imports a valid flow file under a fresh id, and lists what is wrong with an invalid one', async () => {
    const { page } = product;
    await openList();
    const triage = (await stored('support-triage'))!.document;
    const picker = page.getByLabel('Import flow file');

    await picker.setInputFiles({ name: 'triage.flow.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ ...triage, name: 'Imported triage' })) });
    await status().filter({ hasText: /Imported “Imported triage” from triage\.flow\.json under the new id “support-triage-2”, because a flow with id “support-triage” already exists\. It has no problems\./ }).waitFor();
    await page.getByRole('button', { name: 'Open Imported triage' }).waitFor();
    expect((await stored('support-triage-2'))?.document.nodes).toEqual(triage.nodes);

    // A draft with graph problems is still imported, with its problems counted.
    const draft = { schema: 'trellis.flow/v1', id: 'half-drawn', name: 'Half drawn', nodes: [{ id: 'out', type: 'output', position: { x: 0, y: 0 }, config: {} }], edges: [] };
    await picker.setInputFiles({ name: 'half-drawn.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(draft)) });
    await status().filter({ hasText: /Imported “Half drawn” .* with id “half-drawn”\. It has 1 problem to look at on the canvas\./ }).waitFor();

    await picker.setInputFiles({ name: 'notes.json', mimeType: 'application/json', buffer: Buffer.from('{ "schema": "trellis.flow/v1", "id": ') });
    const failure = page.getByRole('alert').filter({ hasText: 'Could not import “notes.json”: it is not valid JSON.' });
    await failure.waitFor();

    const broken = { ...triage, id: 'no good', name: '' };
    await picker.setInputFiles({ name: 'broken.flow.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    const problems = page.getByRole('alert').filter({ hasText: 'Could not import “broken.flow.json”: it is not a valid Trellis flow (2 problems).' });
    await problems.getByRole('listitem').filter({ hasText: /^id: must start with a letter/ }).waitFor();
    await problems.getByRole('listitem').filter({ hasText: /^name: must not be empty/ }).waitFor();
    expect(await stored('no good')).toBeUndefined();
  }, 60_000);

  it('searches, filters by tag and sorts the list, and says when nothing matches', async () => {
    const { page, url } = product;
    const triage = (await stored('support-triage'))!.document;
    const make = async (id: string, name: string, description: string, tags: string[]) =>
      expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...triage, id, name, description, tags }) })).status).toBe(201);
    await make('billing-desk', 'Billing desk', 'Answers invoice questions for the finance team.', ['support', 'billing']);
    await make('zebra-intake', 'Zebra intake', 'Sorts incoming partner requests.', ['support']);
    await openList();
    const names = () => list().getByRole('button', { name: /^Open / }).allTextContents();

    // Search: any of name, id and description, every word.
    const search = page.getByRole('searchbox', { name: 'Search flows' });
    await search.fill('finance');
    await expect.poll(names).toEqual(['Billing desk']);
    await search.fill('zebra-intake');
    await expect.poll(names).toEqual(['Zebra intake']);
    await search.fill('no such flow anywhere');
    await page.getByText('No flow matches').waitFor();
    await page.getByRole('button', { name: 'Clear search and tags' }).click();
    expect(await search.inputValue()).toBe('');

    // Tags: chips with counts; two chosen means both.
    const tags = page.getByRole('group', { name: 'Filter by tag' });
    await tags.getByRole('button', { name: 'support, 2 flows' }).click();
    await expect.poll(names).toEqual(['Zebra intake', 'Billing desk']);
    await tags.getByRole('button', { name: 'billing, 1 flow' }).click();
    await expect.poll(names).toEqual(['Billing desk']);
    expect(await tags.getByRole('button', { name: 'billing, 1 flow' }).getAttribute('aria-pressed')).toBe('true');
    await tags.getByRole('button', { name: 'Clear tags' }).click();
    // A flow's own tag chip filters too.
    await list().getByRole('list', { name: 'Tags of Billing desk' }).getByRole('button', { name: 'Show flows tagged billing' }).click();
    await expect.poll(names).toEqual(['Billing desk']);
    await tags.getByRole('button', { name: 'Clear tags' }).click();

    // Sort: most recently updated first by default, or by name.
    const all = await names();
    expect(all.slice(0, 2)).toEqual(['Zebra intake', 'Billing desk']);
    await page.getByRole('combobox', { name: 'Sort flows by' }).selectOption('name');
    await expect.poll(names).toEqual([...all].sort((a, b) => a.localeCompare(b)));

    await page.screenshot({ path: '/tmp/shots-editor/flows-light.png', fullPage: true });
    await page.getByRole('button', { name: 'More actions for Billing desk' }).click();
    await page.screenshot({ path: '/tmp/shots-editor/flows-menu-light.png' });
    await page.keyboard.press('Escape');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('button', { name: 'Open Billing desk' }).waitFor();
    await page.screenshot({ path: '/tmp/shots-editor/flows-dark.png', fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  }, 60_000);
});
