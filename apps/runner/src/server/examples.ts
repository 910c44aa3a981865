import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flow } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';
import { PromptLibraryFile } from './prompt-schemas.js';

const LOADED = 'examples_loaded';
// A key of its own: a database made before the library existed gets the example prompts once too.
const PROMPTS_LOADED = 'example_prompts_loaded';

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

/** On the first start of a database, fills the prompt library from the bundled `*.prompts.json` files. */
export async function loadExamplePromptsOnce(store: Store, dir: string, log: Logger): Promise<string[]> {
  if (await store.getMeta(PROMPTS_LOADED)) return [];
  const created: string[] = [];
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.prompts.json')).sort();
  for (const file of files) {
    try {
      const parsed = PromptLibraryFile.safeParse(JSON.parse(await readFile(join(dir, file), 'utf8')));
      if (!parsed.success) {
        log.warn({ file, problems: parsed.error.issues.length }, 'skipped an example prompt library with problems');
        continue;
      }
      created.push(...(await store.importPrompts(parsed.data.prompts)).created);
    } catch (error) {
      log.warn({ file, err: error }, 'could not load an example prompt library');
    }
  }
  await store.setMeta(PROMPTS_LOADED, new Date().toISOString());
  if (created.length) log.info({ prompts: created }, 'loaded the bundled example prompts');
  return created;
}
