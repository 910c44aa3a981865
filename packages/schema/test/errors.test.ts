import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, ERROR_CODES, TrellisError, errorMessage, errorSpec } from '../src/index.js';

describe('the error catalog', () => {
  it('gives every code a status, whether to retry and what its message says', () => {
    expect(ERROR_CODES.length).toBeGreaterThan(20);
    for (const code of ERROR_CODES) {
      const spec = ERROR_CATALOG[code];
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.message.length, code).toBeGreaterThan(5);
      expect(typeof spec.retryable, code).toBe('boolean');
    }
    expect(errorSpec('not_found')).toMatchObject({ status: 404, retryable: false });
    expect(errorSpec('rate_limited')).toMatchObject({ status: 429, retryable: true });
  });

  it('knows nothing of a step\'s own codes, nor of inherited object keys', () => {
    expect(errorSpec('timeout')).toBeUndefined();
    expect(errorSpec('toString')).toBeUndefined();
    expect(errorSpec('__proto__')).toBeUndefined();
  });
});

describe('TrellisError', () => {
  it('carries its code, details and wait, and is recognised across module copies by its mark', () => {
    const error = new TrellisError('invalid_input', 'input.n: must be a number', { details: { problems: [{ path: 'input.n', message: 'must be a number' }] }, retryAfterMs: 2000 });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'TrellisError', code: 'invalid_input', retryable: false, retryAfterMs: 2000, details: { problems: [{ path: 'input.n' }] } });
    expect(TrellisError.isInstance(error)).toBe(true);
    expect(TrellisError.isInstance({ [Symbol.for('trellis.error')]: true })).toBe(true);
    expect(TrellisError.isInstance(new Error('plain'))).toBe(false);
    expect(TrellisError.isInstance(null)).toBe(false);
  });

  it('is retried by the engine only when it says so', () => {
    expect(new TrellisError('timeout', 'slow', { retryable: true }).retryable).toBe(true);
    // The catalog says a 503 may be tried again by a caller; a step is retried only on its own word.
    expect(new TrellisError('shutting_down', 'bye').retryable).toBe(false);
  });
});

describe('errorMessage', () => {
  it('says what was thrown, whatever it was', () => {
    expect(errorMessage(new Error('disk full'))).toBe('disk full');
    expect(errorMessage('plain words')).toBe('plain words');
    expect(errorMessage({ code: 42 })).toBe('{"code":42}');
    expect(errorMessage(undefined)).toBe('undefined');
    expect(errorMessage(Symbol('s'))).toBe('Symbol(s)');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(errorMessage(circular)).toBe('[object Object]');
  });
});
