import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { TrellisError } from '@trellis/nodes';
import { StoreConflict } from '../store/types.js';

/** An error a client caused or must know about: it becomes `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string | number) => new ApiError(404, 'not_found', `there is no ${what} "${id}"`);

/** Engine errors a request can cause, and the status each deserves. */
const engineStatus: Record<string, ContentfulStatusCode> = {
  not_found: 404,
  invalid_flow: 422,
  invalid_mocks: 400,
  invalid_input: 400,
  unknown_wait: 409,
  already_decided: 409,
  run_finished: 409,
  run_active: 409,
  run_busy: 409,
  shutting_down: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
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

/**
 * Turns anything thrown into a response. Only ApiError, HTTPException and the engine's own
 * coded errors reach the client with their message; anything else is logged and answered
 * with a generic 500, never a stack trace.
 */
export function toResponse(error: unknown, c: Context, log: (error: unknown) => void): Response {
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers ?? {})) c.header(name, value);
    return c.json(errorBody(error.code, error.message, error.details), error.status);
  }
  if (error instanceof StoreConflict) return c.json(errorBody('conflict', error.message), 409);
  if (TrellisError.isInstance(error) && engineStatus[error.code]) {
    return c.json(errorBody(error.code, error.message), engineStatus[error.code]!);
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
