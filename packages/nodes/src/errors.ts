/**
 * Errors with a stable code, a message a person can act on, and whether trying again may help.
 * Marked with a symbol rather than checked with instanceof, so they survive duplicated
 * module copies (the AI SDK does the same).
 */
const marker = Symbol.for('trellis.error');

export class TrellisError extends Error {
  readonly [marker] = true;
  readonly code: string;
  readonly retryable: boolean;
  /** Milliseconds the other side asked us to wait before trying again (HTTP Retry-After). */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, options: { retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrellisError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
  }

  static isInstance(error: unknown): error is TrellisError {
    return typeof error === 'object' && error !== null && marker in error;
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
