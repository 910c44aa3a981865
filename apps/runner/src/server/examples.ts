import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Flow, PromptLibraryFile as LibraryFile } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import type { Store } from '../store/types.js';
import type { Logger } from './logger.js';
import { PromptLibraryFileBody } from './prompt-templates.js';

const LOADED = 'examples_loaded';
// A key of its own: a database made before the library existed gets the example prompts once too.
const PROMPTS_LOADED = 'example_prompts_loaded';

/**
 * The parsed JSON of the files in `dir` whose names end with `suffix`, in file-name order, each
 * kept only when `check` accepts it. A file that cannot be read or is refused is left out with
 * a warning: an example someone cannot use is no example.
 */
async function readExampleFiles<T>(dir: string, suffix: string, check: (raw: unknown) => { ok: true; value: T } | { ok: false; problems: number }, log: Logger): Promise<T[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith(suffix)).sort();
  const found: T[] = [];
  for (const file of files) {
    try {
      const checked = check(JSON.parse(await readFile(join(dir, file), 'utf8')));
      if (checked.ok) found.push(checked.value);
      else log.warn({ file, problems: checked.problems }, 'left out a bundled example with problems');
    } catch (error) {
      log.warn({ file, err: error }, 'could not read a bundled example');
    }
  }
  return found;
}

/** The bundled example flows (`*.flow.json`), the ones without errors. */
export function readExampleFlows(dir: string, log: Logger): Promise<Flow[]> {
  return readExampleFiles(
    dir,
    '.flow.json',
    (raw) => {
      const result = validateFlow(raw);
      return result.ok ? { ok: true, value: raw as Flow } : { ok: false, problems: result.problems.length };
    },
    log,
  );
}

/** The bundled example prompt libraries (`*.prompts.json`, in the library's export format). */
export function readExamplePrompts(dir: string, log: Logger): Promise<LibraryFile['prompts'][]> {
  return readExampleFiles(
    dir,
    '.prompts.json',
    (raw) => {
      const parsed = PromptLibraryFileBody.safeParse(raw);
      return parsed.success ? { ok: true, value: parsed.data.prompts } : { ok: false, problems: parsed.error.issues.length };
    },
    log,
  );
}

/** On the first start of a database, saves the bundled example flows so there is something to open. */
export async function loadExamplesOnce(store: Store, dir: string, log: Logger): Promise<string[]> {
  if (await store.getMeta(LOADED)) return [];
  const loaded: string[] = [];
  for (const document of await readExampleFlows(dir, log)) {
    try {
      if (await store.getFlow(document.id)) continue;
      await store.saveFlow(document, { message: 'bundled example' });
      loaded.push(document.id);
    } catch (error) {
      log.warn({ flow: document.id, err: error }, 'could not load an example flow');
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
  for (const prompts of await readExamplePrompts(dir, log)) {
    try {
      created.push(...(await store.importPrompts(prompts)).created);
    } catch (error) {
      log.warn({ err: error }, 'could not load an example prompt library');
    }
  }
  await store.setMeta(PROMPTS_LOADED, new Date().toISOString());
  if (created.length) log.info({ prompts: created }, 'loaded the bundled example prompts');
  return created;
}
