/** An input schema's `default`s fill in what the run input leaves out, without touching the caller's value. */
import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../src/lib/json-schema-validate.js';
import { schemaErrors } from '../src/lib/json-schema-validate.js';

const schema = {
  type: 'object',
  properties: {
    message: { type: 'string' },
    tone: { type: 'string', default: 'friendly' },
    limit: { type: 'integer', default: 3 },
    options: {
      type: 'object',
      properties: { lang: { type: 'string', default: 'en' }, cc: { type: 'array', default: [] }, deep: { type: 'object', properties: { on: { type: 'boolean', default: true } } } },
      required: ['lang'],
    },
    lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer', default: 1 } }, required: ['sku', 'qty'] } },
    pair: { type: 'array', prefixItems: [{ type: 'object', properties: { a: { default: 'first' } } }, { type: 'object', properties: { b: { default: 'second' } } }] },
  },
  required: ['message', 'limit'],
};

describe('applyDefaults', () => {
  it('fills in absent fields that have a default, and the input then passes the check', () => {
    const input = { message: 'hi' };
    expect(schemaErrors(input, schema).map((e) => e.keyword)).toEqual(['required']);
    const filled = applyDefaults(input, schema);
    expect(filled).toEqual({ message: 'hi', tone: 'friendly', limit: 3 });
    expect(schemaErrors(filled, schema)).toEqual([]);
  });

  it('keeps what was given, null included', () => {
    expect(applyDefaults({ message: 'hi', tone: 'curt', limit: 9 }, schema)).toEqual({ message: 'hi', tone: 'curt', limit: 9 });
    expect(applyDefaults({ message: 'hi', tone: null }, schema)).toMatchObject({ tone: null });
  });

  it('fills in nested objects, but does not make up an absent object for its defaults', () => {
    expect(applyDefaults({ message: 'hi', options: { deep: {} } }, schema)).toEqual({
      message: 'hi', tone: 'friendly', limit: 3, options: { lang: 'en', cc: [], deep: { on: true } },
    });
    expect(applyDefaults({ message: 'hi' }, schema)).not.toHaveProperty('options');
  });

  it('fills in every array item, and tuple items by position', () => {
    const filled = applyDefaults({ message: 'hi', lines: [{ sku: 'A' }, { sku: 'B', qty: 5 }], pair: [{}, {}, {}] }, schema) as Record<string, unknown>;
    expect(filled.lines).toEqual([{ sku: 'A', qty: 1 }, { sku: 'B', qty: 5 }]);
    expect(filled.pair).toEqual([{ a: 'first' }, { b: 'second' }, {}]);
    expect(schemaErrors(filled, schema)).toEqual([]);
  });

  it("never changes the caller's value, and each run gets its own copy of a default", () => {
    const input = { message: 'hi', options: {}, lines: [{ sku: 'A' }] };
    const before = structuredClone(input);
    const first = applyDefaults(input, schema) as { options: { cc: unknown[] } };
    expect(input).toEqual(before);
    first.options.cc.push('x');
    expect((applyDefaults(input, schema) as { options: { cc: unknown[] } }).options.cc).toEqual([]);
    expect(schema.properties.options.properties.cc.default).toEqual([]);
  });

  it('follows allOf, returns the same value when nothing is missing, and keeps __proto__ a plain key', () => {
    expect(applyDefaults({}, { allOf: [{ properties: { a: { default: 1 } } }, { properties: { b: { default: 2 } } }] })).toEqual({ a: 1, b: 2 });
    const complete = { message: 'hi', tone: 'x', limit: 1 };
    expect(applyDefaults(complete, schema)).toBe(complete);
    const hostile = applyDefaults(JSON.parse('{"__proto__": {"polluted": true}}'), { properties: { x: { default: 1 } } }) as Record<string, unknown>;
    expect(Object.getPrototypeOf(hostile)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(applyDefaults(undefined, { type: 'object', default: { a: 1 } })).toEqual({ a: 1 });
    expect(applyDefaults('text', schema)).toBe('text');
  });
});
