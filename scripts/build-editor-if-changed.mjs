#!/usr/bin/env node
// Builds the editor (vite build) only when what it is built from changed since the last build:
// a warm `npm start` then skips the build. What counts: the editor's sources, index.html, config
// and package.json, the workspace packages it bundles (packages/schema, packages/nodes) and the
// lockfile. A hash of their paths and contents is kept in apps/editor/dist/.build-stamp.
// `--force` builds anyway.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStamp, sourceHash as hashOf } from './source-stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const editor = join(root, 'apps', 'editor');
const dist = join(editor, 'dist');
const stamp = join(dist, '.build-stamp');

const INPUTS = [
  'apps/editor/src',
  'apps/editor/index.html',
  'apps/editor/vite.config.ts',
  'apps/editor/tsconfig.json',
  'apps/editor/package.json',
  'apps/editor/public',
  'packages/schema/src',
  'packages/schema/package.json',
  'packages/nodes/src',
  'packages/nodes/package.json',
  'pnpm-lock.yaml',
];

const sourceHash = () => hashOf(root, INPUTS);

/** Builds the editor unless its stamp matches its sources; resolves to the build's exit status (0 when skipped). */
export function buildEditorIfChanged({ force = false } = {}) {
  const started = performance.now();
  const current = sourceHash();
  const previous = readStamp(stamp);
  if (!force && previous === current && existsSync(join(dist, 'index.html'))) {
    console.log(`editor: unchanged since its last build, not rebuilt (checked in ${Math.round(performance.now() - started)} ms)`);
    return 0;
  }
  console.log(previous ? 'editor: its sources changed, building…' : 'editor: building…');
  const vite = join(editor, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build'], { cwd: editor, stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  writeFileSync(stamp, `${current}\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(buildEditorIfChanged({ force: process.argv.includes('--force') }));
}
