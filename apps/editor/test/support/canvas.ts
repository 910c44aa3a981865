import type { Page } from 'playwright-core';
import { expect } from 'vitest';

/** Waits until the canvas has set the view a flow opens at (it marks itself `data-view="opened"`). */
export const canvasOpened = (page: Page) => page.locator('[aria-label="Flow canvas"][data-view="opened"]').waitFor();

/**
 * Fit view, as a person clicks it, once the opening view is set (else that view could land after
 * the fit and undo it), then waits until the view stops moving.
 */
export async function fitWholeFlow(page: Page) {
  await canvasOpened(page);
  const transform = () => page.locator('.react-flow__viewport').evaluate((el) => getComputedStyle(el).transform);
  const before = await transform();
  await page.getByRole('button', { name: 'Fit view' }).click();
  await expect.poll(transform).not.toBe(before);
  let last = '';
  await expect.poll(async () => last === (last = await transform()), { interval: 150 }).toBe(true);
}
