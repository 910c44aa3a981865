/**
 * A first check of the run input against the input node's JSON Schema, in the browser, so the
 * person sees what is missing before starting a run. It covers the common rules (type, required,
 * enum, const, lengths, bounds, item counts, unknown properties) and leaves the rest (formats,
 * patterns, `anyOf`, `$ref`…) to the runner, which checks the full schema and answers 400 naming
 * the field. It can only miss a problem, never invent one: a rule it does not know passes.
 */
import { schemaType } from './schema-form';

export interface InputProblem {
  /** Where in the input, dotted (`customer.email`); '' for the input itself. */
  path: string;
  message: string;
}

type JsonSchema = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_DEPTH = 20;

export function checkInput(value: unknown, schema: unknown): InputProblem[] {
  const problems: InputProblem[] = [];
  if (isObject(schema)) check(value, schema, '', problems, 0);
  return problems;
}

/** "message: is required", or the message alone for the input itself. */
export const describeProblem = (p: InputProblem) => (p.path ? `${p.path}: ${p.message}` : p.message);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function matchesType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** A JSON type in words: "a string", "an object", "a whole number", "null". */
function noun(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

const join = (path: string, key: string | number) => (path ? `${path}.${key}` : String(key));
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function check(value: unknown, schema: JsonSchema, path: string, out: InputProblem[], depth: number): void {
  if (depth > MAX_DEPTH) return;
  const add = (message: string) => out.push({ path, message });

  const types = typeof schema.type === 'string' ? [schema.type] : Array.isArray(schema.type) ? schema.type.filter((t): t is string => typeof t === 'string') : [];
  if (types.length && !types.some((t) => matchesType(value, t))) {
    add(`must be ${types.map(noun).join(' or ')}, not ${noun(typeOf(value) === 'integer' ? 'number' : typeOf(value))}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => sameJson(option, value))) {
    add(`must be one of ${schema.enum.map((o) => JSON.stringify(o)).join(', ')}`);
  }
  if ('const' in schema && !sameJson(schema.const, value)) add(`must be ${JSON.stringify(schema.const)}`);

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength) add(schema.minLength === 1 ? 'must not be empty' : `must be at least ${plural(schema.minLength, 'character')}`);
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) add(`must be at most ${plural(schema.maxLength, 'character')}`);
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) add(`must be at least ${schema.minimum}`);
    if (typeof schema.maximum === 'number' && value > schema.maximum) add(`must be at most ${schema.maximum}`);
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) add(`must be more than ${schema.exclusiveMinimum}`);
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) add(`must be less than ${schema.exclusiveMaximum}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) add(`must have at least ${plural(schema.minItems, 'item')}`);
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) add(`must have at most ${plural(schema.maxItems, 'item')}`);
    if (isObject(schema.items)) {
      const items = schema.items;
      value.forEach((item, i) => check(item, items, join(path, i), out, depth + 1));
    }
  }
  if (isObject(value) && (schemaType(schema) === 'object' || isObject(schema.properties))) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
    for (const name of required) if (value[name] === undefined) out.push({ path: join(path, name), message: 'is required' });
    for (const [name, item] of Object.entries(value)) {
      const prop = Object.hasOwn(properties, name) ? properties[name] : schema.additionalProperties;
      if (isObject(prop)) check(item, prop, join(path, name), out, depth + 1);
      else if (prop === false) out.push({ path: join(path, name), message: 'is not a property the input schema allows' });
    }
  }
}

/** JSON equality: objects compare by their keys, whatever their order. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}
