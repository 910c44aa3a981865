/**
 * JSON numbers in CEL conditions: input arrives as doubles, literals such as `1` are ints, and
 * the two mix the way someone writing `input.n + 1 > 3` expects.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from '../src/lib/expression.js';

const scope = {
  input: { n: 2, i: 1, limit: 5, price: 10, half: 2.5, name: 'Ada', nothing: null, list: [1, 2, 3] },
  nodes: { count: { output: { total: 7 } } },
  vars: {},
  items: ['a', 'b', 'c'],
};
const cel = (source: string) => evaluateExpression(source, scope);

describe('numbers in expressions', () => {
  it('adds, subtracts, multiplies and divides a JSON number and a whole literal', () => {
    expect(cel('input.n + 1 > 3')).toBe(false);
    expect(cel('input.n + 2 > 3')).toBe(true);
    expect(cel('input.n + 1')).toBe(3);
    expect(cel('1 + input.n')).toBe(3);
    expect(cel('input.n - 5')).toBe(-3);
    expect(cel('10 - input.n')).toBe(8);
    expect(cel('input.n * 3')).toBe(6);
    expect(cel('input.price * 1.2')).toBeCloseTo(12);
    expect(cel('input.n / 4')).toBe(0.5);
    expect(cel('5 / input.n')).toBe(2.5);
    expect(cel('1 + 1.5')).toBe(2.5);
    expect(typeof cel('input.n + 1')).toBe('number');
  });

  it('takes remainders of JSON numbers', () => {
    expect(cel('input.n % 2 == 0')).toBe(true);
    expect(cel('(input.n + 1) % 2 == 0')).toBe(false);
    expect(cel('input.half % 2')).toBe(0.5);
    expect(cel('7 % input.n')).toBe(1);
    expect(cel('nodes.count.output.total % input.n == 1')).toBe(true);
  });

  it('compares and tests equality across whole literals and JSON numbers', () => {
    expect(cel('input.n == 2')).toBe(true);
    expect(cel('input.n == 2.0')).toBe(true);
    expect(cel('input.n != 3')).toBe(true);
    expect(cel('input.n >= 2 && input.n < 3')).toBe(true);
    expect(cel('input.half > 2')).toBe(true);
    expect(cel('2 in input.list')).toBe(true);
    expect(cel('input.list == [1, 2, 3]')).toBe(true);
  });

  it('does arithmetic with size()', () => {
    expect(cel('size(items) * 2 > input.limit')).toBe(true);
    expect(cel('size(items) + input.n')).toBe(5);
    expect(cel('size(input.list) - input.i == 2')).toBe(true);
    expect(cel('size(items) / 2')).toBe(1); // two ints: CEL's integer division
  });

  it('uses whole JSON numbers as list indexes', () => {
    expect(cel('items[input.i]')).toBe('b');
    expect(cel('input.list[input.n]')).toBe(3);
    expect(cel('items[input.n - 1]')).toBe('b');
  });

  it('treats missing and null fields plainly', () => {
    expect(cel('has(input.missing)')).toBe(false);
    expect(cel('has(input.n) && input.n + 1 == 3')).toBe(true);
    expect(cel('has(input.missing) ? input.missing + 1 : 0')).toBe(0);
    expect(cel('input.nothing == null')).toBe(true);
    expect(cel('has(input.nothing)')).toBe(true);
    expect(cel('input.nothing == null || input.nothing + 1 > 0')).toBe(true);
    expect(() => cel('input.missing + 1')).toThrow(/input\.missing/);
    expect(() => cel('input.nothing + 1')).toThrow(/input\.nothing/);
  });
});
