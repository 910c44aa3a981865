import { storeFlows } from './flows.js';
import type { FlowSource } from '../engine/subflows.js';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { errorMessage, formatPromptRef, type Flow, type PromptLibraryFile } from '@trellis/schema';
import { findPromptReferences, kinds, type PromptReference } from '@trellis/nodes/server';
import { pinPrompts, UnresolvedPromptError, type PinnedPrompts, type PromptResolver, type ResolvedPrompt, type UnresolvedReference } from '../engine/prompts.js';
import { PromptLibraryFileBody } from '../server/prompt-templates.js';
import { storePromptResolver } from '../store/prompt-resolver.js';
import { openDatabase } from '../store/db.js';
import { migrations } from '../store/migrations.js';
import { SqlStore } from '../store/sql-store.js';
import { CliError, parseJson, readText } from './files.js';

/** Where `trellis run` and `trellis validate` take library prompts from. */
export interface PromptSourceOptions {
  /** A runner's data folder: the SQLite database `trellis serve --data` keeps. */
  data?: string;
  /** A prompt library file, as GET /api/prompts/export gives it. */
  prompts?: string;
}

export interface PromptSource {
  resolver: PromptResolver;
  /** A runner's saved flows, for sub-flows (a data folder has them; a library file does not). */
  flows?: FlowSource;
  /** Where the prompts come from, for messages: `data folder ./data`, `prompt library file lib.json`. */
  describe: string;
  close(): Promise<void>;
}

/** What to pass when a flow uses library prompts and no source was given. */
export const PROMPT_FLAGS_HINT = '--data DIR (the data folder of a runner, as "trellis serve --data DIR" uses) or --prompts FILE (a prompt library export, GET /api/prompts/export)';

/** The library prompt references of a flow, in node order. */
export function promptReferences(flow: Flow): PromptReference[] {
  return findPromptReferences(flow, kinds);
}

/** The distinct references as written, for one line: `a@1, b@latest`. */
export function listReferences(references: readonly PromptReference[]): string {
  return [...new Set(references.map((r) => formatPromptRef(r)))].join(', ');
}

/** Opens the prompt source the options name; undefined when they name none. */
export async function openPromptSource(options: PromptSourceOptions): Promise<PromptSource | undefined> {
  if (options.data !== undefined && options.prompts !== undefined) throw new CliError('give --data or --prompts, not both');
  if (options.prompts !== undefined) return libraryFileSource(options.prompts);
  if (options.data !== undefined) return dataFolderSource(options.data);
  return undefined;
}

/** Resolves a flow's references against a source; an UnresolvedPromptError's problems when some cannot be had. */
export async function checkPrompts(flow: Flow, source: PromptSource): Promise<{ pinned: PinnedPrompts } | { problems: UnresolvedReference[] }> {
  try {
    return { pinned: await pinPrompts(flow, kinds, source.resolver) };
  } catch (error) {
    if (error instanceof UnresolvedPromptError) return { problems: error.problems };
    throw error;
  }
}

async function libraryFileSource(path: string): Promise<PromptSource> {
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
async function dataFolderSource(dir: string): Promise<PromptSource> {
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
