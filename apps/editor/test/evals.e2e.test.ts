import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Flow, FlowDetail } from '@trellis/schema';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const example = JSON.parse(readFileSync(fileURLToPath(new URL('../../../examples/support-triage.flow.json', import.meta.url)), 'utf8')) as Flow & {
  samples: Array<{ name: string; input: unknown; mocks?: unknown }>;
};
const sample = (name: string) => example.samples.find((s) => s.name === name)!;

/** Rows with the samples' mock scripts (so each takes its real route offline), and the route each should take. */
const EXPECTED: Record<string, Record<string, string>> = {
  'routine-billing': { route: 'auto_reply', category: 'billing' },
  'card-number-redacted': { route: 'auto_reply' },
  'secret-in-message': { route: 'secret_refused' },
  'unusual-technical': { route: 'investigated', category: 'technical' },
};
const JSONL = Array.from({ length: 4 }, () => Object.entries(EXPECTED).map(([name, expected]) => JSON.stringify({ input: sample(name).input, expected, mocks: sample(name).mocks ?? {} })))
  .flat()
  .join('\n');

const shot = (page: Page, name: string) => page.screenshot({ path: `/tmp/evals-${name}.png` });

/** Datasets and experiments in real Chromium against a real runner: import, run, drill down, change the flow, compare. */
describe('datasets and experiments in a browser', () => {
  const product = useProduct();

  it('creates a dataset, imports rows (and sees a bad file refused by row and field), runs two experiments and finds the regressed rows', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    await page.goto(`${url}/#/datasets`);

    // The nav has the new sections; the empty list says what to do.
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByRole('link', { name: 'Datasets' }).and(page.locator('[aria-current="page"]')).waitFor();
    await nav.getByRole('link', { name: 'Experiments' }).waitFor();
    await page.getByText('No datasets yet').waitFor();

    // A new dataset: the id is made from the name.
    await page.getByRole('button', { name: 'New dataset' }).click();
    const create = page.getByRole('dialog', { name: 'New dataset' });
    await create.getByLabel('Name', { exact: true }).fill('Triage tickets');
    expect(await create.getByLabel('Id', { exact: true }).inputValue()).toBe('triage-tickets');
    await create.getByRole('button', { name: 'Create dataset' }).click();
    await expect.poll(() => page.url()).toContain('#/datasets/triage-tickets');
    await page.getByRole('heading', { name: 'Triage tickets' }).waitFor();
    await page.getByText('No rows yet').waitFor();

    // A CSV picked as a file, checked against the flow; its "route" column goes to the expected value.
    await page.getByRole('button', { name: 'Import CSV/JSONL' }).click();
    let importing = page.getByRole('dialog', { name: 'Import rows' });
    await importing.getByLabel('Check the inputs against a flow').selectOption('support-triage');
    const csv = `message,customerId,route\n"Could you send me a copy of our May invoice, please?",cus_1077,auto_reply\n"Our webhooks stopped arriving an hour ago",cus_1001,investigated\n`;
    await importing.getByLabel('File', { exact: true }).setInputFiles({ name: 'tickets.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const routeColumn = importing.getByLabel('Where the column route goes');
    await routeColumn.waitFor();
    expect(await importing.getByLabel('Where the column message goes').inputValue()).toBe('input.message');
    await routeColumn.selectOption('expected.route');
    await shot(page, 'import-csv');
    await importing.getByRole('button', { name: 'Import rows' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 2 rows as version 2' }).waitFor();
    const rows = page.getByRole('table', { name: 'Rows of version 2' });
    await rows.getByText('message: Could you send me a copy of our May invoice').waitFor();
    expect(await rows.getByRole('row').count()).toBe(3);

    // A bad file: a row without a customer id is refused, naming the row and the field; nothing is imported.
    await page.getByRole('button', { name: 'Import CSV/JSONL' }).click();
    importing = page.getByRole('dialog', { name: 'Import rows' });
    await importing.getByLabel('Check the inputs against a flow').selectOption('support-triage');
    await importing.getByLabel('Or paste the rows').fill('message,customerId\n"Where is my invoice?",cus_1\n"Hello?",\n');
    await importing.getByRole('button', { name: 'Import rows' }).click();
    const problems = importing.getByRole('list', { name: 'Problems in the file' });
    await problems.waitFor();
    expect(await problems.textContent()).toMatch(/Row 2, input\.customerId/);
    expect(await importing.getByRole('alert').textContent()).toContain('Nothing was imported');
    await shot(page, 'import-problems');

    // JSONL rows with the samples' mock scripts replace them all.
    await importing.getByLabel('Or paste the rows').fill(JSONL);
    await importing.getByLabel('JSONL').check();
    await importing.getByLabel('Replace every row').check();
    await importing.getByRole('button', { name: 'Import rows' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 16 rows as version 3' }).waitFor();
    await page.getByRole('table', { name: 'Rows of version 3' }).waitFor();
    // The version picker offers every version, newest first, with its message.
    const versions = await page.getByLabel('Version', { exact: true }).locator('option').allTextContents();
    expect(versions[0]).toMatch(/^v3 · 16 rows · imported 16 rows from JSONL/);
    expect(versions[1]).toMatch(/^v2 · 2 rows · imported tickets\.csv/);
    await shot(page, 'dataset');

    // An experiment from the dataset page: exact on the route, JSON match on the whole expectation.
    const baseline = await startExperiment(page, 'Baseline');
    await shot(page, 'experiment-running');
    await page.getByRole('region', { name: 'Summary' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('progressbar', { name: 'Rows done' }).count()).toBe(0);
    const results = page.getByRole('table', { name: 'Results' });
    await expect.poll(() => results.locator('tbody > tr').count()).toBe(16);
    const summary = page.getByRole('region', { name: 'Summary' });
    expect(await summary.textContent()).toContain('exact');
    expect(await summary.textContent()).toContain('100% passed');
    await page.getByRole('figure', { name: /^Score per row/ }).locator('canvas').first().waitFor();

    // A row in full: input, expected, output, each verdict, and the trace's steps.
    await results.getByRole('button', { name: 'Row 1: show its details' }).click();
    const detail = page.getByRole('region', { name: 'Row 1 in full' });
    await detail.getByRole('list', { name: 'Scores of row 1' }).waitFor();
    await detail.getByRole('list', { name: 'Steps' }).waitFor();
    expect(await detail.getByLabel('Output', { exact: true }).textContent()).toContain('auto_reply');
    await shot(page, 'experiment');
    await detail.getByRole('list', { name: 'Steps' }).scrollIntoViewIfNeeded();
    await shot(page, 'row-detail');

    // The flow changes: routine tickets are no longer routed to a drafted reply.
    const flow = (await (await fetch(`${url}/api/flows/support-triage`)).json()) as FlowDetail;
    const doc = structuredClone(flow.document);
    const route = doc.nodes.find((n) => n.id === 'route') as unknown as { config: { branches: Array<{ when: string }> } };
    route.config.branches[0]!.when = 'false';
    const saved = await fetch(`${url}/api/flows/support-triage`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) });
    expect(saved.status).toBe(200);

    const candidate = await startExperiment(page, 'Routing off');
    expect(candidate).not.toBe(baseline);
    await page.getByRole('region', { name: 'Summary' }).waitFor({ timeout: 30_000 });

    // Compare with the baseline (offered first), see the regressed rows highlighted, then only them.
    await page.getByLabel('Compare with').selectOption(baseline);
    await page.getByRole('button', { name: 'Compare', exact: true }).click();
    await expect.poll(() => page.url()).toContain(`#/experiments/compare?base=${baseline}&candidate=${candidate}`);
    const compared = page.getByRole('table', { name: 'Rows compared' });
    await compared.waitFor();
    const regressed = compared.locator('tr[data-change="regressed"]');
    expect(await regressed.count()).toBe(8);
    expect(await regressed.first().evaluate((row) => getComputedStyle(row).backgroundColor)).not.toBe('rgba(0, 0, 0, 0)');
    const scoreChange = page.getByRole('table', { name: 'Summary side by side' }).getByRole('row', { name: /exact: mean score/ });
    expect(await scoreChange.textContent()).toContain('-0.50');
    expect(await scoreChange.locator('.evals-delta-worse').count()).toBe(1);
    await shot(page, 'compare');
    await page.getByRole('button', { name: /^Regressed only/ }).click();
    await expect.poll(() => compared.locator('tbody > tr').count()).toBe(8);
    expect(await compared.locator('tr[data-change="same"]').count()).toBe(0);

    // The experiments list has both, completed, with their main scores.
    await nav.getByRole('link', { name: 'Experiments' }).click();
    const list = page.getByRole('table', { name: 'Experiments' });
    await list.getByRole('link', { name: 'Baseline' }).waitFor();
    await list.getByRole('link', { name: 'Routing off' }).waitFor();
    await shot(page, 'experiments');
  }, 90_000);

  it('follows a running experiment’s progress until it ends, and cancels one', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    const names = Object.keys(EXPECTED);
    // Each model reply takes 40 ms: one row at a time, 40 rows take a few seconds, as a live experiment would.
    const delayed = (reply: unknown) => ({ ...(reply as object), delayMs: 40 });
    const slow = (mocks: unknown) => Object.fromEntries(Object.entries((mocks ?? {}) as Record<string, unknown>).map(([id, reply]) => [id, Array.isArray(reply) ? reply.map(delayed) : delayed(reply)]));
    const rows = Array.from({ length: 40 }, (_, i) => {
      const name = names[i % names.length]!;
      return { input: sample(name).input, expected: EXPECTED[name], mocks: slow(sample(name).mocks) };
    });
    const made = await fetch(`${url}/api/datasets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 'many-tickets', name: 'Many tickets', rows }) });
    expect(made.status).toBe(201);

    const start = async (name: string) => {
      await page.goto(`${url}/#/experiments?dataset=many-tickets&new=1`);
      const dialog = page.getByRole('dialog', { name: 'New experiment' });
      await dialog.getByLabel('Flow', { exact: true }).selectOption('support-triage');
      await expect.poll(() => dialog.getByLabel('Dataset', { exact: true }).inputValue()).toBe('many-tickets');
      await dialog.getByLabel('Output path').fill('route');
      await dialog.getByLabel(/^Name/).fill(name);
      await dialog.getByLabel('Rows at once').fill('1');
      await dialog.getByRole('button', { name: 'Start experiment' }).click();
      await expect.poll(() => page.url()).toMatch(/#\/experiments\/[^/?]+$/);
      await page.getByRole('heading', { name: new RegExp(`^${name}`) }).waitFor();
      return decodeURIComponent(page.url().split('#/experiments/')[1]!);
    };

    // The bar moves as the runner finishes rows, then gives way to the summary.
    await start('Slow and steady');
    const bar = page.getByRole('progressbar', { name: 'Rows done' });
    const seen: number[] = [];
    while (seen.length < 100) {
      const now = await bar.getAttribute('aria-valuenow', { timeout: 1000 }).catch(() => null);
      if (now === null) break;
      if (seen.at(-1) !== Number(now)) seen.push(Number(now));
      if (seen.length === 2) await shot(page, 'progress');
      await page.waitForTimeout(100);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    await page.getByRole('region', { name: 'Summary' }).waitFor();
    expect(await page.getByRole('region', { name: 'Summary' }).textContent()).toContain('40/40');

    // Cancel stops it on the runner: the rows so far stay, no other starts.
    const stopped = await start('Stopped early');
    await bar.waitFor();
    await page.getByRole('button', { name: 'Cancel experiment' }).click();
    await page.getByRole('heading', { name: /^Stopped early/ }).getByText('Cancelled').waitFor();
    expect(await bar.count()).toBe(0);
    const ended = (await (await fetch(`${url}/api/experiments/${stopped}`)).json()) as { status: string; rowsDone: number; rowsTotal: number };
    expect(ended.status).toBe('cancelled');
    expect(ended.rowsDone).toBeLessThan(ended.rowsTotal);
  }, 60_000);

  it('runs a flow with another version of a library prompt it uses, chosen in the new experiment form', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    const post = (path: string, body: unknown, method = 'POST') => fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/prompts', { name: 'greet', template: 'Say hello to {{ input.name }}' })).status).toBe(201);
    expect((await post('/api/prompts/greet', { template: 'Say a warm welcome to {{ input.name }}', tags: [] }, 'PUT')).status).toBe(200);
    const flow = {
      schema: 'trellis.flow/v1',
      id: 'greeter',
      name: 'Greeter',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'hello', type: 'prompt', position: { x: 200, y: 0 }, config: { model: 'test:echo', prompt: { ref: 'greet@1' } } },
        { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: '{{ nodes.hello.output }}' } },
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'hello' },
        { id: 'e2', source: 'hello', target: 'out' },
      ],
    };
    expect((await post('/api/flows', flow)).status).toBe(201);
    expect((await post('/api/datasets', { id: 'names', name: 'Names', rows: [{ input: { name: 'Ada' } }] })).status).toBe(201);

    await page.goto(`${url}/#/experiments?dataset=names&new=1`);
    const dialog = page.getByRole('dialog', { name: 'New experiment' });
    await dialog.getByLabel('Flow', { exact: true }).selectOption('greeter');
    const prompts = dialog.getByRole('group', { name: 'Library prompts' });
    const greet = prompts.getByLabel('greet');
    await expect.poll(() => greet.locator('option').allTextContents()).toEqual(['As the flow pins it (greet@1)', 'v2', 'v1']);
    await greet.selectOption('2');
    await dialog.getByRole('button', { name: 'JSON', exact: true }).click();
    await dialog.getByLabel('Scorers as JSON').fill('[{"type":"cel","expression":"output.contains(\'warm welcome\')"}]');
    await dialog.getByRole('button', { name: 'Start experiment' }).click();
    await expect.poll(() => page.url()).toMatch(/#\/experiments\/[^/?]+$/);
    const id = decodeURIComponent(page.url().split('#/experiments/')[1]!);
    await expect.poll(async () => ((await (await fetch(`${url}/api/experiments/${id}`)).json()) as { status: string }).status).toBe('completed');
    const experiment = (await (await fetch(`${url}/api/experiments/${id}`)).json()) as { prompts?: Record<string, number>; summary: { scorers: { mean: number }[] } };
    expect(experiment.prompts).toEqual({ greet: 2 });
    // The test model echoes its prompt: the row ran version 2's text.
    expect(experiment.summary.scorers[0]!.mean).toBe(1);
  }, 60_000);
});

/** Starts an experiment on the dataset from its page; answers the new experiment's id once its page shows it running or done. */
async function startExperiment(page: Page, name: string): Promise<string> {
  await page.goto(page.url().replace(/#.*$/, '#/datasets/triage-tickets'));
  await page.getByRole('button', { name: 'New experiment' }).click();
  const dialog = page.getByRole('dialog', { name: 'New experiment' });
  await dialog.getByLabel('Flow', { exact: true }).selectOption('support-triage');
  await expect.poll(() => dialog.getByLabel('Dataset', { exact: true }).inputValue()).toBe('triage-tickets');
  const first = dialog.getByRole('listitem', { name: 'Scorer 1' });
  await first.getByLabel('Output path').fill('route');
  await first.getByLabel('Expected path').fill('route');
  await dialog.getByRole('button', { name: 'Add scorer' }).click();
  await dialog.getByRole('listitem', { name: 'Scorer 2' }).getByLabel('Type').selectOption('json_match');
  await dialog.getByLabel(/^Name/).fill(name);
  await dialog.getByLabel('Rows at once').fill('1');
  if (name === 'Baseline') await page.screenshot({ path: '/tmp/evals-new-experiment.png' });
  await dialog.getByRole('button', { name: 'Start experiment' }).click();
  await expect.poll(() => page.url()).toMatch(/#\/experiments\/[^/?]+$/);
  await page.getByRole('heading', { name: new RegExp(`^${name}`) }).waitFor();
  // While it runs, the progress bar says how far it got.
  const bar = page.getByRole('progressbar', { name: 'Rows done' });
  if (await bar.isVisible()) {
    const now = Number(await bar.getAttribute('aria-valuenow'));
    expect(now).toBeGreaterThanOrEqual(0);
    expect(now).toBeLessThanOrEqual(100);
  }
  return decodeURIComponent(page.url().replace(/^.*#\/experiments\//, ''));
}
