#!/usr/bin/env node
// `npm start`: installs the workspace when it is missing or older than the lockfile (through
// scripts/pnpm.mjs, which fetches the pinned pnpm), builds the editor only when its sources
// changed (scripts/build-editor-if-changed.mjs), then runs `trellis serve` in this same process.
// Nothing goes through npx when nothing needs installing: npx resolving pnpm costs seconds on
// every start, the main part of a warm start's time. Extra arguments go to `trellis serve`.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
if (!existsSync(marker) || (existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(marker).mtimeMs)) {
  const installed = spawnSync(process.execPath, [join(root, 'scripts', 'pnpm.mjs'), 'install', ...(existsSync(lockfile) ? ['--frozen-lockfile'] : [])], { cwd: root, stdio: 'inherit' });
  if (installed.status !== 0) process.exit(installed.status ?? 1);
}

const { buildEditorIfChanged } = await import('./build-editor-if-changed.mjs');
const built = buildEditorIfChanged();
if (built !== 0) process.exit(built);

const bin = join(root, 'apps', 'runner', 'bin', 'trellis.mjs');
process.argv = [process.argv[0], bin, 'serve', ...process.argv.slice(2)];
await import(pathToFileURL(bin).href);
