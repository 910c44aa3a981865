import { describe, expect, it } from 'vitest';
import { callCurl as call, requestOf } from './support/curl.js';
import { useProduct } from './support/e2e.js';

/** Publishing a flow from the editor, then calling it the way the panel says to. */
describe('publishing from the editor', () => {
  const product = useProduct();

  it('publishes a chosen version under a slug, and the shown curl command calls it with the shown key until the key is revoked', async () => {
    const { page, url } = product;
    // Two saved versions to choose from, and a slug another flow already serves.
    const flow = (await (await fetch(`${url}/api/flows/support-triage`)).json()) as { document: Record<string, unknown> };
    const saved = await fetch(`${url}/api/flows/support-triage`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...flow.document, description: 'Version two' }) });
    expect(saved.status).toBe(200);
    const other = await fetch(`${url}/api/flows/content-pipeline/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ slug: 'taken-slug' }) });
    expect(other.status).toBe(201);

    await page.goto(`${url}/#/flows/support-triage`);
    await page.getByRole('heading', { name: 'Support triage' }).waitFor();
    await page.getByRole('tab', { name: 'Publish' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Publish' });
    await panel.getByText('Not published yet.').waitFor();

    // Newest version first and chosen by default; pick the first one.
    const version = panel.getByLabel('Version', { exact: true });
    await expect.poll(() => version.locator('option').allTextContents()).toEqual([expect.stringMatching(/^Version 2 \(latest\)/), expect.stringMatching(/^Version 1 /)]);
    expect(await version.inputValue()).toBe('2');
    await version.selectOption('1');

    // The slug is checked as it is typed, with the runner's rule.
    const slug = panel.getByLabel('Slug', { exact: true });
    expect(await slug.inputValue()).toBe('support-triage');
    const publish = panel.getByRole('button', { name: 'Publish', exact: true });
    await slug.fill('Triage E2E');
    await panel.getByText('Use lowercase letters, digits and "-" only (not "T", space, "E").').waitFor();
    expect(await publish.isDisabled()).toBe(true);

    // A slug another flow serves: flagged while typing, and the runner's refusal shown in words.
    await slug.fill('taken-slug');
    await panel.getByText('"taken-slug" already serves flow "content-pipeline"', { exact: false }).waitFor();
    await publish.click();
    await panel.getByRole('alert').filter({ hasText: 'Could not publish "taken-slug": slug "taken-slug" already serves flow "content-pipeline"' }).waitFor();

    await slug.fill('triage-e2e');
    await panel.getByText('The endpoint will be POST /v1/flows/triage-e2e.').waitFor();
    await publish.click();
    await panel.getByRole('status').filter({ hasText: 'Published version 1 at /v1/flows/triage-e2e' }).waitFor();
    const endpoints = panel.getByRole('list', { name: 'Published endpoints' });
    await endpoints.getByText('POST /v1/flows/triage-e2e').waitFor();
    expect(await endpoints.textContent()).toContain('serves version 1');
    expect(await panel.getByRole('alert').count()).toBe(0);

    // Without a key on show, the command reads one from the environment.
    const curl = panel.getByLabel('curl command');
    expect(await curl.inputValue()).toContain('"Authorization: Bearer $TRELLIS_API_KEY"');

    // A key for this endpoint only: its secret shown once, and put in the command.
    await panel.getByLabel('Key name').fill('e2e key');
    // Limited to the published endpoint by default (a key for every endpoint is a deliberate choice).
    expect(await panel.getByLabel('Only for this endpoint (triage-e2e)').isChecked()).toBe(true);
    await panel.getByLabel('Only for this endpoint (triage-e2e)').uncheck();
    await panel.getByText('This key may call every published endpoint', { exact: false }).waitFor();
    await panel.getByLabel('Only for this endpoint (triage-e2e)').check();
    await panel.getByRole('button', { name: 'Create API key' }).click();
    const secret = await panel.getByLabel('New API key').inputValue();
    expect(secret).toMatch(/^trl_/);
    await panel.getByText('it will not be shown again', { exact: false }).waitFor();
    const keys = panel.getByRole('list', { name: 'API keys' });
    await keys.getByText('may call triage-e2e', { exact: false }).waitFor();

    const command = await curl.inputValue();
    const request = requestOf(command);
    expect(request.url).toBe(`${url}/v1/flows/triage-e2e`);
    expect(request.method).toBe('POST');
    expect(request.headers.Authorization).toBe(`Bearer ${secret}`);
    expect(JSON.parse(request.body)).toMatchObject({ customerId: 'cus_1077' }); // the first sample: routine billing, no sign-off

    const answered = await call(request);
    expect(answered.status).toBe(200);
    expect(answered.json).toMatchObject({ status: 'succeeded', output: { route: 'auto_reply', customerId: 'cus_1077' } });
    const refused = await call(request, ['Authorization']);
    expect(refused.status).toBe(401);

    // Copy puts exactly the shown command on the clipboard.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    await panel.getByRole('button', { name: 'Copy curl command' }).click();
    await panel.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(command);

    // The async variant answers 202 with a status URL that the same key can poll.
    await panel.getByLabel('Response').selectOption({ label: 'Start it and poll (async)' });
    const asyncRequest = requestOf(await curl.inputValue());
    expect(asyncRequest.url).toBe(`${url}/v1/flows/triage-e2e?mode=async`);
    const started = await call(asyncRequest);
    expect(started.status).toBe(202);
    const statusUrl = `${url}${String(started.json.statusUrl)}`;
    await expect
      .poll(async () => ((await (await fetch(statusUrl, { headers: { Authorization: `Bearer ${secret}` } })).json()) as { status: string }).status)
      .toBe('succeeded');

    // The docs link opens the endpoint's operation in the API reference, which documents it.
    const docs = await panel.getByRole('link', { name: 'Endpoint docs' }).getAttribute('href');
    expect(docs).toBe(`${url}/docs#tag/published-flows/POST/v1/flows/triage-e2e`);
    expect((await fetch(docs!)).status).toBe(200);
    const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(openapi.paths)).toContain('/v1/flows/triage-e2e');

    // Revoking asks first; after it, the same call is refused and the command no longer holds the key.
    await keys.getByRole('button', { name: 'Revoke e2e key' }).click();
    await keys.getByRole('group', { name: 'Revoke e2e key' }).getByText('cannot be undone', { exact: false }).waitFor();
    await keys.getByRole('button', { name: 'Yes, revoke e2e key' }).click();
    await panel.getByText('No active keys.').waitFor();
    expect(await panel.getByLabel('New API key').count()).toBe(0);
    expect(await curl.inputValue()).toContain('$TRELLIS_API_KEY');
    const afterRevoke = await call(request);
    expect(afterRevoke.status).toBe(401);
    expect(afterRevoke.json).toMatchObject({ error: { code: 'revoked_key' } });

    // Unpublishing asks first too; then the endpoint is gone.
    await endpoints.getByRole('button', { name: 'Unpublish triage-e2e' }).click();
    await endpoints.getByRole('button', { name: 'Yes, unpublish triage-e2e' }).click();
    await panel.getByText('Not published yet.').waitFor();
    // Asked with a valid key: the revoked one gets 401 whatever the slug (issue 11).
    const fresh = (await (await fetch(`${url}/api/keys`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'after unpublish' }) })).json()) as { secret: string };
    expect((await fetch(request.url, { method: 'POST', headers: { ...request.headers, Authorization: `Bearer ${fresh.secret}` }, body: request.body })).status).toBe(404);
  }, 90_000);

  it("shows the runner's refusal of a version that cannot run, with its problems, and says unsaved changes are not published", async () => {
    const { page, url } = product;
    const broken = {
      schema: 'trellis.flow/v1',
      id: 'broken-flow',
      name: 'Broken flow',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'ask', type: 'prompt', position: { x: 240, y: 0 }, config: {} },
        { id: 'out', type: 'output', position: { x: 480, y: 0 }, config: { value: 'done' } },
      ],
      edges: [
        { id: 'e1', source: 'in', target: 'ask' },
        { id: 'e2', source: 'ask', target: 'out' },
      ],
    };
    const created = await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(broken) });
    expect(created.status).toBe(201);

    await page.goto(`${url}/#/flows/broken-flow`);
    await page.getByRole('heading', { name: 'Broken flow' }).waitFor();
    await page.getByRole('button', { name: 'Rename flow' }).click();
    await page.getByLabel('Flow name').fill('Broken flow, renamed');
    await page.keyboard.press('Enter');
    await page.getByText('Unsaved changes', { exact: true }).waitFor();

    await page.getByRole('tab', { name: 'Publish' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Publish' });
    await panel.getByText('Your edits since the last save are not part of any version', { exact: false }).waitFor();
    expect(await panel.getByLabel('Slug', { exact: true }).inputValue()).toBe('broken-flow');
    await panel.getByRole('button', { name: 'Publish', exact: true }).click();
    const alert = panel.getByRole('alert');
    await alert.filter({ hasText: 'Could not publish "broken-flow": flow "broken-flow" version 1 cannot run' }).waitFor();
    expect(await alert.getByRole('listitem').allTextContents()).toEqual([expect.stringMatching(/^ask: prompt: /)]);
    const { items } = (await (await fetch(`${url}/api/published`)).json()) as { items: { flowId: string }[] };
    expect(items.filter((e) => e.flowId === 'broken-flow')).toEqual([]);
  }, 60_000);

  it('refuses to publish a version that fails its test cases, shows which, and publishes anyway with a reason the history keeps', async () => {
    const { page, url } = await product.freshPage({ width: 1600, height: 1000 });
    await page.goto(`${url}/#/flows/support-handoffs`);
    await page.getByRole('heading', { name: 'Support desk with specialists' }).waitFor();

    // The flow gates its publishing on its cases.
    await page.getByRole('button', { name: 'Flow settings' }).click();
    const settings = page.getByRole('dialog', { name: 'Flow settings' });
    await settings.getByLabel('Require the test cases to pass before publishing').check();
    await settings.getByRole('button', { name: 'Apply settings' }).click();

    // A regression: one case now expects what the flow does not give.
    await page.getByRole('tab', { name: 'Tests' }).click();
    const tests = page.getByRole('region', { name: 'Test cases' });
    await tests.getByRole('button', { name: /^billing-handoff/ }).click();
    await tests.getByRole('button', { name: 'Edit checks' }).click();
    const checks = tests.getByLabel('Checks of “billing-handoff” (JSON)');
    await checks.fill(JSON.stringify([{ type: 'json_subset', value: { team: 'sales' } }]));
    await tests.getByRole('button', { name: 'Apply checks' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').filter({ hasText: /Saved as version \d+/ }).waitFor();

    await page.getByRole('tab', { name: 'Publish' }).click();
    const panel = page.getByRole('tabpanel', { name: 'Publish' });
    await panel.getByRole('button', { name: 'Publish', exact: true }).click();
    const gate = panel.getByRole('region', { name: 'Publish gate failed' });
    await gate.getByText('1 of 4 test cases fail').waitFor();
    expect(await gate.getByRole('listitem').allTextContents()).toEqual(['billing-handoff: the output differs: at team: expected "sales", got "billing"']);
    expect(((await (await fetch(`${url}/api/published`)).json()) as { items: { flowId: string }[] }).items.filter((e) => e.flowId === 'support-handoffs')).toEqual([]);

    // Publishing anyway needs a reason.
    const anyway = gate.getByRole('button', { name: 'Publish anyway' });
    expect(await anyway.isDisabled()).toBe(true);
    await gate.getByLabel('Reason for publishing anyway').fill('Sales handoffs ship next week; the case is ahead of the flow');
    await anyway.click();
    await panel.getByRole('status').filter({ hasText: 'past its failing gate' }).waitFor();

    // The History tab's publish log keeps the override and its reason.
    await page.getByRole('tab', { name: 'History' }).click();
    const log = page.getByRole('region', { name: 'Publishes' });
    await log.getByText('Published anyway', { exact: false }).waitFor();
    expect(await log.textContent()).toContain('“Sales handoffs ship next week; the case is ahead of the flow” (failing: billing-handoff)');
    await page.screenshot({ path: `${process.env.TRELLIS_SCREENSHOTS ?? '/tmp'}/publish-log.png` });
    await page.getByRole('tab', { name: 'Publish' }).click();
  }, 90_000);
});
