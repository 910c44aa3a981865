import { handleProblem, RESERVED_PROMPT_NAMES } from '@trellis/schema';

/**
 * What is wrong with a new prompt's name, in words, or undefined when it is fine. A prompt's name
 * is its handle (`triage-classifier@3`), so it follows the rule a new flow's id follows, with
 * the same sentences (`handleProblem` in @trellis/schema).
 */
export function promptNameProblem(name: string, taken: readonly string[]): string | undefined {
  const problem = handleProblem('prompt', name);
  if (problem) return problem;
  if (RESERVED_PROMPT_NAMES.has(name)) return `“${name}” is the name of a page of the library; choose another.`;
  if (taken.includes(name)) return `A prompt named “${name}” exists already.`;
  return undefined;
}
