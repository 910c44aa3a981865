import { APICallError, type AISDKError } from '@ai-sdk/provider';
import { TrellisError, errorMessage } from '../errors.js';

/** Any error a node throws, as a TrellisError with a code, a message a person can act on, and retryability. */
export function normalizeError(error: unknown): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  if (APICallError.isInstance(error)) return fromApiCall(error);
  const inner = (error as { lastError?: unknown; name?: string })?.lastError;
  if ((error as AISDKError)?.name === 'AI_RetryError' && inner) return normalizeError(inner);
  if ((error as Error)?.name === 'AbortError') return new TrellisError('cancelled', 'cancelled', { cause: error });
  const broken = fromStreamError(error);
  if (broken) return broken;
  const name = (error as Error)?.name;
  if (name === 'TemplateError') return new TrellisError('template_error', errorMessage(error), { cause: error });
  if (name === 'AI_NoSuchToolError') return new TrellisError('unknown_tool', errorMessage(error), { cause: error });
  return new TrellisError('node_error', errorMessage(error), { cause: error });
}

function fromApiCall(error: APICallError): TrellisError {
  const status = error.statusCode;
  const host = safeHost(error.url);
  const detail = providerMessage(error) ?? error.message;
  const hint =
    status === 401 || status === 403
      ? ' (check the API key in the environment)'
      : status === 404
        ? ' (check the model name)'
        : status === 429
          ? ' (rate limited: slow down, or raise the provider limit)'
          : '';
  const retryAfter = Number(error.responseHeaders?.['retry-after']);
  return new TrellisError(
    status ? `model_http_${status}` : 'model_unreachable',
    `${host} ${status ? `answered ${status}` : 'could not be reached'}: ${detail}${hint}`,
    { retryable: error.isRetryable, ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}), cause: error },
  );
}

/** The HTTP status each of Anthropic's error types stands for (https://docs.anthropic.com/en/api/errors). */
const STREAM_ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/**
 * An `error` event in the middle of a streamed answer, which the SDK passes on as the event's
 * plain `{ type, message }` (Anthropic sends `overloaded_error` this way under load). It gets
 * the code and retryability of the HTTP error it stands for, as when it opens the stream.
 */
function fromStreamError(error: unknown): TrellisError | undefined {
  if (typeof error !== 'object' || error === null || error instanceof Error) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  const status = typeof type === 'string' ? STREAM_ERROR_STATUS[type] : undefined;
  if (status === undefined || typeof message !== 'string') return undefined;
  return new TrellisError(`model_http_${status}`, `the model provider broke off its answer: ${message} (${type as string})`, {
    retryable: status === 429 || status >= 500,
    cause: error,
  });
}

function providerMessage(error: APICallError): string | undefined {
  const data = error.data as { error?: { message?: unknown } } | undefined;
  if (typeof data?.error?.message === 'string') return data.error.message;
  try {
    const body = JSON.parse(error.responseBody ?? '') as { error?: { message?: unknown } };
    return typeof body.error?.message === 'string' ? body.error.message : undefined;
  } catch {
    return undefined;
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the model provider';
  }
}
