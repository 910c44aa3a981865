/**
 * The check of the run input (or a question's answer) against its JSON Schema, in the browser,
 * so the person sees what is wrong before starting a run or sending an answer. The rules are
 * checked by the engine's own validator and put in the runner's own words
 * (`@trellis/nodes/json-schema`, loaded on first use so the editor's first load stays small), so
 * the editor refuses exactly what the runner would, saying it the same way.
 */
import type { SchemaProblem } from '@trellis/nodes/json-schema';
import { errorMessage } from '@trellis/schema';
import { ApiError } from '../api';

export type InputProblem = SchemaProblem;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem of `value` under `schema` (none when there is no schema object). */
export async function checkInput(value: unknown, schema: unknown, schemaName = 'the input schema'): Promise<InputProblem[]> {
  if (!isObject(schema)) return [];
  const { applyDefaults, schemaErrors, problemsInWords } = await import('@trellis/nodes/json-schema');
  // As the runner does: a field left out that has a default is filled in before the check.
  const filled = applyDefaults(value, schema);
  return problemsInWords(filled, schemaErrors(filled, schema), schemaName);
}

/** "message: is required", or the message alone for the input itself. */
export const describeProblem = (p: InputProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);

/**
 * The runner's refusal of an answer to a question (400 `invalid_input`), as problems of the
 * answer's own fields (`answer.quantity` → `quantity`); undefined for any other failure.
 */
export function refusedAnswer(error: unknown): InputProblem[] | undefined {
  if (!(error instanceof ApiError) || error.code !== 'invalid_input' || !isObject(error.details) || !Array.isArray(error.details.problems)) return undefined;
  return (error.details.problems as InputProblem[]).map((p) => ({ path: p.path.replace(/^answer\.?/, ''), message: p.message }));
}

/** Problems of a form's fields, by field (shown under it), and the rest (about the value as a whole). */
export function problemsByField(problems: readonly InputProblem[], fields: ReadonlyArray<{ name: string }> | undefined): { byField: Map<string, string[]>; general: InputProblem[] } {
  const names = new Set(fields?.map((f) => f.name));
  const byField = new Map<string, string[]>();
  const general: InputProblem[] = [];
  for (const p of problems) {
    const top = p.path.split('.')[0] ?? '';
    if (fields && names.has(top)) byField.set(top, [...(byField.get(top) ?? []), describeProblem(p)]);
    else general.push(p);
  }
  return { byField, general };
}

/** The defaults a form's fields start with: each top-level property's `default`. */
export const fieldDefaults = (schema: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(isObject(schema.properties) ? schema.properties : {}).flatMap(([name, prop]) => (isObject(prop) && 'default' in prop ? [[name, prop.default]] : [])));

/**
 * A question's answer as the person gave it (the form's value, or the JSON typed when the schema
 * has no form), checked against its schema: the value to send, or the problems to show.
 */
export async function readAnswer(schema: unknown, hasForm: boolean, value: unknown, json: string): Promise<{ given: unknown; problems: InputProblem[] }> {
  let given = value;
  if (!hasForm) {
    try {
      given = JSON.parse(json) as unknown;
    } catch (e) {
      return { given: undefined, problems: [{ path: '', message: `the answer is not valid JSON: ${errorMessage(e)}` }] };
    }
  }
  return { given, problems: await checkInput(given, schema, "the question's form") };
}
