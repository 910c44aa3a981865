import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

const EDITOR_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUNNER_BIN = fileURLToPath(new URL('../../../runner/bin/trellis.mjs', import.meta.url));
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
  const editorDir = join(work, 'editor');
  await build({ root: EDITOR_ROOT, logLevel: 'error', build: { outDir: editorDir, emptyOutDir: true } });
  const runner = await startRunner(join(work, 'data'), editorDir);
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
      await new Promise((resolve) => runner.child.once('exit', resolve));
      rmSync(work, { recursive: true, force: true });
    },
  };
}

async function startRunner(dataDir: string, editorDir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [RUNNER_BIN, 'serve', '--port', '0'], {
    env: { ...process.env, TRELLIS_DATA: dataDir, TRELLIS_EDITOR_DIR: editorDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = stderr.match(/running at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`the runner exited with ${code}: ${stderr}`)));
  });
  return { child, url };
}
