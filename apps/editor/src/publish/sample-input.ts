import { flowInputSchema } from '@trellis/nodes';
import type { Flow } from '@trellis/schema';

/** A request body the panel can put in the curl command. */
export interface SampleBody {
  /** What the person picks it by: a saved sample's name, or the schema-built one. */
  label: string;
  body: unknown;
}

export const FROM_SCHEMA_LABEL = 'built from the input schema';

/** The flow's saved samples first (their inputs are known to be good), then one built from its input schema. */
export function sampleBodies(flow: Flow): SampleBody[] {
  const saved = (flow.samples ?? []).map((s) => ({ label: s.name, body: s.input ?? {} }));
  return [...saved, { label: FROM_SCHEMA_LABEL, body: exampleFromSchema(flowInputSchema(flow)) }];
}

type Schema = Record<string, unknown>;
const MAX_DEPTH = 6;

/**
 * A small value that the schema accepts in the common cases: the schema's own example, default,
 * const or first enum value when it has one; otherwise required properties only, the minimum
 * number of items, and strings and numbers within their bounds. `$ref` and `pattern` are not
 * followed; the person edits the body from there.
 */
export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== 'object' || depth > MAX_DEPTH) return {};
  const s = schema as Schema;
  if (Array.isArray(s.examples) && s.examples.length) return s.examples[0];
  if ('default' in s) return s.default;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const choice = [s.oneOf, s.anyOf, s.allOf].find((list): list is unknown[] => Array.isArray(list) && list.length > 0);
  if (choice) return exampleFromSchema(choice[0], depth + 1);
  switch (typeOf(s)) {
    case 'object':
      return objectExample(s, depth);
    case 'array': {
      const count = typeof s.minItems === 'number' ? Math.min(s.minItems, 3) : 0;
      return Array.from({ length: count }, () => exampleFromSchema(s.items, depth + 1));
    }
    case 'string':
      return stringExample(s);
    case 'integer':
    case 'number':
      return numberExample(s);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default:
      return {};
  }
}

function typeOf(s: Schema): string | undefined {
  if (typeof s.type === 'string') return s.type;
  if (Array.isArray(s.type)) return s.type.find((t): t is string => typeof t === 'string' && t !== 'null') ?? 'null';
  if (s.properties && typeof s.properties === 'object') return 'object';
  if (s.items) return 'array';
  return undefined;
}

function objectExample(s: Schema, depth: number): Record<string, unknown> {
  const properties = s.properties && typeof s.properties === 'object' ? (s.properties as Record<string, unknown>) : {};
  const required = Array.isArray(s.required) ? s.required.filter((k): k is string => typeof k === 'string') : [];
  // Only the required properties make the smallest valid body; with none required, show the shape.
  const keys = required.length ? required : Object.keys(properties);
  return Object.fromEntries(keys.map((key) => [key, exampleFromSchema(properties[key] ?? {}, depth + 1)]));
}

function stringExample(s: Schema): string {
  const byFormat: Record<string, string> = {
    email: 'someone@example.com',
    uri: 'https://example.com',
    url: 'https://example.com',
    'date-time': '2025-01-01T00:00:00Z',
    date: '2025-01-01',
    time: '12:00:00',
    uuid: '00000000-0000-4000-8000-000000000000',
  };
  let text = (typeof s.format === 'string' && byFormat[s.format]) || 'text';
  const min = typeof s.minLength === 'number' ? s.minLength : 0;
  const max = typeof s.maxLength === 'number' ? s.maxLength : Infinity;
  if (text.length < min) text = text.padEnd(min, 'x');
  return text.slice(0, max);
}

function numberExample(s: Schema): number {
  const integer = s.type === 'integer';
  let value = 0;
  if (typeof s.minimum === 'number') value = s.minimum;
  else if (typeof s.exclusiveMinimum === 'number') value = integer ? Math.floor(s.exclusiveMinimum) + 1 : s.exclusiveMinimum + 1;
  if (typeof s.maximum === 'number' && value > s.maximum) value = s.maximum;
  if (typeof s.exclusiveMaximum === 'number' && value >= s.exclusiveMaximum) value = integer ? Math.ceil(s.exclusiveMaximum) - 1 : s.exclusiveMaximum - 1;
  return integer ? Math.ceil(value) : value;
}
