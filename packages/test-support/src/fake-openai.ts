/**
 * fake-openai: a tiny OpenAI-compatible HTTP server for tests.
 *
 * It lets tests drive the REAL provider code of the Vercel AI SDK 6 over HTTP
 * (request building, SSE parsing, tool-call argument streaming, error mapping
 * and retries) without any network access. It listens on 127.0.0.1, port 0.
 *
 * Which endpoint does each provider style hit? (checked against
 * @ai-sdk/openai 3.0.141 and @ai-sdk/openai-compatible 2.0.92)
 *
 *   createOpenAICompatible({ name, baseURL })(id)    -> POST {baseURL}/chat/completions
 *   createOpenAICompatible(...).chatModel(id)        -> POST {baseURL}/chat/completions
 *     (streams send `stream_options: { include_usage: true }` only when the
 *      provider was created with `includeUsage: true`; otherwise no usage chunk)
 *   createOpenAI({ baseURL, apiKey }).chat(id)       -> POST {baseURL}/chat/completions
 *     (streams always send `stream_options: { include_usage: true }`)
 *   createOpenAI({ baseURL, apiKey })(id)            -> POST {baseURL}/responses
 *   createOpenAI(...).responses(id) / .languageModel(id) -> POST {baseURL}/responses
 *     (the Responses API is the default in @ai-sdk/openai v2+/AI SDK 5+; a
 *      chat.completion stream on that path makes the SDK throw a
 *      "Received a Chat Completions stream while using the OpenAI Responses API" error)
 *
 * GET /v1/models lists one model (or plays a queued error reply: a key check's 401).
 * Both /v1/chat/completions and /v1/responses are served here, streaming
 * (`stream: true` in the body) and non-streaming, text and function calls.
 * Note that with `store` left at its default, the Responses provider refers to
 * earlier output items of a tool loop with `{ type: 'item_reference', id }`
 * instead of repeating them; the fake records them and does not resolve them.
 *
 * Usage:
 *   const fake = await startFakeOpenAI();
 *   fake.enqueue({ text: 'Hello there' }, { toolCalls: [{ name: 'lookup', arguments: { q: 'x' } }] });
 *   const provider = createOpenAICompatible({ name: 'local', baseURL: fake.url });
 *   ...
 *   expect(fake.requests[0]!.body.messages).toEqual(...);
 *   await fake.close();
 *
 * Every request is recorded. Replies are consumed one per request to a model
 * endpoint, in arrival order; when the queue is empty the fake answers 500
 * "fake-openai: no reply queued" so a test that under-provisions fails loudly
 * (remember that the AI SDK retries 5xx twice by default: pass maxRetries: 0).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorMessage } from '@trellis/schema';
import { MAX_BODY_BYTES, listenOnLoopback, readBody, sendJson, splitInTwo, writeSse, type LoopbackFake } from './loopback.js';

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export interface FakeToolCall {
  name: string;
  /** Serialized with JSON.stringify; a string is sent verbatim (e.g. to test malformed JSON). */
  arguments: Record<string, unknown> | string;
  id?: string;
}

export type FakeReply =
  | {
      text: string;
      /** Split the text into this many SSE deltas (default: one delta per word). */
      chunks?: number;
      usage?: FakeUsage;
    }
  | { toolCalls: FakeToolCall[]; usage?: FakeUsage }
  | {
      status: number;
      /** Response body; default `{ error: { message, type, param, code } }` (OpenAI's shape).
       *  A string is sent verbatim, anything else as JSON. */
      body?: unknown;
      /** Message used by the default body; default `fake-openai: simulated HTTP <status> error`. */
      message?: string;
      /** Extra response headers, e.g. `{ 'retry-after': '0' }`. */
      headers?: Record<string, string>;
    };

export interface RecordedRequest {
  method: string;
  /** URL path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty or too large. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests dig freely into the JSON a provider sent
  body: any;
}

export type FakeOpenAI = LoopbackFake<FakeReply, RecordedRequest>;

const NO_REPLY_MESSAGE = 'fake-openai: no reply queued';

type TextReply = Extract<FakeReply, { text: string }>;
type ToolReply = Extract<FakeReply, { toolCalls: FakeToolCall[] }>;
type ErrorReply = Extract<FakeReply, { status: number }>;
type Usage = { input: number; output: number };

export async function startFakeOpenAI(): Promise<FakeOpenAI> {
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  let counter = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendError(res, 500, `fake-openai: internal error: ${errorMessage(err)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    const read = await readBody(req);
    const record: RecordedRequest = { method, path, headers: { ...req.headers }, body: read.body };
    requests.push(record);

    if (read.tooLarge) {
      res.setHeader('connection', 'close');
      sendError(res, 413, `fake-openai: request body exceeds ${MAX_BODY_BYTES} bytes`, () => req.destroy());
      return;
    }

    // The model list (what a provider check calls): an error reply queued next is played, else one model is listed.
    if (method === 'GET' && path === '/v1/models') {
      const next = queue[0];
      if (next && 'status' in next) sendErrorReply(res, queue.shift() as ErrorReply);
      else sendJson(res, 200, { object: 'list', data: [{ id: 'fake-model', object: 'model', created: 0, owned_by: 'fake-openai' }] });
      return;
    }
    const route = method === 'POST' && path === '/v1/chat/completions' ? 'chat' : method === 'POST' && path === '/v1/responses' ? 'responses' : undefined;
    if (route === undefined) {
      sendError(res, 404, `fake-openai: unknown route ${method} ${path}`, undefined, 'not_found');
      return;
    }
    if (read.body === undefined || typeof read.body !== 'object' || read.body === null || Array.isArray(read.body)) {
      sendError(res, 400, 'fake-openai: request body must be a JSON object');
      return;
    }

    const body = read.body as Record<string, unknown>;
    const reply = queue.shift();
    if (reply === undefined) {
      sendError(res, 500, NO_REPLY_MESSAGE);
      return;
    }
    counter += 1;
    const n = counter;
    if ('status' in reply) {
      sendErrorReply(res, reply);
      return;
    }
    const model = typeof body.model === 'string' ? body.model : 'fake-model';
    const stream = body.stream === true;
    if (route === 'chat') {
      if (stream) await streamChat(res, reply, n, model, body);
      else sendJson(res, 200, chatCompletion(reply, n, model, body));
    } else {
      if (stream) await streamResponses(res, reply, n, model, body);
      else sendJson(res, 200, responseObject(reply, n, model, body, 'completed'));
    }
  }

  return listenOnLoopback(server, queue, requests);
}

// ---------------------------------------------------------------------------
// HTTP helpers

function errorType(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

function sendError(res: ServerResponse, status: number, message: string, done?: () => void, code?: string): void {
  const t = errorType(status);
  sendJson(res, status, { error: { message, type: t.type, param: null, code: code ?? t.code } }, {}, done);
}

function sendErrorReply(res: ServerResponse, reply: ErrorReply): void {
  const t = errorType(reply.status);
  const body = reply.body ?? {
    error: { message: reply.message ?? `fake-openai: simulated HTTP ${reply.status} error`, type: t.type, param: null, code: t.code },
  };
  sendJson(res, reply.status, body, reply.headers ?? {});
}

// ---------------------------------------------------------------------------
// Reply shaping helpers

/** One piece per word (whitespace kept with the preceding word) or `chunks` near-equal pieces. */
export function splitText(text: string, chunks?: number): string[] {
  if (text === '') return [];
  if (chunks === undefined) return text.split(/(?<=\s)(?=\S)/);
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(Math.floor(chunks), chars.length));
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) {
    pieces.push(chars.slice(Math.floor((i * chars.length) / count), Math.floor(((i + 1) * chars.length) / count)).join(''));
  }
  return pieces;
}

function argumentsText(call: FakeToolCall): string {
  return typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
}

function callId(call: FakeToolCall, n: number, i: number): string {
  return call.id ?? `call_fake_${n}_${i}`;
}

function usageOf(reply: TextReply | ToolReply, body: Record<string, unknown>): Usage {
  if (reply.usage) return { input: reply.usage.prompt_tokens, output: reply.usage.completion_tokens };
  const promptChars = JSON.stringify(body.messages ?? body.input ?? '').length;
  const outputChars = 'text' in reply ? reply.text.length : reply.toolCalls.reduce((sum, c) => sum + c.name.length + argumentsText(c).length, 0);
  return { input: Math.ceil(promptChars / 4), output: Math.max(1, Math.ceil(outputChars / 4)) };
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

// ---------------------------------------------------------------------------
// Chat Completions API

function chatUsage(u: Usage): Record<string, number> {
  return { prompt_tokens: u.input, completion_tokens: u.output, total_tokens: u.input + u.output };
}

function chatCompletion(reply: TextReply | ToolReply, n: number, model: string, body: Record<string, unknown>): unknown {
  const message =
    'text' in reply
      ? { role: 'assistant', content: reply.text, refusal: null }
      : {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: reply.toolCalls.map((c, i) => ({ id: callId(c, n, i), type: 'function', function: { name: c.name, arguments: argumentsText(c) } })),
        };
  return {
    id: `chatcmpl-fake-${n}`,
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: 'text' in reply ? 'stop' : 'tool_calls' }],
    usage: chatUsage(usageOf(reply, body)),
  };
}

async function streamChat(res: ServerResponse, reply: TextReply | ToolReply, n: number, model: string, body: Record<string, unknown>): Promise<void> {
  const base = { id: `chatcmpl-fake-${n}`, object: 'chat.completion.chunk', created: nowSeconds(), model };
  const frame = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    frame({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });

  const frames: string[] = [];
  if ('text' in reply) {
    frames.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of splitText(reply.text, reply.chunks)) frames.push(chunk({ content: piece }));
    frames.push(chunk({}, 'stop'));
  } else {
    frames.push(chunk({ role: 'assistant', content: null, refusal: null }));
    reply.toolCalls.forEach((c, index) => {
      frames.push(chunk({ tool_calls: [{ index, id: callId(c, n, index), type: 'function', function: { name: c.name, arguments: '' } }] }));
      for (const piece of splitInTwo(argumentsText(c))) frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    });
    frames.push(chunk({}, 'tool_calls'));
  }
  const options = body.stream_options as { include_usage?: unknown } | undefined;
  if (options?.include_usage === true) frames.push(frame({ ...base, choices: [], usage: chatUsage(usageOf(reply, body)) }));
  frames.push('data: [DONE]\n\n');
  await writeSse(res, frames);
}

// ---------------------------------------------------------------------------
// Responses API

function responsesUsage(u: Usage): Record<string, unknown> {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: u.input + u.output,
  };
}

function outputItems(reply: TextReply | ToolReply, n: number): Record<string, unknown>[] {
  if ('text' in reply) {
    return [
      {
        type: 'message',
        id: `msg_fake_${n}`,
        status: 'completed',
        role: 'assistant',
        content: [{ type: 'output_text', text: reply.text, annotations: [], logprobs: [] }],
      },
    ];
  }
  return reply.toolCalls.map((c, i) => ({
    type: 'function_call',
    id: `fc_fake_${n}_${i}`,
    call_id: callId(c, n, i),
    name: c.name,
    arguments: argumentsText(c),
    status: 'completed',
  }));
}

function responseObject(
  reply: TextReply | ToolReply,
  n: number,
  model: string,
  body: Record<string, unknown>,
  status: 'in_progress' | 'completed',
): Record<string, unknown> {
  const done = status === 'completed';
  return {
    id: `resp_fake_${n}`,
    object: 'response',
    created_at: nowSeconds(),
    status,
    model,
    error: null,
    incomplete_details: null,
    output: done ? outputItems(reply, n) : [],
    usage: done ? responsesUsage(usageOf(reply, body)) : null,
  };
}

async function streamResponses(res: ServerResponse, reply: TextReply | ToolReply, n: number, model: string, body: Record<string, unknown>): Promise<void> {
  let seq = 0;
  const frames: string[] = [];
  const event = (type: string, data: Record<string, unknown>): void => {
    frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`);
  };

  event('response.created', { response: responseObject(reply, n, model, body, 'in_progress') });
  event('response.in_progress', { response: responseObject(reply, n, model, body, 'in_progress') });
  const items = outputItems(reply, n);
  if ('text' in reply) {
    const item = items[0]!;
    const itemId = item.id as string;
    event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
    event('response.content_part.added', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
    for (const delta of splitText(reply.text, reply.chunks)) {
      event('response.output_text.delta', { item_id: itemId, output_index: 0, content_index: 0, delta, logprobs: [] });
    }
    event('response.output_text.done', { item_id: itemId, output_index: 0, content_index: 0, text: reply.text, logprobs: [] });
    event('response.content_part.done', { item_id: itemId, output_index: 0, content_index: 0, part: { type: 'output_text', text: reply.text, annotations: [] } });
    event('response.output_item.done', { output_index: 0, item });
  } else {
    items.forEach((item, outputIndex) => {
      const itemId = item.id as string;
      const args = item.arguments as string;
      event('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const delta of splitInTwo(args)) {
        event('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta });
      }
      event('response.function_call_arguments.done', { item_id: itemId, output_index: outputIndex, arguments: args });
      event('response.output_item.done', { output_index: outputIndex, item });
    });
  }
  event('response.completed', { response: responseObject(reply, n, model, body, 'completed') });
  await writeSse(res, frames);
}
