#!/usr/bin/env node
// Compiles the runner's CLI and the workspace packages it runs on (packages/schema,
// packages/nodes) to JavaScript with esbuild, so `trellis` starts as plain Node: no TypeScript
// loader at every start and none of tsx's name-keeping wrappers in the hot path. Each package is
// bundled into its own dist/ (one file per entry of its package.json exports, shared code in
// chunks), with npm dependencies left as imports so each resolves from its own package's
// node_modules; an import of another workspace package points at that package's dist/.
// Building all three takes about 0.3 s and is redone only when a source changed (the stamp in
// apps/runner/dist/.build-stamp), so the bin can check on every start (~20 ms) and development
// keeps its edit-and-run loop. `--force` builds anyway.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readStamp, sourceHash } from './source-stamp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runnerDist = join(root, 'apps', 'runner', 'dist');
const stamp = join(runnerDist, '.build-stamp');

/** The packages compiled, each with its entries (output name → source); the others come from package.json exports. */
const PACKAGES = {
  '@trellis/schema': { dir: 'packages/schema' },
  '@trellis/nodes': { dir: 'packages/nodes' },
  '@trellis/runner': { dir: 'apps/runner', entries: { trellis: './src/cli/main.ts', index: './src/index.ts' }, copy: ['src/store/sqlite-worker.mjs'] },
};

const INPUTS = [
  ...Object.values(PACKAGES).flatMap(({ dir }) => [`${dir}/src`, `${dir}/package.json`]),
  'pnpm-lock.yaml',
  'scripts/build-runner.mjs',
];

/** An export's subpath as an output name: "." → index, "./server" → server. */
const entryName = (subpath) => (subpath === '.' ? 'index' : subpath.slice(2));

const entries = new Map();
/** A package's entries (output name → source), read once per build: the resolver asks on every workspace import. */
function entriesOf(name) {
  if (!entries.has(name)) {
    const pkg = PACKAGES[name];
    const exports = pkg.entries ? undefined : JSON.parse(readFileSync(join(root, pkg.dir, 'package.json'), 'utf8')).exports;
    entries.set(name, pkg.entries ?? Object.fromEntries(Object.entries(exports).map(([subpath, source]) => [entryName(subpath), source])));
  }
  return entries.get(name);
}

/** An import path from `fromDir` to `file`, as ESM wants it (./ or ../ first). */
function importPath(fromDir, file) {
  const path = relative(fromDir, file).split('\\').join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** esbuild plugin: npm packages stay imports; a workspace package's import points at its compiled entry. */
function workspaceImports(outdir) {
  return {
    name: 'workspace-imports',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, ({ path }) => {
        const match = /^(@trellis\/[^/]+)(\/.+)?$/.exec(path);
        if (!match) return { external: true };
        const [, name, sub] = match;
        const pkg = PACKAGES[name];
        const entry = entryName(`.${sub ?? ''}`);
        if (!pkg || !(entry in entriesOf(name))) return { errors: [{ text: `"${path}" is not an entry of a package the compiled runner is built from (scripts/build-runner.mjs)` }] };
        return { path: importPath(outdir, join(root, pkg.dir, 'dist', `${entry}.js`)), external: true };
      });
    },
  };
}

/** Writes a file by renaming a finished temporary one over it: a runner starting meanwhile reads the old file or the new, never half of one. */
function writeAtomically(path, contents) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}

/** Removes outputs of earlier builds (chunks are named by content) once they are an hour old: a runner started before a rebuild may still load them lazily. */
function pruneStale(dir, keep) {
  const hourAgo = Date.now() - 3_600_000;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!keep.has(path) && name !== '.build-stamp' && statSync(path).mtimeMs < hourAgo) rmSync(path, { force: true });
  }
}

async function compile() {
  const { build } = await import('esbuild');
  await Promise.all(Object.entries(PACKAGES).map(async ([name, pkg]) => {
    const outdir = join(root, pkg.dir, 'dist');
    const result = await build({
      absWorkingDir: join(root, pkg.dir),
      entryPoints: entriesOf(name),
      outdir,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      sourcemap: 'linked',
      write: false,
      logLevel: 'silent',
      plugins: [workspaceImports(outdir)],
    });
    const written = new Set(result.outputFiles.map((f) => f.path));
    for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
    for (const file of pkg.copy ?? []) {
      const target = join(outdir, file.split('/').pop());
      writeAtomically(target, readFileSync(join(root, pkg.dir, file)));
      written.add(target);
    }
    pruneStale(outdir, written);
  }));
}

/**
 * Compiles unless the stamp matches the sources. Returns 0, or 1 after printing the compile
 * errors (with file and line) to stderr. `quiet` prints nothing when nothing was built.
 */
export async function buildRunnerIfChanged({ force = false, quiet = false } = {}) {
  const started = performance.now();
  const current = sourceHash(root, INPUTS);
  if (!force && readStamp(stamp) === current && existsSync(join(runnerDist, 'trellis.js'))) {
    if (!quiet) console.log(`runner: unchanged since its last build, not rebuilt (checked in ${Math.round(performance.now() - started)} ms)`);
    return 0;
  }
  try {
    await compile();
  } catch (error) {
    const messages = error?.errors?.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text));
    process.stderr.write(`runner: the build failed:\n${(messages ?? [String(error)]).map((m) => `  ${m}`).join('\n')}\n`);
    return 1;
  }
  writeAtomically(stamp, `${current}\n`);
  process.stderr.write(`runner: compiled in ${Math.round(performance.now() - started)} ms\n`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exit(await buildRunnerIfChanged({ force: process.argv.includes('--force') }));
}
