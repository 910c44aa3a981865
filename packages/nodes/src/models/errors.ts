import { APICallError, type AISDKError } from '@ai-sdk/provider';
import { TrellisError, errorMessage } from '../errors.js';

/** Any error a node throws, as a TrellisError with a code, a message a person can act on, and retryability. */
export function normalizeError(error: unknown): TrellisError {
  if (TrellisError.isInstance(error)) return error;
  if (APICallError.isInstance(error)) return fromApiCall(error);
  const inner = (error as { lastError?: unknown; name?: string })?.lastError;
  if ((error as AISDKError)?.name === 'AI_RetryError' && inner) return normalizeError(inner);
  if ((error as Error)?.name === 'AbortError') return new TrellisError('cancelled', 'cancelled', { cause: error });
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
