/** Issue 13: a value that breaks a JSON Schema is told so in words naming the field and what to do, never in validator jargon. */
import { describe, expect, it } from 'vitest';
import { validateJson } from '../src/lib/json-schema-validate.js';

const schema = {
  type: 'object',
  properties: {
    n: { type: 'number', minimum: 1 },
    kind: { enum: ['a', 'b'] },
    email: { type: 'string', format: 'email' },
    pick: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    either: { anyOf: [{ type: 'object', required: ['id'] }, { const: 'none' }] },
    both: { oneOf: [{ type: 'number' }, { minimum: 0 }] },
  },
  required: ['n', 'q'],
  additionalProperties: false,
};

describe('schema problems in words', () => {
  it('says each common rule as what the field must be', () => {
    expect(validateJson({ n: 0, kind: 'c', email: 'nope', pick: true, either: 3, both: 2, extra: 1 }, schema)).toEqual([
      { path: 'q', message: 'is required' },
      { path: 'n', message: 'must be at least 1' },
      { path: 'kind', message: 'must be one of "a", "b"' },
      { path: 'email', message: 'must be an e-mail address, e.g. name@example.com' },
      { path: 'pick', message: 'must be a string or a number' },
      { path: 'either', message: 'must be an object with id or "none"' },
      { path: 'both', message: 'matches more than one of the allowed shapes (a number or shape 2): make it match exactly one' },
      { path: 'extra', message: 'is not a property the schema allows: remove it' },
    ]);
    expect(validateJson({ n: 'seven' }, { type: 'object', properties: { n: { type: 'number' } } })).toEqual([{ path: 'n', message: 'must be a number, not a string' }]);
  });

  it('never passes the validator\'s own sentences on', () => {
    const odd = { type: 'object', properties: { tags: { type: 'array', uniqueItems: true } } };
    const [problem] = validateJson({ tags: [1, 1] }, odd);
    expect(problem).toEqual({ path: 'tags', message: 'does not meet the "uniqueItems" rule of the schema' });
    expect(JSON.stringify(validateJson({ n: true, pick: null, extra: 1 }, schema))).not.toMatch(/Instance|invalid\.|subschema|boolean schema/);
  });
});
