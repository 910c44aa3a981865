/**
 * `pnpm screenshots [DIR]`: PNGs of the main screens in the light and the dark theme, for a
 * reviewer to look at: the flows, each example's canvas, a selected node, the runs, a run's page,
 * the inbox, keys, settings and the prompt library. Runs the real product (the production build of
 * the editor, a runner on a fresh SQLite file with the bundled examples) in Debian's Chromium.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startProduct } from '../test/support/e2e.js';

const out = resolve(process.argv[2] ?? 'screenshots');
const product = await startProduct();
const { url, browser } = product;

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

interface Sample { name: string; input: unknown; mocks?: unknown }
/** Starts a run of an example's sample and waits until it stops moving (ended or waiting for a person). */
async function runSample(flowId: string, sampleName: string): Promise<string> {
  const flow = await api<{ document: { samples?: Sample[] } }>(`/api/flows/${flowId}`);
  const sample = flow.document.samples?.find((s) => s.name === sampleName);
  if (!sample) throw new Error(`${flowId} has no sample "${sampleName}"`);
  const run = await api<{ id: string }>(`/api/flows/${flowId}/runs`, { input: sample.input, ...(sample.mocks ? { mocks: sample.mocks } : {}) });
  for (let i = 0; i < 100; i++) {
    const { status } = await api<{ status: string }>(`/api/runs/${run.id}`);
    if (status !== 'queued' && status !== 'running') return run.id;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`run ${run.id} of ${flowId} did not settle in 10 s`);
}

const shots: string[] = [];
async function shoot(page: Page, theme: string, name: string, hash: string, then?: (page: Page) => Promise<void>) {
  await page.goto(`${url}/${hash}`);
  await page.waitForLoadState('networkidle').catch(() => undefined); // live streams never idle: the bound is enough
  await page.waitForTimeout(600); // fonts, fit-view animation
  await then?.(page);
  const path = join(out, theme, `${name}.png`);
  await page.screenshot({ path });
  shots.push(path);
}

try {
  const done = await runSample('support-triage', 'routine-billing');
  await runSample('support-triage', 'refund-over-limit'); // waits for an approval: the inbox has something
  const flows = await api<{ items: Array<{ id: string }> }>('/api/flows');
  for (const theme of ['light', 'dark'] as const) {
    mkdirSync(join(out, theme), { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: theme });
    await shoot(page, theme, 'flows', '#/flows');
    for (const flow of flows.items) await shoot(page, theme, `canvas-${flow.id}`, `#/flows/${flow.id}`);
    await shoot(page, theme, 'selected-node', '#/flows/support-triage', async (p) => {
      await p.locator('.react-flow__node').nth(2).click();
      await p.waitForTimeout(300);
    });
    await shoot(page, theme, 'runs', '#/runs');
    await shoot(page, theme, 'run', `#/runs/${done}`);
    await shoot(page, theme, 'inbox', '#/inbox');
    await shoot(page, theme, 'keys', '#/keys');
    await shoot(page, theme, 'settings', '#/settings');
    await shoot(page, theme, 'prompts', '#/prompts');
    await page.close();
  }
  process.stdout.write(`${shots.length} screenshots in ${out}:\n${shots.map((s) => `  ${s}`).join('\n')}\n`);
} finally {
  await product.close();
}
