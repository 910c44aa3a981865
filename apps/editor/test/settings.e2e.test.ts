import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const SHOTS = '/tmp/shots-editor';
const SECRET = 'crm-s3cr3t-value-7f3a91';

// The HTTP tool calls a server on loopback, which the runner allows only when told to.
process.env.TRELLIS_ALLOW_PRIVATE_NETWORK = '1';

/** A loopback "CRM" that records each request's headers and echoes the Authorization it got. */
const seen: IncomingHttpHeaders[] = [];
const crm = createServer((req, res) => {
  seen.push(req.headers);
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ account: '42', plan: 'pro', echoedAuth: req.headers.authorization ?? null }));
});
let crmUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => crm.listen(0, '127.0.0.1', resolve));
  crmUrl = `http://127.0.0.1:${(crm.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => crm.close(() => resolve()));
});

const crmFlow = () => ({
  schema: 'trellis.flow/v1',
  id: 'crm-call',
  name: 'CRM call',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
    { id: 'call', type: 'tool', name: 'Load account', position: { x: 260, y: 0 }, config: { tool: 'http', http: { method: 'GET', url: `${crmUrl}/accounts/42`, auth: { secret: 'crm-token' } } } },
    { id: 'out', type: 'output', position: { x: 520, y: 0 }, config: { value: '{{nodes.call.output}}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', sourceHandle: 'out', target: 'call', targetHandle: 'in' },
    { id: 'e2', source: 'call', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
  ],
});

/** Settings: the theme, model providers and credentials, the last used by a flow's HTTP tool. */
describe('the settings page', () => {
  const product = useProduct();

  it('stores a credential that an HTTP tool sends by name, without the secret in the trace or on the page', async () => {
    const { page, url } = product;
    await page.goto(`${url}/#/settings`);
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    const credentials = page.getByRole('region', { name: 'Credentials' });
    await credentials.getByText('No credentials stored yet').waitFor();
    // How a flow refers to one is said on the page.
    await credentials.getByText('"auth": { "secret": "crm-token" }').waitFor();

    const form = credentials.getByRole('form', { name: 'Add a credential' });
    await form.getByLabel('Name').fill('crm token');
    await form.getByText('A name starts with a letter or _', { exact: false }).waitFor();
    await form.getByLabel('Name').fill('crm-token');
    await form.getByLabel('Value').fill(SECRET);
    expect(await form.getByLabel('Value').getAttribute('type')).toBe('password');
    await form.getByRole('button', { name: 'Add credential' }).click();
    const row = credentials.getByRole('table', { name: 'Credentials' }).getByRole('row', { name: /crm-token/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('Never');
    expect(await form.getByLabel('Value').inputValue()).toBe('');

    // A flow whose HTTP tool names the credential: the CRM receives the secret.
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(crmFlow()) })).status).toBe(201);
    const started = await fetch(`${url}/api/flows/crm-call/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input: {} }) });
    expect(started.status).toBe(201);
    const { id } = (await started.json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${url}/api/runs/${id}`)).json()) as { status: string }).status, { timeout: 20_000 }).toBe('succeeded');
    expect(seen.at(-1)?.authorization).toBe(`Bearer ${SECRET}`);

    // Nowhere in the trace, the run, or the page.
    const events = await (await fetch(`${url}/api/runs/${id}/events`, { headers: { Accept: 'application/json' } })).text();
    expect(events).toContain('"account":"42"');
    expect(events).not.toContain(SECRET);
    expect(await (await fetch(`${url}/api/runs/${id}`)).text()).not.toContain(SECRET);
    expect(await (await fetch(`${url}/api/credentials`)).text()).not.toContain(SECRET);
    await page.reload();
    await expect.poll(async () => (await row.textContent()) ?? '').not.toContain('Never');
    expect(await page.content()).not.toContain(SECRET);
    await page.goto(`${url}/#/runs/${id}`);
    await page.waitForTimeout(1500);
    expect(await page.content()).not.toContain(SECRET);

    // Replacing asks for the new value only; deleting asks first.
    await page.goto(`${url}/#/settings`);
    await row.getByRole('button', { name: 'Replace the value of crm-token' }).click();
    const replace = page.getByRole('dialog', { name: 'Replace “crm-token”' });
    expect(await replace.getByLabel('New value').inputValue()).toBe('');
    await replace.getByLabel('New value').fill('another-value');
    await replace.getByRole('button', { name: 'Replace value' }).click();
    await replace.waitFor({ state: 'detached' });
    // The page scrolls inside the app's frame: a tall window shows it whole.
    await page.setViewportSize({ width: 1400, height: 1500 });
    await page.screenshot({ path: `${SHOTS}/settings-light.png` });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await row.waitFor();
    await page.screenshot({ path: `${SHOTS}/settings-dark.png` });
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();
    await row.getByRole('button', { name: 'Delete crm-token' }).click();
    await page.getByRole('alertdialog', { name: 'Delete “crm-token”?' }).getByRole('button', { name: 'Delete credential' }).click();
    await credentials.getByText('No credentials stored yet').waitFor();
  }, 90_000);

  it('tests a provider connection and shows the result, and stores a provider key without showing it back', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    await page.goto(`${url}/#/settings`);
    const providers = page.getByRole('list', { name: 'Model providers' });
    const openai = providers.getByRole('listitem', { name: 'openai' });
    await openai.waitFor();
    const configured = Boolean(process.env.OPENAI_API_KEY);
    if (!configured) await openai.getByText('Not configured').waitFor();
    await openai.getByRole('button', { name: 'Test connection to openai' }).click();
    const result = openai.getByRole('status');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.textContent()).toMatch(/^(Connected|Failed): .+ \(\d+ ms\)$/);
    if (!configured) expect(await result.textContent()).toContain('no key');
    await page.screenshot({ path: `${SHOTS}/settings-provider-test-light.png` });

    if (configured) return; // the environment's key wins: a stored one would not show
    const form = page.getByRole('form', { name: 'Store a provider key' });
    await form.getByLabel('Provider').selectOption('anthropic');
    await form.getByLabel('API key').fill('sk-ant-test-never-shown');
    await form.getByRole('button', { name: 'Save key' }).click();
    const anthropic = providers.getByRole('listitem', { name: 'anthropic' });
    await anthropic.getByText('Key stored in Settings', { exact: false }).waitFor();
    await anthropic.getByText('Configured', { exact: true }).waitFor();
    await page.getByRole('table', { name: 'Credentials' }).getByRole('row', { name: /anthropic-api-key/ }).getByText('Model key (anthropic)').waitFor();
    expect(await page.content()).not.toContain('sk-ant-test-never-shown');
  }, 60_000);

  it('switches to the dark theme, which survives a reload', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    await page.goto(`${url}/#/settings`);
    const appearance = page.getByRole('region', { name: 'Appearance' });
    expect(await appearance.getByRole('radio', { name: /^System/ }).isChecked()).toBe(true);
    // A person clicks the choice's card (the radio inside it is drawn by the card).
    await appearance.getByText('Dark', { exact: true }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.reload();
    await appearance.waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    expect(await appearance.getByRole('radio', { name: /^Dark/ }).isChecked()).toBe(true);
    // And the keyboard moves between the choices as in any radio group.
    await appearance.getByRole('radio', { name: /^Dark/ }).focus();
    await page.keyboard.press('ArrowLeft');
    expect(await appearance.getByRole('radio', { name: /^Light/ }).isChecked()).toBe(true);
    await expect.poll(() => page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(false);
  }, 60_000);
});
