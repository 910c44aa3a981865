import { z } from 'zod';
import type { SchemaViolation } from './json-schema-validate.js';

// The validator itself (validateJson) lives in json-schema-validate.ts, and is imported from
// there: the editor loads it on demand, and a re-export here would pull it into its first load.

/** A JSON Schema as a flow holds it: an object (deeper rules are the validator's). */
export const JsonSchemaObject = z.record(z.string(), z.unknown());

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
