import { ApiError } from '../api';
import { errorMessage } from '@trellis/schema';

/** A runner error in words for the place the person acted: what was tried, why it failed, and each problem listed. */
export interface ErrorReport {
  message: string;
  /** The runner's list of problems (a 422 flow check, a 400 field list), one line each. */
  problems: string[];
}

export function reportError(what: string, error: unknown): ErrorReport {
  if (!(error instanceof ApiError)) return { message: `${what}: ${errorMessage(error)}`, problems: [] };
  const problems = problemLines(error.details);
  const hint = HINTS[error.code];
  return { message: `${what}: ${hint ? `${asSentence(error.message)} ${hint}` : error.message}`, problems };
}

const asSentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const HINTS: Record<string, string> = {
  invalid_flow: 'Fix the problems below, save, and publish the new version.',
};

function problemLines(details: unknown): string[] {
  const list = (details as { problems?: unknown } | undefined)?.problems;
  if (!Array.isArray(list)) return [];
  return list.slice(0, 20).map((p) => {
    const { message, nodeId, path } = (p ?? {}) as { message?: unknown; nodeId?: unknown; path?: unknown };
    const where = typeof nodeId === 'string' ? nodeId : typeof path === 'string' && path ? path : Array.isArray(path) && path.length ? path.join('.') : '';
    return `${where ? `${where}: ` : ''}${typeof message === 'string' ? message : JSON.stringify(p)}`;
  });
}
