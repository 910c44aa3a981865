import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const SHOTS = '/tmp/shots-editor';

/** The API keys page: a key limited to one published endpoint, its secret shown once, then revoked. */
describe('the API keys page', () => {
  const product = useProduct();

  it('creates a key limited to a chosen slug, which calls that endpoint only, and revokes it', async () => {
    const { page, url } = product;
    for (const [flow, slug] of [
      ['support-triage', 'triage-keys'],
      ['content-pipeline', 'content-keys'],
    ]) {
      const published = await fetch(`${url}/api/flows/${flow}/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ slug }) });
      expect(published.status).toBe(201);
    }
    // An older key for every endpoint: listed with a plain warning.
    expect((await fetch(`${url}/api/keys`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'old wide key' }) })).status).toBe(201);

    await page.goto(`${url}/#/keys`);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'API keys' });
    await table.getByRole('row', { name: /old wide key/ }).getByText('All endpoints').waitFor();

    await page.getByRole('button', { name: 'New API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel('Name').fill('helpdesk');
    // Limited by default; nothing chosen yet is refused in words.
    expect(await dialog.getByRole('radio', { name: 'Only the endpoints chosen below' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Create key' }).click();
    await dialog.getByRole('alert').filter({ hasText: 'Choose at least one endpoint' }).waitFor();
    await dialog.getByRole('checkbox', { name: /^triage-keys/ }).check();
    await page.screenshot({ path: `${SHOTS}/keys-create-light.png` });
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const created = page.getByRole('dialog', { name: 'API key created' });
    const secret = await created.getByLabel(/The secret of/).inputValue();
    expect(secret).toMatch(/^trl_/);
    await created.getByText('you will not see it again', { exact: false }).waitFor();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await created.getByRole('button', { name: 'Copy' }).click();
    await created.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await page.screenshot({ path: `${SHOTS}/keys-secret-light.png` });
    await created.getByRole('button', { name: 'Done' }).click();

    const row = table.getByRole('row', { name: /helpdesk/ });
    await row.getByText('triage-keys').waitFor();
    expect(await row.textContent()).toContain(secret.slice(0, 8));
    expect(await row.textContent()).toContain('Never');
    // The secret is not on the page any more.
    expect(await page.content()).not.toContain(secret);

    // The key calls its endpoint, and not the other one.
    const call = (slug: string) => fetch(`${url}/v1/flows/${slug}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${secret}` }, body: JSON.stringify({ customerId: 'cus_1077', message: 'Invoice copy please' }) });
    expect([403, 404]).toContain((await call('content-keys')).status); // refused, naming nothing it may not see
    expect([200, 202]).toContain((await call('triage-keys')).status);
    await page.reload();
    await expect.poll(async () => (await table.getByRole('row', { name: /helpdesk/ }).textContent()) ?? '').not.toContain('Never');
    await page.screenshot({ path: `${SHOTS}/keys-light.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await table.waitFor();
    await page.screenshot({ path: `${SHOTS}/keys-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.reload();

    await table.getByRole('button', { name: 'Revoke helpdesk' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Revoke “helpdesk”?' });
    await confirm.getByText('This cannot be undone', { exact: false }).waitFor();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'detached' });
    await table.getByRole('row', { name: /helpdesk/ }).waitFor({ state: 'detached' });
    const afterRevoke = await call('triage-keys');
    expect(afterRevoke.status).toBe(401);
    await page.getByRole('button', { name: 'Show 1 revoked key' }).click();
    await table.getByRole('row', { name: /helpdesk/ }).getByText('Revoked').waitFor();
  }, 90_000);

  it('shows the API reference at /docs offline, with the published endpoints and nothing in the console', async () => {
    const { page, url } = await product.freshPage();
    const complaints: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (m) => (m.type() === 'warning' || m.type() === 'error') && complaints.push(`${m.type()}: ${m.text()}`));
    page.on('request', (r) => !r.url().startsWith(url) && !r.url().startsWith('data:') && elsewhere.push(r.url()));
    await page.goto(`${url}/docs`);
    // The endpoints the keys test published are listed with the admin API. The reference checks
    // the document before it draws it, so any complaint is in by then.
    await page.getByText('/v1/flows/triage-keys').first().waitFor({ state: 'attached', timeout: 30_000 });
    await page.waitForTimeout(500);
    expect(complaints).toEqual([]);
    expect(elsewhere).toEqual([]);
  }, 60_000);
});

