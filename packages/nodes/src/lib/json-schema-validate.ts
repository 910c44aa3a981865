import { Validator, type Schema } from '@cfworker/json-schema';
import { boundedMemo } from './cache.js';
import { problemsInWords, type SchemaProblem } from './schema-problems.js';

export { problemsInWords, type SchemaProblem };

/**
 * Validation of user-written JSON Schemas (run input, structured outputs, tool arguments), for
 * the engine and, loaded on demand, the editor's run panel: one validator, so the editor names
 * the problems the runner would refuse. @cfworker/json-schema interprets the schema; it
 * generates no code, so a schema from a flow file never becomes JavaScript.
 *
 * A module of its own (`@trellis/nodes/json-schema`) so the editor can load it lazily.
 */
export interface SchemaViolation {
  /** Where in the value, as a dotted path (`customer.email`), or '' for the value itself. */
  path: string;
  message: string;
}

/** One rule the value breaks. */
export interface SchemaError {
  /** Where in the value: property names and item indexes, outermost first. */
  path: string[];
  /** The keyword of the rule (`type`, `required`, `minLength`, …; `false` for a `false` schema). */
  keyword: string;
  /** The schema holding the keyword, when it can be read from the root (not behind a `$ref`). */
  rule: Record<string, unknown> | undefined;
  /** The validator's own sentence. */
  message: string;
}

// Container keywords only repeat that a child failed; the specific ones are kept when there are any.
const CONTAINER_KEYWORDS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref']);

const validatorByJson = boundedMemo<string, Validator>(500, (json) => new Validator(JSON.parse(json) as Schema, '2020-12', false));
/**
 * The same schema object (a stored flow version's input schema, checked on every request to its
 * endpoint) finds its validator without being serialized again. Schemas are never changed in
 * place once handed here: documents are immutable in the editor's store and cached per version
 * in the runner. The JSON-keyed memo still shares one validator among equal copies.
 */
const validatorByObject = new WeakMap<object, Validator>();
function validatorFor(schema: Record<string, unknown>): Validator {
  let validator = validatorByObject.get(schema);
  if (!validator) validatorByObject.set(schema, (validator = validatorByJson(JSON.stringify(schema))));
  return validator;
}

/** Every rule of `schema` that `value` breaks, the specific ones when there are any. */
export function schemaErrors(value: unknown, schema: Record<string, unknown>): SchemaError[] {
  const result = validatorFor(schema).validate(value);
  if (result.valid) return [];
  // An alternative's own findings are left out: the oneOf/anyOf finding says what was allowed.
  const specific = result.errors.filter((e) => !CONTAINER_KEYWORDS.has(e.keyword) && !/\/(oneOf|anyOf)\/\d+\//.test(e.keywordLocation));
  return (specific.length ? specific : result.errors).map((e) => {
    return {
      path: pointer(e.instanceLocation),
      keyword: e.keyword,
      // A `false` schema's location names no schema object: there is no rule to read.
      rule: e.keyword === 'false' ? undefined : schemaAt(schema, pointer(e.keywordLocation).slice(0, -1)),
      message: e.error,
    };
  });
}

/** Every problem of `value` under `schema` in words a person acts on, in the value's order (see problemsInWords). */
export function schemaProblems(value: unknown, schema: Record<string, unknown>, schemaName?: string): SchemaProblem[] {
  return problemsInWords(value, schemaErrors(value, schema), schemaName);
}

/** Every problem of `value` under `schema`, in words (as schemaProblems says them). */
export function validateJson(value: unknown, schema: Record<string, unknown>): SchemaViolation[] {
  return schemaProblems(value, schema);
}

/** The segments of a `#/a/b` location as the validator writes it. */
function pointer(location: string): string[] {
  return location.replace(/^#\/?/, '').split('/').filter(Boolean);
}

function schemaAt(schema: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let at = schema;
  for (const segment of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[unescapeSegment(segment)];
  }
  return typeof at === 'object' && at !== null && !Array.isArray(at) ? (at as Record<string, unknown>) : undefined;
}

function unescapeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // not percent-encoded after all: read it as it is
  }
  return text.replace(/~1/g, '/').replace(/~0/g, '~');
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `value` with the `default`s of `schema` filled in where it has nothing: an absent property that
 * declares a default gets a copy of it, inside nested objects and array items (`items`,
 * `prefixItems`) too, and through `allOf`. An absent object is not made up for its properties'
 * defaults (it stays absent, as `has()` would say), and `anyOf`/`oneOf`/`$ref` are not followed:
 * which branch applies is not known before validation. Never changes `value`: what it touches
 * is copied, the rest shared. Applied to a run's input before it is checked, so the run and its
 * trace see the input as it is used.
 */
export function applyDefaults(value: unknown, schema: unknown): unknown {
  if (!isPlainObject(schema)) return value;
  let out = value === undefined && 'default' in schema ? structuredClone(schema.default) : value;
  if (Array.isArray(schema.allOf)) for (const part of schema.allOf) out = applyDefaults(out, part);
  if (isPlainObject(out) && isPlainObject(schema.properties)) {
    const entries = Object.entries(out);
    let changed = false;
    const next = entries.map(([key, v]): [string, unknown] => {
      const child = Object.hasOwn(schema.properties as object, key) ? (schema.properties as Record<string, unknown>)[key] : undefined;
      const filled = applyDefaults(v, child);
      if (filled !== v) changed = true;
      return [key, filled];
    });
    for (const [key, child] of Object.entries(schema.properties)) {
      if (Object.hasOwn(out, key) || !isPlainObject(child) || !('default' in child)) continue;
      next.push([key, applyDefaults(undefined, child)]);
      changed = true;
    }
    // fromEntries defines own properties: a `__proto__` key stays a key, never a prototype.
    if (changed) out = Object.fromEntries(next);
  }
  if (Array.isArray(out)) {
    const prefix = Array.isArray(schema.prefixItems) ? schema.prefixItems : [];
    const items = out as unknown[];
    const next = items.map((item, i) => applyDefaults(item, i < prefix.length ? prefix[i] : schema.items));
    if (next.some((item, i) => item !== items[i])) out = next;
  }
  return out;
}
