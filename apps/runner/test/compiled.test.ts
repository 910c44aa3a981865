import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { startRunnerProcess } from '@trellis/test-support/runner-process';

// The product as the README's commands start it: compiled JavaScript, loading what a command needs.
const HOOK = fileURLToPath(new URL('./support/module-log.mjs', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../../examples/support-triage.flow.json', import.meta.url));
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A file the module log hook writes to, and the modules it lists (file paths, node: builtins left out). */
function moduleLog() {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-modules-'));
  dirs.push(dir);
  const file = join(dir, 'modules.txt');
  const env = { TRELLIS_MODULE_LOG: file, NODE_OPTIONS: `--import=${HOOK}` };
  const loaded = () => readFileSync(file, 'utf8').split('\n').filter((url) => url.startsWith('file:')).map((url) => fileURLToPath(url));
  return { env, loaded };
}

describe('the compiled product', () => {
  it('trellis validate runs compiled JavaScript and loads no engine, server or model SDK', async () => {
    const log = moduleLog();
    const result = await trellis(['validate', EXAMPLE], '', log.env);
    expect(result.stdout).toContain('is valid');
    expect(result.code).toBe(0);
    const loaded = log.loaded();
    expect(loaded.some((path) => path.endsWith('/apps/runner/dist/trellis.js'))).toBe(true);
    expect(loaded.filter((path) => /\.tsx?$/.test(path))).toEqual([]);
    const packages = new Set(loaded.map((path) => /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1]).filter(Boolean));
    for (const heavy of ['ai', 'hono', '@modelcontextprotocol/sdk', 'kysely', 'better-sqlite3', 'pino']) expect(packages, heavy).not.toContain(heavy);
  });

  it('trellis serve runs compiled JavaScript', async () => {
    const log = moduleLog();
    const data = mkdtempSync(join(tmpdir(), 'trellis-compiled-'));
    dirs.push(data);
    const runner = await startRunnerProcess(log.env, ['--data', data, '--no-examples']);
    try {
      const health = (await (await fetch(`${runner.url}/healthz`)).json()) as { status: string };
      expect(health.status).toBe('ok');
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
    }
    const loaded = log.loaded();
    expect(loaded.some((path) => path.endsWith('/apps/runner/dist/trellis.js'))).toBe(true);
    expect(loaded.filter((path) => /\.tsx?$/.test(path))).toEqual([]);
  });
});
