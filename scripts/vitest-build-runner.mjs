// Vitest global setup: compiles the runner once before any test file starts, so the tests that
// start `trellis` as a process run the current sources, and do not race to compile them.
import { buildRunnerIfChanged } from './build-runner.mjs';

export default async function setup() {
  if ((await buildRunnerIfChanged({ quiet: true })) !== 0) throw new Error('the runner does not compile (see above)');
}
