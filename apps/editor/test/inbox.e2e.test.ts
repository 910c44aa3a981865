import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useProduct } from './support/e2e.js';

const SHOTS = '/tmp/shots-editor';
const example = JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as {
  samples: { name: string; input: unknown; mocks: unknown }[];
};
const questionFlow = JSON.parse(readFileSync(new URL('../../../packages/nodes/src/kinds/human-input/fixture.flow.json', import.meta.url), 'utf8')) as { id: string };
// A $480 refund: over the limit, so the run stops for a person to sign off the reply.
const overLimit = example.samples.find((s) => s.name === 'refund-over-limit')!;

/** The inbox: what waits for a person across flows, answered in place, and its history. */
describe('the inbox', () => {
  const product = useProduct();

  const startWaitingRun = async (): Promise<string> => {
    const { url } = product;
    const response = await fetch(`${url}/api/flows/support-triage/runs`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: overLimit.input, mocks: overLimit.mocks }),
    });
    expect(response.status).toBe(201);
    const run = (await response.json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${url}/api/runs/${run.id}`)).json()) as { status: string }).status, { timeout: 20_000 }).toBe('waiting');
    return run.id;
  };
  const pendingCount = async () => ((await (await fetch(`${product.url}/api/approvals/count`)).json()) as { pending: number }).pending;

  it('answers an approval in place with the typed name, shows it in History, and the badge drops', async () => {
    const { page, url } = product;
    const first = await startWaitingRun();
    await startWaitingRun();
    expect(await pendingCount()).toBe(2);

    await page.goto(`${url}/#/inbox`);
    await page.getByRole('heading', { name: 'Inbox', level: 1 }).waitFor();
    const nav = page.getByRole('navigation', { name: 'Sections' });
    await nav.getByLabel('2 waiting for a person').waitFor();
    const waiting = page.getByRole('list', { name: 'Waiting for a person' });
    const cards = waiting.getByRole('article', { name: 'Sign off reply' });
    await expect.poll(() => cards.count()).toBe(2);
    // Oldest first: the first run's card leads, with its flow, what is asked and a link to its run.
    const card = cards.first();
    await card.getByText('Support triage', { exact: true }).waitFor();
    expect(await card.getByRole('link', { name: /^Open run / }).getAttribute('href')).toBe(`#/runs/${first}`);
    // The payload reads as a form: the drafted reply as text, the amount as a number.
    expect(await card.getByLabel('customerId').inputValue()).toBe('cus_1001');
    expect(await card.getByLabel('refundUsd').inputValue()).toBe('480');
    expect(await card.getByLabel('reply').inputValue()).toContain('Hi Dana,\n\nThanks');
    await card.getByText(/Waiting since/).waitFor();

    await page.screenshot({ path: `${SHOTS}/inbox-waiting-light.png`, fullPage: true });

    await page.getByLabel('Your name').fill('Dana Reviewer');
    await card.getByLabel('refundUsd').fill('450');
    await card.getByLabel(/^Comment/).fill('Policy allows it');
    await card.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => cards.count()).toBe(1);
    await nav.getByLabel('1 waiting for a person').waitFor();
    await expect.poll(async () => ((await (await fetch(`${url}/api/runs/${first}`)).json()) as { status: string }).status).toBe('succeeded');

    // The name is remembered: a reload keeps it.
    await page.reload();
    expect(await page.getByLabel('Your name').inputValue()).toBe('Dana Reviewer');

    await page.getByRole('tab', { name: 'History' }).click();
    const decided = page.getByRole('list', { name: 'Decided' }).getByRole('article', { name: 'Sign off reply' });
    await decided.first().waitFor();
    expect(await decided.count()).toBe(1);
    const text = await decided.first().textContent();
    expect(text).toContain('Approved by Dana Reviewer');
    expect(text).toContain('Policy allows it');
    expect(text).toContain('The payload was edited before approving');
    await page.screenshot({ path: `${SHOTS}/inbox-history-light.png`, fullPage: true });

    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('tab', { name: 'History' }).click();
    await decided.first().waitFor();
    await page.screenshot({ path: `${SHOTS}/inbox-history-dark.png`, fullPage: true });
    await page.getByRole('tab', { name: 'Waiting' }).click();
    await cards.first().waitFor();
    await page.screenshot({ path: `${SHOTS}/inbox-waiting-dark.png`, fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
  }, 90_000);

  it('says who decided first when two people answer the same approval, and the item leaves the list', async () => {
    const { url } = product;
    const { page } = await product.freshPage();
    // The other answer must not reach this tab before the click: no live changes here (as with a
    // decision made through another runner, which this runner's change stream does not see).
    await page.route('**/api/runs/changes*', (route) => route.abort());
    await page.goto(`${url}/#/inbox`);
    const cards = page.getByRole('list', { name: 'Waiting for a person' }).getByRole('article', { name: 'Sign off reply' });
    await cards.first().waitFor();
    const before = await cards.count();
    expect(before).toBe(1);
    await page.getByLabel('Your name').fill('Late Larry');
    const card = cards.first();

    // Someone else (another tab, the API) rejects it first.
    const { items } = (await (await fetch(`${url}/api/approvals`)).json()) as { items: { id: string }[] };
    const answered = await fetch(`${url}/api/approvals/${items[0]!.id}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ decision: 'reject', by: 'Quick Quinn', comment: 'Too much' }),
    });
    expect(answered.status).toBe(200);

    await card.getByRole('button', { name: 'Approve' }).click();
    const notice = page.getByRole('alert').filter({ hasText: 'already rejected by Quick Quinn' });
    await notice.waitFor();
    expect(await notice.textContent()).toContain('Your answer was not sent');
    await expect.poll(() => cards.count()).toBe(before - 1);
    await page.screenshot({ path: `${SHOTS}/inbox-taken-light.png` });
    await notice.getByRole('button', { name: 'Close this notice' }).click();
    await notice.waitFor({ state: 'detached' });
  }, 60_000);

  it('filters by flow and kind, and says plainly when nothing waits', async () => {
    const { url } = product;
    await startWaitingRun();
    const { page } = await product.freshPage();
    await page.goto(`${url}/#/inbox`);
    await page.getByRole('list', { name: 'Waiting for a person' }).waitFor();
    await page.getByLabel('Kind').selectOption({ label: 'Questions' });
    await page.getByText('Nothing waits here').waitFor();
    await page.getByLabel('Kind').selectOption({ label: 'All kinds' });
    await page.getByRole('list', { name: 'Waiting for a person' }).waitFor();
    await page.getByLabel('Flow').selectOption({ label: 'Support triage' });
    await page.getByRole('article', { name: 'Sign off reply' }).waitFor();
    await page.getByLabel('Flow').selectOption({ label: 'Content pipeline' });
    await page.getByText('Nothing waits here').waitFor();
  }, 60_000);

  it("answers a question with its form, checked in the runner's words, and shows the answer in History", async () => {
    const { url } = product;
    expect((await fetch(`${url}/api/flows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(questionFlow) })).status).toBe(201);
    const started = await fetch(`${url}/api/flows/${questionFlow.id}/runs`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ input: { item: 'widgets' } }) });
    const { id } = (await started.json()) as { id: string };
    await expect.poll(async () => ((await (await fetch(`${url}/api/runs/${id}`)).json()) as { status: string }).status, { timeout: 20_000 }).toBe('waiting');

    const { page } = await product.freshPage();
    await page.goto(`${url}/#/inbox`);
    await page.getByLabel('Kind').selectOption({ label: 'Questions' });
    const card = page.getByRole('list', { name: 'Waiting for a person' }).getByRole('article').first();
    await card.getByText('How many widgets should we reorder?').waitFor();
    await card.getByText('Question', { exact: false }).first().waitFor();
    await page.screenshot({ path: `${SHOTS}/inbox-question-light.png` });
    const answer = card.getByRole('form', { name: 'Answer' });
    await answer.getByLabel('Quantity').fill('0');
    await answer.getByRole('button', { name: 'Send answer' }).click();
    await answer.getByText(/Quantity.*(1|minimum)/).waitFor();
    await answer.getByLabel('Quantity').fill('12');
    await answer.getByRole('button', { name: 'Send answer' }).click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(async () => ((await (await fetch(`${url}/api/runs/${id}`)).json()) as { status: string }).status).toBe('succeeded');

    await page.getByRole('tab', { name: 'History' }).click();
    const decided = page.getByRole('list', { name: 'Decided' }).getByRole('article').first();
    await decided.getByText('Answered', { exact: true }).waitFor();
    expect(await decided.textContent()).toContain('"quantity": 12');
  }, 60_000);
});
