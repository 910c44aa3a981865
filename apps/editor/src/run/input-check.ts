/**
 * The check of the run input (or a question's answer) against its JSON Schema, in the browser,
 * so the person sees what is wrong before starting a run or sending an answer. The rules are
 * checked by the engine's own validator and put in the runner's own words
 * (`@trellis/nodes/json-schema`, loaded on first use so the editor's first load stays small), so
 * the editor refuses exactly what the runner would, saying it the same way.
 */
import type { SchemaProblem } from '@trellis/nodes/json-schema';

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
