import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const EDITOR_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const REPO = fileURLToPath(new URL('../../../..', import.meta.url));
/** What the production build is made of: a change to any of these makes a new build. */
const INPUTS = ['apps/editor/src', 'apps/editor/index.html', 'apps/editor/vite.config.ts', 'apps/editor/package.json', 'packages/schema/src', 'packages/nodes/src'];
const CACHE = join(REPO, 'node_modules', '.cache', 'trellis-e2e-editor');

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.endsWith('.test.ts'))
    .flatMap((e) => filesUnder(join(path, e.name)))
    .sort();
}

/** A hash of the build's inputs (names and contents): the same sources, the same build. */
function sourcesHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((p) => filesUnder(join(REPO, p)))) {
    hash.update(relative(REPO, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/**
 * The editor built for production, once per set of sources rather than once per browser test
 * file: each file's runner serves the same build. Builds go to a private folder and are renamed
 * into place, so two files starting together at worst both build, and never see half a build.
 */
export async function builtEditor(): Promise<string> {
  const dir = join(CACHE, sourcesHash());
  if (existsSync(join(dir, 'index.html'))) return dir;
  const building = `${dir}.${process.pid}.${Date.now()}`;
  mkdirSync(CACHE, { recursive: true });
  await build({ root: EDITOR_ROOT, logLevel: 'error', build: { outDir: building, emptyOutDir: true } });
  try {
    renameSync(building, dir);
  } catch {
    rmSync(building, { recursive: true, force: true }); // another file's build got there first
  }
  // Older builds are of sources that no longer exist.
  for (const old of readdirSync(CACHE)) if (!old.startsWith(dir.slice(CACHE.length + 1))) rmSync(join(CACHE, old), { recursive: true, force: true });
  return dir;
}
