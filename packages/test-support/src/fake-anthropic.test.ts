import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { APICallError, generateText, jsonSchema, Output, stepCountIs, streamText, tool } from 'ai';
import { createAnthropic } from '@ai-sdk/anthropic';
import { z } from 'zod';
import { startFakeAnthropic } from './fake-anthropic.js';
import type { FakeAnthropic } from './fake-anthropic.js';

let fake: FakeAnthropic;

beforeEach(async () => {
  fake = await startFakeAnthropic();
});

afterEach(async () => {
  await fake.close();
});

/** Parses an SSE body into its frames: the `event:` name and the JSON `data:`. */
function sse(text: string): { event: string; data: { type: string; [k: string]: unknown } }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))!.slice('event: '.length);
      const data = lines.find((l) => l.startsWith('data: '))!.slice('data: '.length);
      return { event, data: JSON.parse(data) as { type: string } };
    });
}

function post(body: unknown, headers: Record<string, string> = { 'anthropic-version': '2023-06-01', 'x-api-key': 'k' }): Promise<Response> {
  return fetch(`${fake.url}/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

const model = (id = 'claude-sonnet-4-5') => createAnthropic({ baseURL: fake.url, apiKey: 'sk-ant-test' })(id);

const weatherTool = tool({
  description: 'Get the weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, forecast: 'sunny', celsius: 21 }),
});

describe('fake-anthropic over raw HTTP', () => {
  it('streams the Messages API event sequence, each frame named by its type', async () => {
    fake.enqueue({ text: 'a b', usage: { input_tokens: 4, output_tokens: 2 } });
    const frames = sse(await (await post({ model: 'claude-x', max_tokens: 10, messages: [], stream: true })).text());
    expect(frames.every((f) => f.event === f.data.type)).toBe(true);
    expect(frames.map((f) => f.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'ping',
      'message_delta',
      'message_stop',
    ]);
    expect(frames[0]!.data).toMatchObject({ message: { id: 'msg_fake_1', role: 'assistant', model: 'claude-x', content: [], usage: { input_tokens: 4 } } });
    expect(frames.slice(2, 4).map((f) => f.data.delta)).toEqual([
      { type: 'text_delta', text: 'a ' },
      { type: 'text_delta', text: 'b' },
    ]);
    expect(frames[6]!.data).toEqual({ type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 2 } });
  });

  it('streams tool_use blocks after an optional text block, the input as input_json_delta pieces', async () => {
    fake.enqueue({ text: 'Checking.', toolUses: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'toolu_1' }] });
    const frames = sse(await (await post({ model: 'm', max_tokens: 10, messages: [], stream: true })).text());
    const starts = frames.filter((f) => f.event === 'content_block_start').map((f) => f.data);
    expect(starts).toEqual([
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: {} } },
    ]);
    const json = frames.filter((f) => f.event === 'content_block_delta' && f.data.index === 1).map((f) => f.data.delta as { type: string; partial_json: string });
    expect(json.every((d) => d.type === 'input_json_delta')).toBe(true);
    expect(json[0]!.partial_json).toBe('');
    expect(json.map((d) => d.partial_json).join('')).toBe('{"city":"Paris"}');
    expect(frames.find((f) => f.event === 'message_delta')!.data.delta).toMatchObject({ stop_reason: 'tool_use' });
  });

  it('answers non-streaming requests with a message object', async () => {
    fake.enqueue({ toolUses: [{ name: 'f', input: { a: 1 } }], usage: { input_tokens: 3, output_tokens: 5 } });
    const res = await post({ model: 'm', max_tokens: 10, messages: [] });
    expect(await res.json()).toEqual({
      id: 'msg_fake_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'tool_use', id: 'toolu_fake_1_0', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it("sends queued errors in Anthropic's shape, typed by status, with their headers", async () => {
    fake.enqueue({ status: 529 }, { status: 429, headers: { 'retry-after': '7' } }, { status: 400, message: 'max_tokens: Field required' }, { status: 418, body: 'teapot' });
    const overloaded = await post({ model: 'm', messages: [] });
    expect(overloaded.status).toBe(529);
    expect(await overloaded.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'fake-anthropic: simulated HTTP 529 error' } });
    const limited = await post({ model: 'm', messages: [] });
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
    expect(await (await post({ model: 'm', messages: [] })).json()).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    expect(await (await post({ model: 'm', messages: [] })).text()).toBe('teapot');
  });

  it('refuses a missing anthropic-version, a wrong key (when one is set) and unknown routes without consuming a reply; 500 when the queue is empty', async () => {
    const keyed = await startFakeAnthropic({ apiKey: 'right' });
    try {
      keyed.enqueue({ text: 'kept' });
      const wrong = await fetch(`${keyed.url}/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'wrong' },
        body: '{}',
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } });
      expect(keyed.pendingReplies()).toBe(1);
    } finally {
      await keyed.close();
    }

    fake.enqueue({ text: 'kept' });
    const noVersion = await post({ model: 'm', messages: [] }, { 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(((await noVersion.json()) as { error: { message: string } }).error.message).toContain('anthropic-version');
    const unknown = await fetch(`${fake.url}/complete`, { method: 'POST', body: '{}' });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { type: string } }).error.type).toBe('not_found_error');
    expect(fake.pendingReplies()).toBe(1);
    expect(await (await post({ model: 'm', messages: [] })).json()).toMatchObject({ type: 'message' });

    const empty = await post({ model: 'm', messages: [] });
    expect(empty.status).toBe(500);
    expect(await empty.json()).toEqual({ type: 'error', error: { type: 'api_error', message: 'fake-anthropic: no reply queued' } });
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/complete', '/v1/messages', '/v1/messages']);
  });
});

describe('fake-anthropic with @ai-sdk/anthropic', () => {
  it('streamText receives several deltas, the stop reason and usage; the request carries the key and version headers', async () => {
    const queued = 'The quick brown fox jumps over the lazy dog.';
    fake.enqueue({ text: queued, usage: { input_tokens: 11, output_tokens: 9 } });
    const result = streamText({ model: model(), system: 'Be brief.', prompt: 'Tell me a pangram', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join('')).toBe(queued);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).inputTokens).toBe(11);
    expect((await result.usage).outputTokens).toBe(9);

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe('sk-ant-test');
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a pangram' }] }],
    });
    expect(request.body.max_tokens).toEqual(expect.any(Number));
  });

  it('generateText (non-streaming) runs a tool round trip and sends the tool_result back', async () => {
    fake.enqueue({ toolUses: [{ name: 'get_weather', input: { city: 'Paris' }, id: 'toolu_w1' }] }, { text: 'It is sunny in Paris.' });
    const result = await generateText({ model: model(), prompt: 'Weather in Paris?', tools: { get_weather: weatherTool }, stopWhen: stepCountIs(2), maxRetries: 0 });
    expect(result.text).toBe('It is sunny in Paris.');
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolCallId: 'toolu_w1', toolName: 'get_weather', input: { city: 'Paris' } });
    expect(fake.requests.map((r) => r.body.stream)).toEqual([undefined, undefined]);
    expect(fake.requests[0]!.body.tools[0]).toMatchObject({ name: 'get_weather', description: 'Get the weather for a city', input_schema: { type: 'object' } });
    const messages = fake.requests[1]!.body.messages as { role: string; content: { type: string; [k: string]: unknown }[] }[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(messages[1]!.content).toEqual([expect.objectContaining({ type: 'tool_use', id: 'toolu_w1', name: 'get_weather', input: { city: 'Paris' } })]);
    const toolResult = messages[2]!.content[0]!;
    expect(toolResult).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_w1' });
    expect(JSON.parse(toolResult.content as string)).toEqual({ city: 'Paris', forecast: 'sunny', celsius: 21 });
  });

  it('streamText parses tool_use input streamed in pieces after a text block', async () => {
    fake.enqueue({ text: 'Let me add those.', toolUses: [{ name: 'add', input: { a: 2, b: 40 } }] }, { text: 'The sum is 42.' });
    const add = tool({
      description: 'Add two numbers',
      inputSchema: jsonSchema<{ a: number; b: number }>({ type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] }),
      execute: async ({ a, b }) => a + b,
    });
    const result = streamText({ model: model(), prompt: 'add', tools: { add }, stopWhen: stepCountIs(2), maxRetries: 0 });
    const inputDeltas: string[] = [];
    for await (const part of result.fullStream) if (part.type === 'tool-input-delta') inputDeltas.push(part.delta);
    expect(inputDeltas).toHaveLength(2); // the API's empty first partial_json is skipped
    expect(inputDeltas.join('')).toBe('{"a":2,"b":40}');
    expect(await result.text).toBe('The sum is 42.');
    const steps = await result.steps;
    expect(steps[0]!.text).toBe('Let me add those.');
    expect(steps[0]!.finishReason).toBe('tool-calls');
    expect(steps[0]!.toolResults[0]).toMatchObject({ toolName: 'add', input: { a: 2, b: 40 }, output: 42 });
  });

  it('structured output: native output_config.format for a model that supports it, the forced "json" tool otherwise', async () => {
    const schema = jsonSchema<{ category: string }>({ type: 'object', properties: { category: { type: 'string' } }, required: ['category'] });
    fake.enqueue({ text: '{"category":"billing"}' });
    const native = await generateText({ model: model('claude-sonnet-4-5'), prompt: 'classify', output: Output.object({ schema }), maxRetries: 0 });
    expect(native.output).toEqual({ category: 'billing' });
    expect(fake.requests[0]!.body.output_config).toMatchObject({ format: { type: 'json_schema', schema: { type: 'object' } } });

    fake.enqueue({ toolUses: [{ name: 'json', input: { category: 'technical' } }] });
    const viaTool = streamText({ model: model('claude-3-haiku-20240307'), prompt: 'classify', output: Output.object({ schema }), maxRetries: 0 });
    expect(await viaTool.output).toEqual({ category: 'technical' });
    expect(fake.requests[1]!.body.tool_choice).toMatchObject({ type: 'any' }); // the only tool, so using one is forcing it
    expect(fake.requests[1]!.body.tools[0]).toMatchObject({ name: 'json', input_schema: { type: 'object' } });
  });

  it('retries a 529 and a 429 (retry-after: 0) and then succeeds', async () => {
    fake.enqueue({ status: 529, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': '0' } }, { text: 'after retries' });
    const result = await generateText({ model: model(), prompt: 'x', maxRetries: 2 });
    expect(result.text).toBe('after retries');
    expect(fake.requests).toHaveLength(3);
  });

  it("surfaces a 400 as an APICallError carrying Anthropic's message, not retried", async () => {
    fake.enqueue({ status: 400, message: 'messages: roles must alternate' });
    const error = await generateText({ model: model(), prompt: 'x', maxRetries: 2 }).catch((err: unknown) => err);
    expect(APICallError.isInstance(error)).toBe(true);
    expect((error as APICallError).message).toBe('messages: roles must alternate');
    expect((error as APICallError).statusCode).toBe(400);
    expect((error as APICallError).isRetryable).toBe(false);
    expect(fake.requests).toHaveLength(1);
  });

  it('an overloaded_error event opening a stream is a retryable 529 APICallError', async () => {
    fake.enqueue({ streamError: { type: 'overloaded_error', message: 'Overloaded' } });
    const errors: unknown[] = [];
    const result = streamText({ model: model(), prompt: 'x', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await result.consumeStream();
    expect(errors).toHaveLength(1);
    expect(APICallError.isInstance(errors[0])).toBe(true);
    expect(errors[0]).toMatchObject({ statusCode: 529, isRetryable: true, message: 'Overloaded' });
  });

  it('surfaces the empty-queue 500 through streamText', async () => {
    const errors: unknown[] = [];
    const result = streamText({ model: model(), prompt: 'x', maxRetries: 0, onError: ({ error }) => void errors.push(error) });
    await result.consumeStream();
    expect(errors).toHaveLength(1);
    expect(String((errors[0] as Error).message)).toContain('fake-anthropic: no reply queued');
  });
});
