import { fileURLToPath } from 'node:url';

/**
 * The runner package's folder (apps/runner), found from this module's URL: it sits one level
 * below it both as a source (src/) and compiled (dist/, where the bundle puts all its files).
 */
export const RUNNER_DIR = fileURLToPath(new URL('..', import.meta.url));
