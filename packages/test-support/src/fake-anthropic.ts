/**
 * fake-anthropic: a tiny Anthropic Messages API server for tests.
 *
 * It lets tests drive the REAL `@ai-sdk/anthropic` provider code over HTTP (request building,
 * SSE parsing, tool_use input streaming, error mapping and retries) without any network
 * access. It listens on 127.0.0.1, port 0.
 *
 * Which endpoint does the provider hit? (checked against @ai-sdk/anthropic 3.0.140)
 *
 *   createAnthropic({ baseURL, apiKey })(id) -> POST {baseURL}/messages
 *     headers: `x-api-key: <apiKey>`, `anthropic-version: 2023-06-01`;
 *     the body carries `stream: true` for streamText and no `stream` for generateText.
 *   Only the exact base URL `https://api.anthropic.com` is given `/v1` by the SDK; any other
 *   `baseURL` (or `ANTHROPIC_BASE_URL`) must include `/v1` itself, so `fake.url` does.
 *
 * Streams follow the Messages API event sequence: `message_start`, then per content block
 * `content_block_start` / `content_block_delta` (`text_delta`, or `input_json_delta` for a
 * `tool_use` block, the first one empty as the API sends it) / `content_block_stop`, a `ping`,
 * then `message_delta` (stop_reason and output usage) and `message_stop`.
 *
 * Usage:
 *   const fake = await startFakeAnthropic();
 *   fake.enqueue({ text: 'Hello there' }, { toolUses: [{ name: 'lookup', input: { q: 'x' } }] });
 *   const provider = createAnthropic({ baseURL: fake.url, apiKey: 'sk-ant-test' });
 *   ...
 *   expect(fake.requests[0]!.headers['x-api-key']).toBe('sk-ant-test');
 *   await fake.close();
 *
 * Every request is recorded. Replies are consumed one per request to /v1/messages, in arrival
 * order; when the queue is empty the fake answers 500 "fake-anthropic: no reply queued" so a test
 * that under-provisions fails loudly (the AI SDK retries 5xx twice by default: pass maxRetries: 0).
 * Like the real API, a request without `anthropic-version` is refused with 400, and with
 * `startFakeAnthropic({ apiKey })` one whose `x-api-key` differs is refused with 401; neither
 * consumes a queued reply.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { splitText } from './fake-openai.js';
import { MAX_BODY_BYTES, listenOnLoopback, readBody, sendJson as sendJsonPlain, splitInTwo, writeSse as writeSsePlain, type LoopbackFake } from './loopback.js';

// Anthropic's answers carry a request id, as the real API's do.
const requestId = () => ({ 'request-id': `req_fake_${Date.now()}` });
const sendJson = (res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}, done?: () => void): void =>
  sendJsonPlain(res, status, value, { ...requestId(), ...headers }, done);
const writeSse = (res: ServerResponse, frames: string[]): Promise<void> => writeSsePlain(res, frames, requestId());

export interface FakeAnthropicUsage {
  input_tokens: number;
  output_tokens: number;
}

export interface FakeToolUse {
  name: string;
  /** Serialized with JSON.stringify; a string is sent verbatim (e.g. to test malformed JSON). */
  input: Record<string, unknown> | string;
  id?: string;
}

/** Anthropic's error types (`{ type: 'error', error: { type, message } }`). */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error';

export type FakeAnthropicReply =
  | {
      text: string;
      /** Split the text into this many `text_delta`s (default: one per word). */
      chunks?: number;
      usage?: FakeAnthropicUsage;
      /** Default `end_turn`; e.g. `max_tokens`, `stop_sequence`. */
      stopReason?: string;
    }
  | {
      toolUses: FakeToolUse[];
      /** A text block before the tool_use blocks, as Claude often writes ("Let me look that up."). */
      text?: string;
      usage?: FakeAnthropicUsage;
    }
  | {
      status: number;
      /** Default from the status: 400 invalid_request_error, 401 authentication_error, 429 rate_limit_error, 529 overloaded_error… */
      type?: AnthropicErrorType | string;
      /** Default `fake-anthropic: simulated HTTP <status> error`. */
      message?: string;
      /** Response body instead of Anthropic's error shape: a string is sent verbatim, anything else as JSON. */
      body?: unknown;
      /** Extra response headers, e.g. `{ 'retry-after': '0' }`. */
      headers?: Record<string, string>;
    }
  | {
      /**
       * A streaming request gets 200 and an SSE `error` event, as the API sends when it is
       * overloaded after the response started: first thing (`after: 0`, the default) or after
       * `message_start` and that many text deltas of `text`. A non-streaming request gets the
       * matching HTTP error (529 for overloaded_error, else 500).
       */
      streamError: { type: AnthropicErrorType | string; message: string };
      text?: string;
      after?: number;
    };

export interface AnthropicRecordedRequest {
  method: string;
  /** URL path without the query string, e.g. `/v1/messages`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty or too large. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests dig freely into the JSON a provider sent
  body: any;
}

export type FakeAnthropic = LoopbackFake<FakeAnthropicReply, AnthropicRecordedRequest>;

export interface FakeAnthropicOptions {
  /** When set, a request whose `x-api-key` differs is answered 401 authentication_error. */
  apiKey?: string;
}

const NO_REPLY_MESSAGE = 'fake-anthropic: no reply queued';

type TextReply = Extract<FakeAnthropicReply, { text: string; chunks?: number }>;
type ToolReply = Extract<FakeAnthropicReply, { toolUses: FakeToolUse[] }>;
type ErrorReply = Extract<FakeAnthropicReply, { status: number }>;
type StreamErrorReply = Extract<FakeAnthropicReply, { streamError: unknown }>;
type Usage = { input: number; output: number };

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  const queue: FakeAnthropicReply[] = [];
  const requests: AnthropicRecordedRequest[] = [];
  let counter = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, 500, 'api_error', `fake-anthropic: internal error: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const read = await readBody(req);
    requests.push({ method, path, headers: { ...req.headers }, body: read.body });

    if (read.tooLarge) {
      res.setHeader('connection', 'close');
      sendError(res, 413, 'request_too_large', `fake-anthropic: request body exceeds ${MAX_BODY_BYTES} bytes`, {}, () => req.destroy());
      return;
    }
    if (method !== 'POST' || path !== '/v1/messages') {
      sendError(res, 404, 'not_found_error', `fake-anthropic: unknown route ${method} ${path}`);
      return;
    }
    if (options.apiKey !== undefined && req.headers['x-api-key'] !== options.apiKey) {
      sendError(res, 401, 'authentication_error', 'invalid x-api-key');
      return;
    }
    if (req.headers['anthropic-version'] === undefined) {
      sendError(res, 400, 'invalid_request_error', 'anthropic-version: header is required');
      return;
    }
    if (read.body === undefined || typeof read.body !== 'object' || read.body === null || Array.isArray(read.body)) {
      sendError(res, 400, 'invalid_request_error', 'fake-anthropic: request body must be a JSON object');
      return;
    }

    const body = read.body as Record<string, unknown>;
    const reply = queue.shift();
    if (reply === undefined) {
      sendError(res, 500, 'api_error', NO_REPLY_MESSAGE);
      return;
    }
    counter += 1;
    const n = counter;
    const stream = body.stream === true;
    const model = typeof body.model === 'string' ? body.model : 'claude-fake';
    if ('status' in reply) {
      sendErrorReply(res, reply);
    } else if ('streamError' in reply) {
      if (stream) await streamFailure(res, reply, n, model, body);
      else sendError(res, reply.streamError.type === 'overloaded_error' ? 529 : 500, reply.streamError.type, reply.streamError.message);
    } else if (stream) {
      await streamMessage(res, reply, n, model, body);
    } else {
      sendJson(res, 200, message(reply, n, model, body));
    }
  }

  return listenOnLoopback(server, queue, requests);
}

// ---------------------------------------------------------------------------
// HTTP helpers

export function anthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string, headers: Record<string, string> = {}, done?: () => void): void {
  sendJson(res, status, { type: 'error', error: { type, message } }, headers, done);
}

function sendErrorReply(res: ServerResponse, reply: ErrorReply): void {
  if (reply.body !== undefined) {
    sendJson(res, reply.status, reply.body, reply.headers ?? {});
    return;
  }
  sendError(res, reply.status, reply.type ?? anthropicErrorType(reply.status), reply.message ?? `fake-anthropic: simulated HTTP ${reply.status} error`, reply.headers ?? {});
}

/** One SSE frame: `event: <type>` and its JSON `data:`, as the Messages API writes them. */
function event(value: { type: string; [key: string]: unknown }): string {
  return `event: ${value.type}\ndata: ${JSON.stringify(value)}\n\n`;
}

// ---------------------------------------------------------------------------
// Reply shaping

function inputText(use: FakeToolUse): string {
  return typeof use.input === 'string' ? use.input : JSON.stringify(use.input);
}

function toolUseId(use: FakeToolUse, n: number, i: number): string {
  return use.id ?? `toolu_fake_${n}_${i}`;
}

function usageOf(reply: TextReply | ToolReply, body: Record<string, unknown>): Usage {
  if (reply.usage) return { input: reply.usage.input_tokens, output: reply.usage.output_tokens };
  const promptChars = JSON.stringify([body.system ?? '', body.messages ?? '', body.tools ?? '']).length;
  const outputChars = ('text' in reply && reply.text ? reply.text.length : 0) + ('toolUses' in reply ? reply.toolUses.reduce((sum, u) => sum + u.name.length + inputText(u).length, 0) : 0);
  return { input: Math.ceil(promptChars / 4), output: Math.max(1, Math.ceil(outputChars / 4)) };
}

function stopReason(reply: TextReply | ToolReply): string {
  return 'toolUses' in reply ? 'tool_use' : (reply.stopReason ?? 'end_turn');
}

function contentBlocks(reply: TextReply | ToolReply, n: number): Record<string, unknown>[] {
  const blocks: Record<string, unknown>[] = [];
  if (reply.text) blocks.push({ type: 'text', text: reply.text });
  if ('toolUses' in reply) {
    reply.toolUses.forEach((u, i) => {
      let input: unknown = u.input;
      if (typeof input === 'string') {
        try {
          input = JSON.parse(input) as unknown;
        } catch {
          // a non-streamed answer has parsed input; keep the string so the SDK sees something odd
        }
      }
      blocks.push({ type: 'tool_use', id: toolUseId(u, n, i), name: u.name, input });
    });
  }
  return blocks;
}

function message(reply: TextReply | ToolReply, n: number, model: string, body: Record<string, unknown>): Record<string, unknown> {
  const usage = usageOf(reply, body);
  return {
    id: `msg_fake_${n}`,
    type: 'message',
    role: 'assistant',
    model,
    content: contentBlocks(reply, n),
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage: { input_tokens: usage.input, output_tokens: usage.output, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function messageStart(n: number, model: string, inputTokens: number): string {
  return event({
    type: 'message_start',
    message: {
      id: `msg_fake_${n}`,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  });
}

function textBlockFrames(index: number, pieces: string[]): string[] {
  return [
    event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }),
    ...pieces.map((text) => event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } })),
    event({ type: 'content_block_stop', index }),
  ];
}

async function streamMessage(res: ServerResponse, reply: TextReply | ToolReply, n: number, model: string, body: Record<string, unknown>): Promise<void> {
  const usage = usageOf(reply, body);
  const frames = [messageStart(n, model, usage.input)];
  let index = 0;
  if ('toolUses' in reply) {
    if (reply.text) frames.push(...textBlockFrames(index++, splitText(reply.text)));
    reply.toolUses.forEach((u, i) => {
      const at = index++;
      frames.push(event({ type: 'content_block_start', index: at, content_block: { type: 'tool_use', id: toolUseId(u, n, i), name: u.name, input: {} } }));
      for (const partial_json of ['', ...splitInTwo(inputText(u))]) {
        frames.push(event({ type: 'content_block_delta', index: at, delta: { type: 'input_json_delta', partial_json } }));
      }
      frames.push(event({ type: 'content_block_stop', index: at }));
    });
  } else {
    frames.push(...textBlockFrames(index++, splitText(reply.text, reply.chunks)));
  }
  frames.push(event({ type: 'ping' }));
  frames.push(event({ type: 'message_delta', delta: { stop_reason: stopReason(reply), stop_sequence: null }, usage: { output_tokens: usage.output } }));
  frames.push(event({ type: 'message_stop' }));
  await writeSse(res, frames);
}

async function streamFailure(res: ServerResponse, reply: StreamErrorReply, n: number, model: string, body: Record<string, unknown>): Promise<void> {
  const error = event({ type: 'error', error: reply.streamError });
  const after = reply.after ?? 0;
  if (after <= 0) {
    await writeSse(res, [error]);
    return;
  }
  const pieces = splitText(reply.text ?? 'partial answer cut off', undefined).slice(0, after);
  const input = Math.ceil(JSON.stringify(body.messages ?? '').length / 4);
  const frames = [
    messageStart(n, model, input),
    event({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...pieces.map((text) => event({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } })),
    error,
  ];
  await writeSse(res, frames);
}
