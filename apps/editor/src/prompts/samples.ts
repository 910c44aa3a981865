import { errorMessage } from '@trellis/schema';
/**
 * The sample variables "Try it" renders a prompt with. A template reads dotted paths
 * (`input.message`, `ticket.subject`); each path gets a text field, and a JSON box takes
 * anything else (numbers, lists, nested objects). The fields are set on top of the JSON.
 */

export interface SampleField {
  /** The dotted path as the field's label shows it, e.g. `input.message`. */
  key: string;
  path: string[];
}

export interface SampleFields {
  /** One text field per path the template reads (the deepest ones: `input.message`, not `input`). */
  fields: SampleField[];
  /** Variables read with an index (`items[0]`): only the JSON box can set them. */
  jsonOnly: string[];
}

export interface SampleDraft {
  /** The text fields' values, by key. */
  values: Record<string, string>;
  /** The JSON box: an object of variables, or empty. */
  json: string;
}

export type BuiltSample = { ok: true; vars: Record<string, unknown>; unset: string[] } | { ok: false; error: string };

export const emptySample = (): SampleDraft => ({ values: {}, json: '' });

const BRACKETS = /\[["']?([^\]"']+)["']?\]/g;
const INDEX = /^\d+$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The form for a template's variables (as templateVariables reports them). */
export function sampleFields(variables: readonly string[]): SampleFields {
  const paths: string[][] = [];
  const jsonOnly: string[] = [];
  for (const variable of variables) {
    const path = variable.replace(BRACKETS, '.$1').split('.').filter(Boolean);
    if (path.length === 0) continue;
    if (path.some((segment) => INDEX.test(segment))) {
      if (!jsonOnly.includes(path[0]!)) jsonOnly.push(path[0]!);
      continue;
    }
    paths.push(path);
  }
  const keys = [...new Set(paths.map((p) => p.join('.')))];
  // `input` and `input.message` both read: the field for `input.message` covers `input`.
  const leaves = keys.filter((key) => !keys.some((other) => other.startsWith(`${key}.`)));
  return { fields: leaves.map((key) => ({ key, path: key.split('.') })), jsonOnly: jsonOnly.filter((root) => !leaves.some((k) => k.split('.')[0] === root)) };
}

function valueAt(vars: Record<string, unknown>, path: readonly string[]): unknown {
  let at: unknown = vars;
  for (const segment of path) {
    if (!isObject(at)) return undefined;
    at = at[segment];
  }
  return at;
}

/** The variables of one sample, or why they cannot be made; `unset` lists what would render empty. */
export function buildSample(draft: SampleDraft, form: SampleFields): BuiltSample {
  let vars: Record<string, unknown> = {};
  if (draft.json.trim() !== '') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(draft.json);
    } catch (e) {
      return { ok: false, error: `The JSON is not valid: ${errorMessage(e)}` };
    }
    if (!isObject(parsed)) return { ok: false, error: 'The JSON must be an object of variables, e.g. {"input": {"message": "Hello"}}.' };
    vars = parsed;
  }
  for (const { key, path } of form.fields) {
    const value = draft.values[key] ?? '';
    if (value === '') continue;
    let at = vars;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i]!;
      const next = at[segment];
      if (next === undefined) at[segment] = {};
      else if (!isObject(next)) return { ok: false, error: `${key}: the JSON sets "${path.slice(0, i + 1).join('.')}" to something other than an object.` };
      at = at[segment] as Record<string, unknown>;
    }
    at[path[path.length - 1]!] = value;
  }
  const unset = [...form.fields.map((f) => f.key).filter((key, i) => valueAt(vars, form.fields[i]!.path) === undefined), ...form.jsonOnly.filter((root) => vars[root] === undefined)];
  return { ok: true, vars, unset };
}
