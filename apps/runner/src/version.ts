import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNNER_DIR } from './package-dir.js';

/** The runner's version, from its package.json: what `trellis --version`, /healthz and /mcp say. */
export const VERSION: string = (JSON.parse(readFileSync(join(RUNNER_DIR, 'package.json'), 'utf8')) as { version: string }).version;
