import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
// The runner's own test helper: the editor's tests run the real product, not a stand-in.
import { startRunnerProcess } from '@trellis/test-support/runner-process';
import { fakeMcpStdioCommand } from '@trellis/test-support/fake-mcp';
import { builtEditor } from './built-editor.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface E2e {
  url: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/**
 * The whole product as a user meets it: the editor built for production, a real runner serving
 * it with the bundled examples on a fresh SQLite file, and Debian's Chromium driving the page.
 */
export async function startProduct(): Promise<E2e> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium (.ci/run does) or set CHROMIUM_PATH`);
  const work = mkdtempSync(join(tmpdir(), 'trellis-e2e-'));
  const editorDir = await builtEditor();
  // The operator's stdio MCP servers: the fake one, for the inspector's "Load tools".
  const mcpServers = join(work, 'mcp-servers.json');
  writeFileSync(mcpServers, JSON.stringify({ fake: fakeMcpStdioCommand() }));
  const runner = await startRunnerProcess({ TRELLIS_DATA: join(work, 'data'), TRELLIS_EDITOR_DIR: editorDir, TRELLIS_MCP_SERVERS: mcpServers });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  return {
    url: runner.url,
    browser,
    page,
    async close() {
      await browser.close();
      runner.child.kill('SIGTERM');
      await runner.exited;
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/**
 * The product for the `describe` block this is called in: started before its first test and
 * closed after its last. `freshPage()` gives a test a tab of its own, as a person opening the
 * editor anew would have (the previous tab is closed, unsaved work and all).
 */
export function useProduct() {
  let product: E2e | undefined;
  beforeAll(async () => {
    product = await startProduct();
  }, 120_000);
  afterAll(async () => {
    await product?.close();
  });
  const started = (): E2e => {
    if (!product) throw new Error('the product did not start: see the error of beforeAll');
    return product;
  };
  return {
    get url() {
      return started().url;
    },
    get browser() {
      return started().browser;
    },
    get page() {
      return started().page;
    },
    async freshPage(viewport = { width: 1400, height: 900 }): Promise<E2e> {
      const p = started();
      await p.page.close();
      p.page = await p.browser.newPage({ viewport });
      return p;
    },
  };
}
