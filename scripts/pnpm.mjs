#!/usr/bin/env node
// Runs the pnpm version pinned in package.json's "packageManager", so a machine with only
// Node and npm can use the README's commands. Installs the workspace first when needed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { packageManager } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = /^pnpm@(.+)$/.exec(packageManager)?.[1];
if (!version) {
  console.error('package.json: "packageManager" must name a pnpm version, e.g. "pnpm@10.34.9"');
  process.exit(1);
}

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
function pnpm(args) {
  const result = spawnSync(npx, ['--yes', `pnpm@${version}`, ...args], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (result.error) {
    console.error(`could not start pnpm through npx: ${result.error.message}`);
    process.exit(1);
  }
  return result.status ?? 1;
}

// Install when node_modules is missing or older than the lockfile.
const marker = join(root, 'node_modules', '.modules.yaml');
const lockfile = join(root, 'pnpm-lock.yaml');
const stale =
  !existsSync(marker) || (existsSync(lockfile) && statSync(lockfile).mtimeMs > statSync(marker).mtimeMs);
// `pnpm.mjs install …` is itself the install: it is not run twice.
if (stale && process.argv[2] !== 'install') {
  const frozen = existsSync(lockfile) ? ['--frozen-lockfile'] : [];
  const status = pnpm(['install', ...frozen]);
  if (status !== 0) process.exit(status);
}

process.exit(pnpm(process.argv.slice(2)));
