#!/usr/bin/env node
// The `trellis` command. It runs the compiled runner (apps/runner/dist), compiling it first when
// a source changed since the last build (scripts/build-runner.mjs: ~20 ms to check, ~0.3 s to
// compile), so an edit is picked up by the next command without a separate build step.
import module from 'node:module';
import { buildRunnerIfChanged } from '../../../scripts/build-runner.mjs';

// Node 22.1+ keeps V8's compiled code of every module on disk between starts (Node 20 has no such cache).
module.enableCompileCache?.();

const built = await buildRunnerIfChanged({ quiet: true });
if (built !== 0) process.exit(built);
const { main } = await import('../dist/trellis.js');
await main(process.argv);
