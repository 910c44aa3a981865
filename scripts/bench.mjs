#!/usr/bin/env node
// `pnpm bench [name…]`: the benchmarks of every app, by name (TypeScript, loaded by tsx). Each
// lives beside what it measures; this table is the only place that knows them all.
import { register } from 'tsx/esm/api';

const benches = {
  engine: ['../apps/runner/bench/engine.ts', 'benchEngine'],
  http: ['../apps/runner/bench/http.ts', 'benchHttp'],
  scale: ['../apps/runner/bench/scale.ts', 'benchScale'],
  runs: ['../apps/runner/bench/runs.ts', 'benchRuns'],
  evals: ['../apps/runner/bench/evals.ts', 'benchEvals'],
  editor: ['../apps/editor/bench/editor.ts', 'benchEditor'],
};

register();
const names = process.argv.slice(2);
for (const name of names.length ? names : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    process.stderr.write(`unknown benchmark "${name}" (have: ${Object.keys(benches).join(', ')})\n`);
    process.exit(2);
  }
  const [path, exported] = bench;
  await (await import(new URL(path, import.meta.url).href))[exported]();
}
