import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flow } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';

const LOADED = 'examples_loaded';

/** On the first start of a database, saves the bundled example flows so there is something to open. */
export async function loadExamplesOnce(store: Store, dir: string, log: Logger): Promise<string[]> {
  if (await store.getMeta(LOADED)) return [];
  const loaded: string[] = [];
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.flow.json')).sort();
  for (const file of files) {
    try {
      const raw: unknown = JSON.parse(await readFile(join(dir, file), 'utf8'));
      const result = validateFlow(raw);
      if (!result.ok) {
        log.warn({ file, problems: result.problems.length }, 'skipped an example flow with problems');
        continue;
      }
      const document = raw as Flow;
      if (await store.getFlow(document.id)) continue;
      await store.saveFlow(document, { message: 'bundled example' });
      loaded.push(document.id);
    } catch (error) {
      log.warn({ file, err: error }, 'could not load an example flow');
    }
  }
  await store.setMeta(LOADED, new Date().toISOString());
  if (loaded.length) log.info({ flows: loaded }, 'loaded the bundled example flows');
  return loaded;
}
