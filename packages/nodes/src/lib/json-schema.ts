import { Validator, type Schema } from '@cfworker/json-schema';
import { z } from 'zod';
import { boundedMemo } from './cache.js';

/**
 * Validation of user-written JSON Schemas (run input, structured outputs, tool arguments).
 * @cfworker/json-schema interprets the schema; it generates no code, so a schema from a flow
 * file never becomes JavaScript.
 */
export interface SchemaViolation {
  /** Where in the value, as a dotted path (`customer.email`), or '' for the value itself. */
  path: string;
  message: string;
}

/** A JSON Schema as a flow holds it: an object (deeper rules are the validator's). */
export const JsonSchemaObject = z.record(z.string(), z.unknown());

const CONTAINER_KEYWORDS = new Set(['properties', 'items', 'prefixItems', 'allOf', '$ref']);

const validatorByJson = boundedMemo<string, Validator>(500, (json) => new Validator(JSON.parse(json) as Schema, '2020-12', false));
const validatorFor = (schema: Record<string, unknown>) => validatorByJson(JSON.stringify(schema));

export function validateJson(value: unknown, schema: Record<string, unknown>): SchemaViolation[] {
  const result = validatorFor(schema).validate(value);
  if (result.valid) return [];
  // Container keywords only repeat that a child failed; keep the specific ones when there are any.
  const specific = result.errors.filter((e) => !CONTAINER_KEYWORDS.has(e.keyword));
  return (specific.length ? specific : result.errors).map((e) => ({
    path: e.instanceLocation.replace(/^#\/?/, '').split('/').filter(Boolean).join('.'),
    message: e.error,
  }));
}

export function describeViolations(violations: SchemaViolation[], limit = 5): string {
  const shown = violations.slice(0, limit).map((v) => (v.path ? `${v.path}: ${v.message}` : v.message));
  const more = violations.length > limit ? ` (and ${violations.length - limit} more)` : '';
  return shown.join('; ') + more;
}

/**
 * A small value that satisfies a schema (first enum value, defaults, minimum lengths), so the
 * test provider can answer structured-output requests deterministically with no script.
 */
export function sampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > 12) return null;
  const s = schema as Record<string, unknown>;
  if ('const' in s) return s.const;
  if ('default' in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = s[key];
    if (Array.isArray(options) && options.length) return sampleFromSchema(options[0], depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') ?? s.type[0] : s.type;
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, unknown>;
      return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, sampleFromSchema(v, depth + 1)]));
    }
    case 'array': {
      const min = typeof s.minItems === 'number' ? s.minItems : 0;
      return Array.from({ length: Math.min(min, 10) }, () => sampleFromSchema(s.items, depth + 1));
    }
    case 'string': {
      const min = typeof s.minLength === 'number' ? s.minLength : 0;
      return 'test'.padEnd(min, '-');
    }
    case 'integer':
    case 'number':
      return typeof s.minimum === 'number' ? s.minimum : 0;
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return s.properties ? sampleFromSchema({ ...s, type: 'object' }, depth) : null;
  }
}
