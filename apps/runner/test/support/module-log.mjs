// Preloaded with `node --import` by the compiled-product tests: appends the URL of every module
// the process loads to the file named by TRELLIS_MODULE_LOG. The same file is the hook module,
// registered from the main thread; Node runs its hooks on a thread of their own.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

if (isMainThread) register(import.meta.url);

export async function load(url, context, next) {
  if (process.env.TRELLIS_MODULE_LOG) appendFileSync(process.env.TRELLIS_MODULE_LOG, `${url}\n`);
  return next(url, context);
}
