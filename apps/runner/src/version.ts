import { readFileSync } from 'node:fs';

/** The runner's version, from its package.json: what `trellis --version`, /healthz and /mcp say. */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
