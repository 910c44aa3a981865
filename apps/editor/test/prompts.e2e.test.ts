import { readFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Flow, Prompt, PromptLibraryFile, PromptVersionSummary } from '@trellis/schema';
import { useProduct } from './support/e2e.js';

const V1 = ['Classify the support ticket below.', 'Ticket: {{ input.message }}', 'Answer with one word.'];
const V2 = ['Classify the support ticket below.', 'Ticket: {{ input.message }}', 'Answer with one category: billing, bug or other.'];
const V3 = [...V2, 'Customer tier: {{ customer.tier }}, so weigh urgency.'];

/** The prompt library in real Chromium against a real runner: a prompt's whole life, from creation to deletion. */
describe('the prompt library', () => {
  const product = useProduct();

  const api = async <T = unknown>(path: string, init?: { method: string; body?: unknown }): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${product.url}${path}`, {
      method: init?.method ?? 'GET',
      ...(init?.body === undefined ? {} : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(init.body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const status = () => product.page.getByRole('status').filter({ hasText: /\S/ });
  const list = () => product.page.getByRole('list', { name: 'Prompts' });

  // The runner starts with the bundled example prompts; this story starts from an empty library.
  beforeAll(async () => {
    const { body } = await api<{ items: Prompt[] }>('/api/prompts?limit=200');
    for (const prompt of body.items) expect((await api(`/api/prompts/${prompt.name}?force=true`, { method: 'DELETE' })).status).toBe(204);
  });

  /** The loaded code editor (not its plain stand-in) of the template, emptied and typed into line by line. */
  async function typeTemplate(scope: Locator, lines: string[]) {
    const editor = scope.locator('.cm-content[aria-label="Template"]');
    await editor.waitFor();
    await editor.click();
    await product.page.keyboard.press('Control+A');
    await product.page.keyboard.press('Delete');
    for (const [i, line] of lines.entries()) {
      if (i > 0) await product.page.keyboard.press('Enter');
      await product.page.keyboard.type(line);
    }
    await expect.poll(() => editor.evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent))).toEqual(lines);
  }

  it('creates a prompt with tags, its name checked while typed, and finds it by text and by tag', async () => {
    const { page, url } = product;
    // Another prompt, so that search and the tag filter have something to leave out.
    expect((await api('/api/prompts', { method: 'POST', body: { name: 'reply-drafter', template: 'Draft a friendly reply to {{ input.message }}', tags: ['drafting'] } })).status).toBe(201);

    await page.goto(url);
    const nav = page.getByRole('navigation', { name: 'Sections' });
    expect(await nav.getByRole('link', { name: 'Flows' }).getAttribute('aria-current')).toBe('page');
    await nav.getByRole('link', { name: 'Prompts' }).click();
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
    expect(page.url()).toContain('#/prompts');
    await list().getByRole('link', { name: 'reply-drafter' }).waitFor();

    await page.getByRole('button', { name: 'New prompt' }).click();
    const dialog = page.getByRole('dialog', { name: 'New prompt' });
    await dialog.getByLabel('Name').fill('Triage Classifier');
    await dialog.getByRole('alert').filter({ hasText: "A prompt's name uses lowercase letters" }).waitFor();
    await dialog.getByLabel('Name').fill('reply-drafter');
    await dialog.getByRole('alert').filter({ hasText: 'A prompt named “reply-drafter” exists already.' }).waitFor();
    await dialog.getByLabel('Name').fill('triage-classifier');
    await dialog.getByRole('alert').waitFor({ state: 'detached' });
    await dialog.getByLabel('Description').fill('Sorts support tickets into categories');
    for (const tag of ['classification', 'Safety']) {
      await dialog.getByLabel('Add a tag').fill(tag);
      await dialog.getByLabel('Add a tag').press('Enter');
    }
    expect(await dialog.getByRole('list', { name: 'Tags' }).getByRole('listitem').allTextContents()).toEqual(['classification×', 'safety×']);
    await typeTemplate(dialog, V1);
    expect(await dialog.getByRole('list', { name: 'Variables' }).getByRole('listitem').allTextContents()).toEqual(['input.message']);
    await dialog.getByRole('button', { name: 'Create prompt' }).click();

    // The new prompt opens on its own page.
    await page.getByRole('heading', { name: 'triage-classifier', level: 1 }).waitFor();
    expect(page.url()).toContain('#/prompts/triage-classifier');
    const stored = await api<Prompt>('/api/prompts/triage-classifier');
    expect(stored.body).toMatchObject({ latestVersion: 1, tags: ['classification', 'safety'], description: 'Sorts support tickets into categories', template: V1.join('\n') });

    // Full-text search: the match is marked in the snippet, the other prompt is left out.
    await page.getByRole('button', { name: 'Back to prompts' }).click();
    await page.getByLabel('Search prompts').fill('word');
    await page.getByText('1 prompt found for “word”.').waitFor();
    expect(await list().getByRole('link').allTextContents()).toEqual(['triage-classifier']);
    expect(await list().locator('mark').first().textContent()).toMatch(/word/i);

    // By tag: the tags in use are offered; each filter keeps only its prompts.
    await page.getByLabel('Search prompts').fill('');
    await page.getByLabel('Filter by tag').selectOption('drafting');
    await page.getByText('1 prompt found tagged drafting.').waitFor();
    expect(await list().getByRole('link').allTextContents()).toEqual(['reply-drafter']);
    await page.getByLabel('Filter by tag').selectOption('classification');
    await page.getByText('1 prompt found tagged classification.').waitFor();
    expect(await list().getByRole('link').allTextContents()).toEqual(['triage-classifier']);
    const row = list().getByRole('listitem').filter({ has: page.getByRole('link', { name: 'triage-classifier' }) });
    await row.getByText('Sorts support tickets into categories').waitFor();
    await row.getByRole('link', { name: 'triage-classifier' }).click();
    await page.getByRole('heading', { name: 'triage-classifier', level: 1 }).waitFor();
  }, 90_000);

  it('saves two edits with notes as versions 2 and 3, listing the variables, and asks before leaving an unsaved edit', async () => {
    const { page } = product;
    const edit = page.getByRole('region', { name: 'Edit prompt' });
    await typeTemplate(edit, V2);
    await page.locator('header').getByText('Unsaved changes', { exact: true }).waitFor();

    // Leaving with the edit unsaved asks first; staying keeps the edit.
    await page.getByRole('button', { name: 'Back to prompts' }).click();
    const leave = page.getByRole('dialog', { name: 'Leave with unsaved changes?' });
    await leave.getByRole('button', { name: 'Keep editing' }).click();
    await leave.waitFor({ state: 'detached' });
    expect(page.url()).toContain('#/prompts/triage-classifier');
    // The browser's Back button asks the same, and staying puts the prompt's address back.
    await page.goBack();
    await leave.getByRole('button', { name: 'Keep editing' }).click();
    await leave.waitFor({ state: 'detached' });
    expect(page.url()).toContain('#/prompts/triage-classifier');
    await page.locator('header').getByText('Unsaved changes', { exact: true }).waitFor();

    await edit.getByLabel('Change note (optional)').fill('Name the categories');
    await edit.getByLabel('Your name (optional)').fill('Ada');
    await edit.getByRole('button', { name: 'Save version' }).click();
    await status().filter({ hasText: 'Saved version 2.' }).waitFor();
    await page.locator('header').getByText('Saved', { exact: true }).waitFor();
    expect(await edit.getByLabel('Change note (optional)').inputValue()).toBe('');

    await typeTemplate(edit, V3);
    expect(await edit.getByRole('list', { name: 'Variables' }).getByRole('listitem').allTextContents()).toEqual(['input.message', 'customer.tier']);
    await edit.getByLabel('Change note (optional)').fill("Use the customer's tier");
    await edit.getByRole('button', { name: 'Save version' }).click();
    await status().filter({ hasText: 'Saved version 3.' }).waitFor();

    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('rowheader', { name: '3 (latest)' }).waitFor();
    const versions = await api<{ items: PromptVersionSummary[] }>('/api/prompts/triage-classifier/versions');
    expect(versions.body.items.map((v) => [v.version, v.note, v.author])).toEqual([
      [3, "Use the customer's tier", 'Ada'],
      [2, 'Name the categories', 'Ada'],
      [1, undefined, undefined],
    ]);
    const row2 = history.getByRole('row').filter({ has: page.getByRole('rowheader', { name: '2', exact: true }) });
    await row2.getByRole('cell', { name: 'Name the categories' }).waitFor();
    await row2.getByRole('cell', { name: 'Ada' }).waitFor();
  }, 60_000);

  it('compares versions 1 and 3 side by side, the added and removed lines marked in words as well as colour', async () => {
    const { page } = product;
    const history = page.getByRole('region', { name: 'History' });
    await history.getByLabel('From version').selectOption('1');
    await history.getByLabel('To version').selectOption('3');
    await history.getByRole('button', { name: 'Compare' }).click();
    const diff = page.getByRole('region', { name: 'Changes from version 1 to version 3' });
    await diff.getByText('2 lines added, 1 line removed.').waitFor();
    await diff.getByRole('cell', { name: 'removed: Answer with one word.' }).waitFor();
    await diff.getByRole('cell', { name: 'added: Answer with one category: billing, bug or other.' }).waitFor();
    await diff.getByRole('cell', { name: 'added: Customer tier: {{ customer.tier }}, so weigh urgency.' }).waitFor();
    // Unchanged lines show on both sides, unmarked.
    expect(await diff.getByRole('cell', { name: 'Ticket: {{ input.message }}', exact: true }).count()).toBe(2);
    // The changed line reads across one row: old on the left, new on the right.
    const changed = diff.getByRole('row').filter({ has: page.getByRole('cell', { name: 'removed: Answer with one word.' }) });
    await changed.getByRole('cell', { name: 'added: Answer with one category: billing, bug or other.' }).waitFor();
  }, 30_000);

  it('restores version 1 as version 4, asking first', async () => {
    const { page } = product;
    const history = page.getByRole('region', { name: 'History' });
    await history.getByRole('button', { name: 'Restore version 1' }).click();
    const ask = history.getByRole('group', { name: 'Restore version 1' });
    await ask.getByText('Restore version 1 as version 4?', { exact: false }).waitFor();
    await ask.getByRole('button', { name: 'Yes, restore version 1' }).click();
    await status().filter({ hasText: 'Restored version 1 as version 4.' }).waitFor();
    await history.getByRole('rowheader', { name: '4 (latest)' }).waitFor();
    const editor = page.getByRole('region', { name: 'Edit prompt' }).locator('.cm-content[aria-label="Template"]');
    await expect.poll(() => editor.evaluate((el) => [...el.querySelectorAll('.cm-line')].map((l) => l.textContent))).toEqual(V1);
    const latest = await api<Prompt>('/api/prompts/triage-classifier');
    expect(latest.body).toMatchObject({ latestVersion: 4, template: V1.join('\n') });
  }, 30_000);

  it('tries versions 1 and 4 side by side on the same samples with the test provider', async () => {
    const { page } = product;
    const tryIt = page.getByRole('region', { name: 'Try it' });
    await tryIt.getByRole('button', { name: 'Try it' }).click();
    await tryIt.getByLabel('Version to try').selectOption({ label: 'Version 1' });
    await tryIt.getByLabel('Compare with').selectOption({ label: 'Version 4 (latest)' });
    await tryIt.getByLabel('Model').fill('test:echo');
    await tryIt.getByLabel('Sample 1: input.message').fill('I was charged twice this month');
    await tryIt.getByRole('button', { name: 'Add sample' }).click();
    await tryIt.getByLabel('Sample 2: input.message').fill('The app crashes on start');
    await tryIt.getByLabel('Mock reply for the test provider (JSON, optional)').fill('{"text": "billing"}');
    await tryIt.getByRole('button', { name: 'Run' }).click();

    const results = tryIt.getByRole('region', { name: 'Try it results' });
    await results.getByRole('heading', { name: /Results on test:echo/ }).waitFor();
    await results.getByText('The test provider answered, not a real model', { exact: false }).waitFor();
    const grid = results.getByRole('table');
    expect(await grid.getByRole('columnheader').allTextContents()).toEqual(['Sample', 'Version 1', 'Version 4']);
    expect(await grid.getByRole('rowheader').allTextContents()).toEqual(['Sample 1', 'Sample 2']);
    expect(await grid.locator('.prompts-try-output').allTextContents()).toEqual(['billing', 'billing', 'billing', 'billing']);
    // Each version rendered with its sample's variables, shown on request.
    const first = grid.getByRole('row', { name: /Sample 1/ });
    await first.getByText('Rendered prompt').first().click();
    await first.getByText('Ticket: I was charged twice this month', { exact: false }).first().waitFor();
    const second = grid.getByRole('row', { name: /Sample 2/ });
    await second.getByText('Rendered prompt').nth(1).click();
    await second.getByText('Ticket: The app crashes on start', { exact: false }).nth(1).waitFor();
  }, 60_000);

  it('shows which flows use which version, marking an outdated pin, and links to the flow', async () => {
    const { page, url } = product;
    const triage = await api<{ document: Flow }>('/api/flows/support-triage');
    const doc = structuredClone(triage.body.document);
    doc.id = 'triage-with-library';
    doc.name = 'Triage with the library';
    const classify = doc.nodes.find((n) => n.id === 'classify')!;
    (classify.config as Record<string, unknown>).prompt = { ref: 'triage-classifier@2' };
    expect((await api('/api/flows', { method: 'POST', body: doc })).status).toBe(201);

    // The page reads who uses the prompt when it opens.
    await page.reload();
    expect(page.url()).toBe(`${url}/#/prompts/triage-classifier`);
    const usage = page.getByRole('region', { name: 'Used by' });
    const use = usage.getByRole('listitem').filter({ hasText: 'pins version 2' });
    await use.waitFor();
    await use.getByText('outdated: version 4 is the latest').waitFor();
    expect(await use.getByRole('link', { name: 'Triage with the library' }).getAttribute('href')).toBe('#/flows/triage-with-library');
  }, 30_000);

  it('exports the library and imports the file again: everything unchanged', async () => {
    const { page } = product;
    await page.getByRole('button', { name: 'Back to prompts' }).click();
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export library' }).click()]);
    expect(download.suggestedFilename()).toBe('trellis-prompts.json');
    const text = readFileSync(await download.path(), 'utf8');
    const file = JSON.parse(text) as PromptLibraryFile;
    expect(file.schema).toBe('trellis.prompts/v1');
    expect(file.prompts.find((p) => p.name === 'triage-classifier')?.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    await status().filter({ hasText: 'Exported the library (2 prompts, 5 versions) as trellis-prompts.json.' }).waitFor();

    const picker = page.getByLabel('Import prompt library file');
    await picker.setInputFiles({ name: 'trellis-prompts.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await status().filter({ hasText: /Imported “trellis-prompts\.json”: 0 prompts created, 0 prompts updated, 2 prompts unchanged \((reply-drafter, triage-classifier|triage-classifier, reply-drafter)\)\./ }).waitFor();

    // A file that is not a library is refused in words, before anything is sent.
    await picker.setInputFiles({ name: 'flow.json', mimeType: 'application/json', buffer: Buffer.from('{"schema": "trellis.flow/v1"}') });
    await page.getByRole('alert').filter({ hasText: 'Could not import “flow.json”: it is not a Trellis prompt library' }).waitFor();
  }, 60_000);

  it('deletes prompts, asking first, and says which flows still use one before deleting it anyway', async () => {
    const { page, url } = product;
    await list().getByRole('link', { name: 'reply-drafter' }).click();
    const remove = page.getByRole('region', { name: 'Delete prompt' });
    await remove.getByRole('button', { name: 'Delete prompt' }).click();
    await remove.getByRole('button', { name: 'Cancel' }).click();
    expect((await api(`/api/prompts/reply-drafter`)).status).toBe(200);
    await remove.getByRole('button', { name: 'Delete prompt' }).click();
    await remove.getByRole('button', { name: 'Delete reply-drafter' }).click();
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
    await list().getByRole('link', { name: 'triage-classifier' }).waitFor();
    expect(await list().getByRole('link', { name: 'reply-drafter' }).count()).toBe(0);
    expect((await api(`/api/prompts/reply-drafter`)).status).toBe(404);

    // A prompt a flow uses: the runner refuses, the page names the flow, "Delete anyway" goes ahead.
    await page.goto(`${url}/#/prompts/triage-classifier`);
    await remove.getByRole('button', { name: 'Delete prompt' }).click();
    await remove.getByText('Used by Triage with the library.', { exact: false }).waitFor();
    await remove.getByRole('button', { name: 'Delete triage-classifier' }).click();
    await remove.getByRole('alert').filter({ hasText: 'Flows whose latest version uses it: Triage with the library.' }).waitFor();
    expect((await api(`/api/prompts/triage-classifier`)).status).toBe(200);
    await remove.getByRole('button', { name: 'Delete anyway' }).click();
    await page.getByRole('heading', { name: 'Prompts', level: 1 }).waitFor();
    await page.getByText('No prompts yet: create one, or import a library file.').waitFor();
    expect((await api(`/api/prompts/triage-classifier`)).status).toBe(404);
  }, 60_000);
});
