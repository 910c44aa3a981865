import { readFile, stat } from 'node:fs/promises';
import { describeTooDeep, findTooDeep } from '@trellis/schema';

export const MAX_FILE_BYTES = 10_000_000;

/** Exit codes: what a script calling `trellis` can branch on. */
export const EXIT = { ok: 0, failed: 1, usage: 2, waiting: 3, interrupted: 130 } as const;

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}

/** Reads a text file a person named, with one clear line when that is not possible. */
export async function readText(path: string, what: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) throw new CliError(`${what} ${path} is a directory, not a file`);
    if (info.size > MAX_FILE_BYTES) throw new CliError(`${what} ${path} is larger than ${MAX_FILE_BYTES / 1_000_000} MB`);
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof CliError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CliError(`cannot read ${what} ${path}: no such file`);
    if (code === 'EACCES') throw new CliError(`cannot read ${what} ${path}: permission denied`);
    throw new CliError(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * Parses JSON given on the command line or in a file, naming the option when it is not JSON or
 * nests deeper than the limit every input has (the run would overflow the stack serialising it).
 */
export function parseJson(text: string, what: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  const tooDeep = findTooDeep(value);
  if (tooDeep) throw new CliError(`${what} is nested too deep: ${describeTooDeep('', tooDeep)}`);
  return value;
}
