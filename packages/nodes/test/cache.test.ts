import { describe, expect, it, vi } from 'vitest';
import { boundedMemo } from '../src/lib/cache.js';

describe('the memo of parsed templates, expressions and schemas', () => {
  it('makes each value once, and keeps the recently used ones past its limit', () => {
    const make = vi.fn((key: string) => ({ parsed: key }));
    const memo = boundedMemo(2, make);
    const a = memo('a');
    memo('b');
    expect(memo('a')).toBe(a); // a is used again, so b is the one to go
    memo('c');
    expect(memo('a')).toBe(a);
    expect(make.mock.calls.map(([k]) => k)).toEqual(['a', 'b', 'c']);
    memo('b');
    expect(make.mock.calls.map(([k]) => k)).toEqual(['a', 'b', 'c', 'b']);
  });

  it('caches nothing when making the value throws', () => {
    let fail = true;
    const memo = boundedMemo(10, (key: string) => {
      if (fail) throw new Error(`cannot parse ${key}`);
      return [key];
    });
    expect(() => memo('x')).toThrow('cannot parse x');
    fail = false;
    expect(memo('x')).toEqual(['x']);
  });
});
