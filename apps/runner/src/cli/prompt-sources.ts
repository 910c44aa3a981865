// The prompt sources of `trellis run` and `trellis validate` (--prompts FILE, --data DIR): loaded
// only when one is named, since they bring the store and the API's schemas with them.
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { errorMessage, type PromptLibraryFile } from '@trellis/schema';
import type { PromptResolver, ResolvedPrompt } from '../engine/prompts.js';
import { PromptLibraryFileBody } from '../server/prompt-templates.js';
import { storePromptResolver } from '../store/prompt-resolver.js';
import { openDatabase } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { SqlStore } from '../store/sql-store.js';
import { storeFlows } from './flows.js';
import { CliError, parseJson, readText } from './files.js';
import type { PromptSource } from './prompts.js';

export async function libraryFileSource(path: string): Promise<PromptSource> {
  const what = `prompt library file ${path}`;
  const raw = parseJson(await readText(path, 'prompt library file'), what);
  const parsed = PromptLibraryFileBody.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const shown = issues.slice(0, 5).map((issue) => `  ${issue.path.length ? issue.path.join('.') : '(the file)'}: ${issue.message}`);
    if (issues.length > shown.length) shown.push(`  … and ${issues.length - shown.length} more`);
    throw new CliError(`${what} is not a Trellis prompt library export (the file GET /api/prompts/export gives):\n${shown.join('\n')}`);
  }
  return { resolver: fileResolver(parsed.data.prompts), describe: what, close: async () => undefined };
}

/** Resolves from a library file's prompts, by the version numbers the file gives (the exporting runner's). */
export function fileResolver(prompts: PromptLibraryFile['prompts']): PromptResolver {
  const byName = new Map(prompts.map((p) => [p.name, new Map(p.versions.map((v) => [v.version, v.template]))]));
  return {
    async resolve(name, version): Promise<ResolvedPrompt | undefined> {
      const versions = byName.get(name);
      if (!versions?.size) return undefined;
      const number = version === 'latest' ? Math.max(...versions.keys()) : version;
      const template = versions.get(number);
      return template === undefined ? undefined : { name, version: number, template };
    },
  };
}

/**
 * The prompt library of a runner's data folder, read through the store. Nothing is written: the
 * folder must hold a database a runner has brought up to date (the CLI neither creates nor migrates one).
 */
export async function dataFolderSource(dir: string): Promise<PromptSource> {
  const folder = resolve(dir);
  const file = join(folder, 'trellis.db');
  const info = await stat(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new CliError(`data folder ${dir} does not exist (give the folder "trellis serve --data" uses)`);
    throw new CliError(`cannot read data folder ${dir}: ${error.message}`);
  });
  if (!info.isDirectory()) throw new CliError(`data folder ${dir} is not a folder (give the folder "trellis serve --data" uses, not its database file)`);
  if (!(await stat(file).catch(() => undefined))?.isFile()) {
    throw new CliError(`data folder ${dir} holds no Trellis database (no ${file}): start "trellis serve --data ${dir}" once to create it`);
  }
  let opened;
  try {
    opened = await openDatabase({ sqliteFile: file });
  } catch (error) {
    throw new CliError(`cannot open the database ${file}: ${errorMessage(error)}`);
  }
  try {
    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(opened.db);
    const done = new Set(applied.rows.map((r) => r.name));
    const missing = Object.keys(migrations).filter((name) => !done.has(name));
    if (missing.length) throw new CliError(`the database ${file} is from an older Trellis: start "trellis serve --data ${dir}" once to bring it up to date`);
  } catch (error) {
    await opened.db.destroy();
    if (error instanceof CliError) throw error;
    throw new CliError(`${file} is not a Trellis database: ${errorMessage(error)}`);
  }
  const store = new SqlStore(opened.db, opened.dialect);
  return {
    describe: `data folder ${dir}`,
    resolver: storePromptResolver(store),
    flows: storeFlows(store),
    close: () => store.close(),
  };
}
