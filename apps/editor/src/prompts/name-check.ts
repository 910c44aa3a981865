import { PromptName } from '@trellis/schema';

/** What is wrong with a new prompt's name, in words, or undefined when it is fine. */
export function promptNameProblem(name: string, taken: readonly string[]): string | undefined {
  const checked = PromptName.safeParse(name);
  if (!checked.success) return `Name: ${checked.error.issues[0]?.message ?? 'not a valid name'}.`;
  if (taken.includes(name)) return `A prompt named “${name}” exists already.`;
  return undefined;
}
