import { Assertion, MAX_CASE_ASSERTIONS, formatPath, type Sample } from '@trellis/schema';

/** A case's checks as the JSON a person edits. */
export function checksText(sample: Sample): string {
  return JSON.stringify(sample.expect ?? [], null, 2);
}

const Checks = Assertion.array().max(MAX_CASE_ASSERTIONS);

/** The checks a person typed, or what is wrong with them (each problem naming the check and field). */
export function parseChecks(text: string): { checks: Assertion[] } | { problems: string[] } {
  let value: unknown;
  try {
    value = JSON.parse(text.trim() ? text : '[]');
  } catch (error) {
    return { problems: [`This is not valid JSON: ${(error as Error).message}`] };
  }
  const parsed = Checks.safeParse(value);
  if (parsed.success) return { checks: parsed.data };
  return {
    problems: parsed.error.issues.slice(0, 5).map((issue) => {
      const [index, ...rest] = issue.path;
      const where = typeof index === 'number' ? `check ${index + 1}${rest.length ? ` (${formatPath(rest as (string | number)[])})` : ''}` : 'the list';
      return `${where}: ${issue.message}`;
    }),
  };
}
