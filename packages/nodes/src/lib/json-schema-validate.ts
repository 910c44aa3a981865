import { Validator, type Schema } from '@cfworker/json-schema';
import { boundedMemo } from './cache.js';

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

/** Every rule of `schema` that `value` breaks, the specific ones when there are any. */
export function schemaErrors(value: unknown, schema: Record<string, unknown>): SchemaError[] {
  const result = validatorByJson(JSON.stringify(schema)).validate(value);
  if (result.valid) return [];
  const specific = result.errors.filter((e) => !CONTAINER_KEYWORDS.has(e.keyword));
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

export function validateJson(value: unknown, schema: Record<string, unknown>): SchemaViolation[] {
  return schemaErrors(value, schema).map((e) => ({ path: e.path.join('.'), message: e.message }));
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
