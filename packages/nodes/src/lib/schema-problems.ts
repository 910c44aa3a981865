/**
 * A value's problems under a JSON Schema in words a person acts on ("quantity: must be a number,
 * not a string", "name: is required"), in the order of the value: the validator's findings
 * (schemaErrors) put in sentences. The editor's run input and answer forms, the runner's refusal
 * of a run input or of a question's answer, and the terminal's question form all say the same.
 */
import type { SchemaError } from './json-schema-validate.js';

export interface SchemaProblem {
  /** Where in the value, dotted (`customer.email`); '' for the value itself. */
  path: string;
  message: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Each of `errors` (schemaErrors of `value`) in words, in the value's order. `schemaName` names the schema in a sentence ("the input schema"). */
export function problemsInWords(value: unknown, errors: readonly SchemaError[], schemaName = 'the schema'): SchemaProblem[] {
  return inInputOrder(errors.flatMap((e) => inWords(e, value, schemaName)), value);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** A JSON type in words: "a string", "an object", "a whole number", "null". */
function noun(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'null') return 'null';
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface PlacedProblem extends SchemaProblem {
  segments: string[];
}

function valueAt(value: unknown, path: readonly string[]): unknown {
  let at = value;
  for (const segment of path) at = isObject(at) || Array.isArray(at) ? (at as Record<string, unknown>)[segment] : undefined;
  return at;
}

/** The validator's finding as a person reads it; its own sentence for rules without words here. */
function inWords(e: SchemaError, input: unknown, schemaName: string): PlacedProblem[] {
  const at = (segments: string[], message: string): PlacedProblem[] => [{ segments, path: segments.join('.'), message }];
  const rule = e.rule ?? {};
  const value = valueAt(input, e.path);
  const here = (message: string) => at(e.path, message);
  switch (e.keyword) {
    case 'required': {
      const name = /required property "(.*)"\.?$/.exec(e.message)?.[1];
      return name === undefined ? here(e.message) : at([...e.path, name], 'is required');
    }
    case 'type': {
      const types = typeof rule.type === 'string' ? [rule.type] : Array.isArray(rule.type) ? rule.type.filter((t): t is string => typeof t === 'string') : [];
      if (!types.length) break;
      return here(`must be ${types.map(noun).join(' or ')}, not ${noun(typeOf(value) === 'integer' ? 'number' : typeOf(value))}`);
    }
    case 'enum':
      if (Array.isArray(rule.enum)) return here(`must be one of ${rule.enum.map((o) => JSON.stringify(o)).join(', ')}`);
      break;
    case 'const':
      if ('const' in rule) return here(`must be ${JSON.stringify(rule.const)}`);
      break;
    case 'minLength':
      if (typeof rule.minLength === 'number') return here(rule.minLength === 1 ? 'must not be empty' : `must be at least ${plural(rule.minLength, 'character')}`);
      break;
    case 'maxLength':
      if (typeof rule.maxLength === 'number') return here(`must be at most ${plural(rule.maxLength, 'character')}`);
      break;
    case 'minimum':
      if (typeof rule.minimum === 'number') return here(`must be at least ${rule.minimum}`);
      break;
    case 'maximum':
      if (typeof rule.maximum === 'number') return here(`must be at most ${rule.maximum}`);
      break;
    case 'exclusiveMinimum':
      if (typeof rule.exclusiveMinimum === 'number') return here(`must be more than ${rule.exclusiveMinimum}`);
      break;
    case 'exclusiveMaximum':
      if (typeof rule.exclusiveMaximum === 'number') return here(`must be less than ${rule.exclusiveMaximum}`);
      break;
    case 'minItems':
      if (typeof rule.minItems === 'number') return here(`must have at least ${plural(rule.minItems, 'item')}`);
      break;
    case 'maxItems':
      if (typeof rule.maxItems === 'number') return here(`must have at most ${plural(rule.maxItems, 'item')}`);
      break;
    case 'pattern':
      if (typeof rule.pattern === 'string') return here(`must match the pattern ${rule.pattern}`);
      break;
    case 'format': {
      // Under a $ref the rule is not at hand; the validator's sentence names the format.
      const format = typeof rule.format === 'string' ? rule.format : /format "([^"]+)"/.exec(e.message)?.[1];
      if (format) return here(`must be ${FORMATS[format] ?? `a valid ${format}`}`);
      break;
    }
    case 'oneOf':
    case 'anyOf': {
      const options = rule[e.keyword];
      if (!Array.isArray(options)) break;
      const allowed = options.map(describeShape).join(' or ');
      if (e.keyword === 'oneOf' && !/\(0 matches\)/.test(e.message)) return here(`matches more than one of the allowed shapes (${allowed}): make it match exactly one`);
      return here(`must be ${allowed}`);
    }
    // The property it names is reported by the `false` schema it failed (or by the rule of the
    // schema it has to match), which says where.
    case 'additionalProperties':
      return [];
    case 'false': {
      const parent = valueAt(input, e.path.slice(0, -1));
      return here(isObject(parent) ? `is not a property ${schemaName} allows: remove it` : `is not allowed by ${schemaName}`);
    }
  }
  return here(`does not meet the "${e.keyword}" rule of ${schemaName}`);
}

/** The common string formats in words, with an example. */
const FORMATS: Record<string, string> = {
  email: 'an e-mail address, e.g. name@example.com',
  'date-time': 'a date and time, e.g. 2026-01-31T09:30:00Z',
  date: 'a date, e.g. 2026-01-31',
  time: 'a time, e.g. 09:30:00Z',
  uri: 'a full URL, e.g. https://example.com/page',
  uuid: 'a UUID, e.g. 123e4567-e89b-12d3-a456-426614174000',
};

/** One alternative of a oneOf/anyOf in words: its type or value when it has one. */
function describeShape(option: unknown, index: number): string {
  if (!isObject(option)) return `shape ${index + 1}`;
  if ('const' in option) return JSON.stringify(option.const);
  if (Array.isArray(option.enum)) return `one of ${option.enum.map((o) => JSON.stringify(o)).join(', ')}`;
  const types = typeof option.type === 'string' ? [option.type] : Array.isArray(option.type) ? option.type.filter((t): t is string => typeof t === 'string') : [];
  if (!types.length) return typeof option.title === 'string' ? option.title : `shape ${index + 1}`;
  const what = types.map(noun).join(' or ');
  return Array.isArray(option.required) && option.required.length ? `${what} with ${option.required.join(', ')}` : what;
}

/**
 * The problems in the order a person reads the input: an object's missing properties first,
 * then its properties in the input's order, each value's own problems before those inside it.
 */
function inInputOrder(problems: PlacedProblem[], input: unknown): SchemaProblem[] {
  const rank = (segments: string[]): number[] => {
    const ranks: number[] = [];
    let at = input;
    for (const segment of segments) {
      if (Array.isArray(at)) ranks.push(Number(segment));
      else if (isObject(at)) ranks.push(Object.hasOwn(at, segment) ? Object.keys(at).indexOf(segment) : -1);
      else ranks.push(-1);
      at = valueAt(at, [segment]);
    }
    return ranks;
  };
  const ranked = problems.map((p, i) => ({ p, key: rank(p.segments), i }));
  ranked.sort((a, b) => {
    for (let k = 0; k < Math.min(a.key.length, b.key.length); k++) if (a.key[k] !== b.key[k]) return a.key[k]! - b.key[k]!;
    return a.key.length - b.key.length || a.i - b.i;
  });
  return ranked.map(({ p }) => ({ path: p.path, message: p.message }));
}
