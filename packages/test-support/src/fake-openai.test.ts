import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APICallError, generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { createOpenAI } from '@ai-sdk/openai';
import { z } from 'zod';
import { splitText, startFakeOpenAI } from './fake-openai.js';
import type { FakeOpenAI } from './fake-openai.js';

let fake: FakeOpenAI;

beforeEach(async () => {
  fake = await startFakeOpenAI();
});

afterEach(async () => {
  await fake.close();
});

/** Parses an SSE body into its `data:` payloads (JSON, or the raw string for `[DONE]`). */
function sseData(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return data === '[DONE]' ? data : (JSON.parse(data) as unknown);
    });
}

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer test-key' },
    body: JSON.stringify(body),
  });
}

const weatherTool = tool({
  description: 'Get the weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: 'sunny', celsius: 21 }),
});

describe('splitText', () => {
  it('splits per word by default and into N pieces on request, losslessly', () => {
    expect(splitText('Hello brave  new world')).toEqual(['Hello ', 'brave  ', 'new ', 'world']);
    expect(splitText('abcdefg', 3)).toEqual(['ab', 'cd', 'efg']);
    expect(splitText('ab', 10)).toEqual(['a', 'b']);
    expect(splitText('')).toEqual([]);
  });
});

describe('fake-openai raw protocol (fetch)', () => {
  it('streams chat.completion.chunk events: role, content deltas, finish, usage, [DONE]', async () => {
    fake.enqueue({ text: 'one two three', usage: { prompt_tokens: 7, completion_tokens: 3 } });
    const res = await post('/chat/completions', {
      model: 'm1',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = sseData(await res.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as { object: string; model: string; choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown }[];
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.model === 'm1')).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const contents = chunks.flatMap((c) => c.choices.map((ch) => ch.delta.content)).filter((x): x is string => typeof x === 'string' && x !== '');
    expect(contents).toEqual(['one ', 'two ', 'three']);
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: { model: 'm1', stream: true } });
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer test-key');
  });

  it('omits the usage chunk when include_usage is not requested', async () => {
    fake.enqueue({ text: 'hi there' });
    const events = sseData(await (await post('/chat/completions', { model: 'm', messages: [], stream: true })).text());
    expect(events.some((e) => typeof e === 'object' && e !== null && 'usage' in e)).toBe(false);
  });

  it('streams tool_calls deltas with id/type/name first and arguments in two pieces', async () => {
    fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_1' }, { name: 'noop', arguments: {} }] });
    const events = sseData(await (await post('/chat/completions', { model: 'm', messages: [], stream: true })).text());
    type Delta = { index: number; id?: string; type?: string; function: { name?: string; arguments?: string } };
    const chunks = events.slice(0, -1) as { choices: { delta: { tool_calls?: Delta[] }; finish_reason: string | null }[] }[];
    const deltas = chunks.flatMap((c) => c.choices.flatMap((ch) => ch.delta.tool_calls ?? []));
    const first = deltas.filter((d) => d.index === 0);
    expect(first[0]).toEqual({ index: 0, id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(first.slice(1)).toHaveLength(2);
    expect(first.map((d) => d.function.arguments ?? '').join('')).toBe('{"city":"Paris"}');
    const second = deltas.filter((d) => d.index === 1);
    expect(second[0]).toMatchObject({ id: 'call_fake_1_1', function: { name: 'noop' } });
    expect(second.map((d) => d.function.arguments ?? '').join('')).toBe('{}');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('answers non-streaming requests with a chat.completion object', async () => {
    fake.enqueue({ text: 'plain answer', usage: { prompt_tokens: 1, completion_tokens: 2 } }, { toolCalls: [{ name: 'f', arguments: { a: 1 } }] });
    const text = (await (await post('/chat/completions', { model: 'm', messages: [] })).json()) as Record<string, unknown>;
    expect(text).toMatchObject({
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'plain answer' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
    });
    const calls = (await (await post('/chat/completions', { model: 'm', messages: [] })).json()) as Record<string, unknown>;
    expect(calls).toMatchObject({
      choices: [{ message: { content: null, tool_calls: [{ id: 'call_fake_2_0', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, finish_reason: 'tool_calls' }],
    });
  });

  it('sends queued errors with status, OpenAI error body and headers', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '3' } }, { status: 418, body: { custom: true } });
    const res = await post('/chat/completions', { model: 'm', messages: [] });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      error: { message: 'fake-openai: simulated HTTP 429 error', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
    const custom = await post('/chat/completions', { model: 'm', messages: [] });
    expect(custom.status).toBe(418);
    expect(await custom.json()).toEqual({ custom: true });
  });

  it('answers 500 "no reply queued" when the queue is empty, 404 on unknown routes, 400 on non-JSON', async () => {
    const empty = await post('/chat/completions', { model: 'm', messages: [] });
    expect(empty.status).toBe(500);
    expect(((await empty.json()) as { error: { message: string } }).error.message).toBe('fake-openai: no reply queued');

    fake.enqueue({ text: 'kept' });
    const unknown = await post('/embeddings', { input: 'x' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toContain('/v1/embeddings');
    const bad = await fetch(`${fake.url}/chat/completions`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect(fake.pendingReplies()).toBe(1); // neither consumed the queued reply
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/chat/completions', '/v1/embeddings', '/v1/chat/completions']);
    expect(fake.requests[2]!.body).toBe('not json');
  });

  it('rejects bodies over 5 MB with 413 (declared content-length: answered before reading)', async () => {
    const res = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x'.repeat(6 * 1024 * 1024) }] }),
    });
    expect(res.status).toBe(413);
    expect(fake.requests[0]!.body).toBeUndefined();
  });

  it('streams Responses API events for text', async () => {
    fake.enqueue({ text: 'a b', usage: { prompt_tokens: 4, completion_tokens: 2 } });
    const events = sseData(await (await post('/responses', { model: 'm', input: [], stream: true })).text()) as { type: string; [k: string]: unknown }[];
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.at(-1)).toMatchObject({ response: { status: 'completed', usage: { input_tokens: 4, output_tokens: 2, total_tokens: 6 } } });
  });
});

describe('fake-openai with @ai-sdk/openai-compatible (chat completions)', () => {
  const model = (opts: { includeUsage?: boolean } = {}) => createOpenAICompatible({ name: 'local', baseURL: fake.url, apiKey: 'k', ...opts })('fake-model');

  it('streamText receives several deltas that concatenate to the queued text', async () => {
    const queued = 'The quick brown fox jumps over the lazy dog.';
    fake.enqueue({ text: queued, usage: { prompt_tokens: 11, completion_tokens: 9 } });
    const result = streamText({ model: model({ includeUsage: true }), prompt: 'Tell me a pangram', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(queued);
    expect(await result.text).toBe(queued);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).inputTokens).toBe(11);
    expect((await result.usage).outputTokens).toBe(9);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.body).toMatchObject({
      model: 'fake-model',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Tell me a pangram' }],
    });
  });

  it('honours the chunks option', async () => {
    fake.enqueue({ text: 'abcdefghij', chunks: 5 });
    const result = streamText({ model: model(), prompt: 'x', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['ab', 'cd', 'ef', 'gh', 'ij']);
  });

  it('generateText runs a tool round trip and sends the tool result back', async () => {
    fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_w1' }] }, { text: 'It is sunny in Paris.' });
    const result = await generateText({
      model: model(),
      prompt: 'Weather in Paris?',
      tools: { get_weather: weatherTool },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps).toHaveLength(2);
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolCallId: 'call_w1', toolName: 'get_weather', input: { city: 'Paris' } });
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[0]!.body.tools[0]).toMatchObject({ type: 'function', function: { name: 'get_weather', description: 'Get the weather for a city' } });
    const messages = fake.requests[1]!.body.messages as { role: string; tool_call_id?: string; content: unknown; tool_calls?: unknown[] }[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(messages[1]!.tool_calls).toEqual([{ id: 'call_w1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }]);
    expect(messages[2]!.tool_call_id).toBe('call_w1');
    expect(JSON.parse(messages[2]!.content as string)).toEqual({ city: 'Paris', forecast: 'sunny', celsius: 21 });
  });

  it('streamText parses tool-call arguments streamed in pieces (jsonSchema tool)', async () => {
    fake.enqueue({ toolCalls: [{ name: 'add', arguments: { a: 2, b: 40 } }] }, { text: 'The sum is 42.' });
    const add = tool({
      description: 'Add two numbers',
      inputSchema: jsonSchema<{ a: number; b: number }>({
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
        additionalProperties: false,
      }),
      execute: async ({ a, b }) => a + b,
    });
    const result = streamText({ model: model(), prompt: 'add', tools: { add }, stopWhen: stepCountIs(2), maxRetries: 0 });
    const inputDeltas: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-input-delta') inputDeltas.push(part.delta);
    expect(inputDeltas).toHaveLength(2);
    expect(inputDeltas.join('')).toBe('{"a":2,"b":40}');
    expect(await result.text).toBe('The sum is 42.');
    const steps = await result.steps;
    expect(steps[0]!.toolResults[0]).toMatchObject({ toolName: 'add', input: { a: 2, b: 40 }, output: 42 });
    const toolMessage = (fake.requests[1]!.body.messages as { role: string; content: string }[]).find((m) => m.role === 'tool');
    expect(toolMessage?.content).toBe('42');
  });

  it('retries a 429 carrying retry-after and then succeeds (maxRetries: 1)', async () => {
    fake.enqueue({ status: 429, headers: { 'retry-after': '0' } }, { text: 'after retry' });
    const started = Date.now();
    const result = await generateText({ model: model(), prompt: 'x', maxRetries: 1 });
    expect(result.text).toBe('after retry');
    expect(fake.requests).toHaveLength(2);
    // retry-after: 0 replaced the SDK's default 2 s initial backoff.
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('surfaces a 500 as an APICallError carrying the fake error message (maxRetries: 0)', async () => {
    fake.enqueue({ status: 500, message: 'upstream exploded' });
    const error = await generateText({ model: model(), prompt: 'x', maxRetries: 0 }).catch((err: unknown) => err);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).message).toContain('upstream exploded');
    expect((error as APICallError).statusCode).toBe(500);
    expect(fake.requests).toHaveLength(1);
  });

  it('surfaces the empty-queue 500 through streamText', async () => {
    const errors: unknown[] = [];
    const result = streamText({ model: model(), prompt: 'x', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await result.consumeStream();
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toContain('fake-openai: no reply queued');
  });
});

describe('fake-openai with @ai-sdk/openai', () => {
  const provider = () => createOpenAI({ baseURL: fake.url, apiKey: 'sk-test' });

  it('openai.chat(id) streams over /chat/completions with usage', async () => {
    fake.enqueue({ text: 'chat path works', usage: { prompt_tokens: 5, completion_tokens: 3 } });
    const result = streamText({ model: provider().chat('gpt-4o-mini'), prompt: 'x', maxRetries: 0 });
    expect(await result.text).toBe('chat path works');
    expect((await result.usage).outputTokens).toBe(3);
    expect(fake.requests[0]!.path).toBe('/v1/chat/completions');
    expect(fake.requests[0]!.body.stream_options).toEqual({ include_usage: true });
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-test');
  });

  it('openai(id) uses the Responses API: streamed text', async () => {
    fake.enqueue({ text: 'responses path works fine', usage: { prompt_tokens: 6, completion_tokens: 4 } });
    const result = streamText({ model: provider()('gpt-4o-mini'), prompt: 'x', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas).toEqual(['responses ', 'path ', 'works ', 'fine']);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).inputTokens).toBe(6);
    expect(fake.requests[0]!.path).toBe('/v1/responses');
    expect(fake.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini', stream: true });
  });

  it('openai(id) uses the Responses API: streamed function call round trip', async () => {
    fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Oslo' }, id: 'call_r1' }] }, { text: 'Sunny in Oslo.' });
    const result = streamText({ model: provider()('gpt-4o-mini'), prompt: 'weather?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2), maxRetries: 0 });
    expect(await result.text).toBe('Sunny in Oslo.');
    const steps = await result.steps;
    expect(steps[0]!.finishReason).toBe('tool-calls');
    expect(steps[0]!.toolResults[0]).toMatchObject({ toolCallId: 'call_r1', input: { city: 'Oslo' }, output: { forecast: 'sunny' } });
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/responses', '/v1/responses']);
    const input = fake.requests[1]!.body.input as { type?: string; call_id?: string; output?: unknown }[];
    const output = input.find((item) => item.type === 'function_call_output');
    expect(output).toMatchObject({ call_id: 'call_r1' });
    expect(JSON.parse(output!.output as string)).toMatchObject({ city: 'Oslo' });
  });

  it('openai(id) uses the Responses API: non-streaming generateText with a tool', async () => {
    fake.enqueue({ toolCalls: [{ name: 'get_weather', arguments: { city: 'Rome' } }] }, { text: 'Rome is sunny.' });
    const result = await generateText({ model: provider()('gpt-4o-mini'), prompt: 'weather?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2), maxRetries: 0 });
    expect(result.text).toBe('Rome is sunny.');
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Rome' } });
    expect(fake.requests[1]!.body.input).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'function_call_output' })]));
  });

  it('Responses API errors use the same OpenAI error shape', async () => {
    fake.enqueue({ status: 400, message: 'bad responses request' });
    const error = await generateText({ model: provider()('gpt-4o-mini'), prompt: 'x', maxRetries: 0 }).catch((err: unknown) => err);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('bad responses request');
  });
});
