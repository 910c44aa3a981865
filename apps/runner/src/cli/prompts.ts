import type { FlowSource } from '../engine/subflows.js';
import { formatPromptRef, type Flow } from '@trellis/schema';
import { findPromptReferences, kinds, type PromptReference } from '@trellis/nodes';
import { pinPrompts, UnresolvedPromptError, type PinnedPrompts, type PromptResolver, type UnresolvedReference } from '../engine/prompts.js';
import { CliError } from './files.js';

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
  if (options.prompts === undefined && options.data === undefined) return undefined;
  // The store and the library file's schema are loaded only when a source is named.
  const { dataFolderSource, libraryFileSource } = await import('./prompt-sources.js');
  return options.prompts !== undefined ? libraryFileSource(options.prompts) : dataFolderSource(options.data!);
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

