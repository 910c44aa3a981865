import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { TrellisError, errorSpec, type ErrorBody, type ErrorCode } from '@trellis/schema';

export { TrellisError };

export const notFound = (what: string, id: string | number) => new TrellisError('not_found', `there is no ${what} "${id}"`);

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** The path and message of each zod issue, e.g. `input.email: Invalid email`. */
export function zodDetails(error: ZodError, root?: string): { problems: Array<{ path: string; message: string }> } {
  return {
    problems: error.issues.map((issue) => ({
      path: [root, ...issue.path.map(String)].filter(Boolean).join('.'),
      message: issue.message,
    })),
  };
}

export function describeProblems(problems: Array<{ path: string; message: string }>): string {
  const shown = problems.slice(0, 3).map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
  return shown.join('; ') + (problems.length > 3 ? ` (and ${problems.length - 3} more)` : '');
}

/** A request refused over its fields: `invalid_request`, with each field named. */
export function invalidRequest(problems: Array<{ path: string; message: string }>): TrellisError {
  return new TrellisError('invalid_request', describeProblems(problems), { details: { problems } });
}

/** Who a 401 asks for credentials: the published endpoints' keys, or the admin token. */
const CHALLENGE: Partial<Record<ErrorCode, string>> = {
  missing_key: 'Bearer realm="trellis"',
  invalid_key: 'Bearer realm="trellis"',
  revoked_key: 'Bearer realm="trellis"',
  missing_token: 'Bearer realm="trellis-admin"',
  invalid_token: 'Bearer realm="trellis-admin"',
};

/**
 * Turns anything thrown into a response: the one place where an error's code becomes an HTTP
 * status (the catalog's, packages/schema/src/errors.ts). A coded error reaches the client with
 * its message and details; a code the catalog does not list (a step's own) and anything else
 * is logged and answered with a generic 500, never a stack trace.
 */
export function toResponse(error: unknown, c: Context, log: (error: unknown) => void): Response {
  if (TrellisError.isInstance(error)) {
    const spec = errorSpec(error.code);
    if (spec) {
      const challenge = CHALLENGE[error.code as ErrorCode];
      if (challenge) c.header('WWW-Authenticate', challenge);
      if (error.retryAfterMs !== undefined) c.header('Retry-After', String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
      return c.json(errorBody(error.code as ErrorCode, error.message, error.details), spec.status);
    }
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    if (status === 413) return c.json(errorBody('payload_too_large', error.message || 'the request body is too large'), 413);
    if (status === 415) return c.json(errorBody('unsupported_media_type', 'send the body as JSON, with Content-Type: application/json'), 415);
    const message = error.message || 'the request could not be read';
    return c.json(errorBody(status === 400 && /json/i.test(message) ? 'invalid_json' : 'bad_request', message), status);
  }
  log(error);
  return c.json(errorBody('internal', 'something went wrong on the server; the error is in its log'), 500);
}
