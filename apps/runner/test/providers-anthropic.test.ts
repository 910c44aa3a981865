/**
 * The Anthropic provider through the Engine: every model call leaves the process over loopback
 * HTTP to the fake Messages API (`@trellis/test-support/fake-anthropic`), wired the way a user
 * wires it (`anthropic:<model>` with ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL), so the real
 * `@ai-sdk/anthropic` request building, SSE parsing, tool_use streaming, error mapping and the
 * engine's retries are exercised end to end.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createModelResolver, type ModelResolverOptions } from '@trellis/nodes/server';
import { harness } from './support/harness.js';
import { startFakeAnthropic, type FakeAnthropic } from '@trellis/test-support/fake-anthropic';
import { ACCOUNT_SCHEMA, agentFlow as sharedAgentFlow, promptFlow as sharedPromptFlow } from '@trellis/test-support/flows';

const API_KEY = 'sk-ant-test-key';
let fake: FakeAnthropic;

beforeAll(async () => {
  // The fake refuses any other key with 401, as the API does: every passing test proves the key went out.
  fake = await startFakeAnthropic({ apiKey: API_KEY });
});

afterAll(async () => {
  await fake?.close();
});

beforeEach(() => {
  fake.requests.length = 0;
});

/** A test that failed half-way may leave replies queued: the next one starts clean. */
afterEach(() => fake.reset());

// ---------------------------------------------------------------------------
// Helpers

/** The engine on the real provider code, pointed at the fake. */
const setup = (models: ModelResolverOptions = anthropic()) => harness({ models: createModelResolver(models) });

const anthropic = (apiKey = API_KEY): ModelResolverOptions => ({ env: { ANTHROPIC_API_KEY: apiKey, ANTHROPIC_BASE_URL: fake.url }, fallbackToTest: false });

const host = (): string => new URL(fake.url).host;

type Policy = { timeoutMs?: number; retries?: number; backoffMs?: number };
const SONNET = 'anthropic:claude-sonnet-4-5';
/** input → prompt "ask" (with a system text) → output { answer }. */
const promptFlow = (o: { model?: string; policy?: Policy; schema?: Record<string, unknown> } = {}) =>
  sharedPromptFlow(o.model ?? SONNET, { ...o, system: 'You answer in one sentence.', id: 'anthropic-test' });
const agentFlow = (model = SONNET) => sharedAgentFlow(model, { id: 'anthropic-test' });

type ContentBlock = { type: string; [key: string]: unknown };
type AnthropicMessage = { role: string; content: string | ContentBlock[] };

// ---------------------------------------------------------------------------

describe('a prompt node on anthropic:', () => {
  it('streams text deltas, records the usage and its cost, and sends the key, the system text and the rendered prompt', async () => {
    const { engine, of } = setup();
    const text = 'Otters hold hands while they sleep so they do not drift apart.';
    fake.enqueue({ text, usage: { input_tokens: 17, output_tokens: 13 } });

    const result = await engine.start(promptFlow(), { input: { topic: 'otters' } });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: text });

    const deltas = of('node.delta', 'ask');
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(deltas.map((d) => d.data.text).join('')).toBe(text);

    // claude-sonnet-4-5 is priced at $3 / $15 per million tokens.
    const cost = (17 * 3 + 13 * 15) / 1_000_000;
    const [completed] = of('node.completed', 'ask');
    expect(completed!.data.output).toBe(text);
    expect(completed!.data.usage).toMatchObject({ inputTokens: 17, outputTokens: 13, totalTokens: 30, modelCalls: 1 });
    expect(completed!.data.usage.costUsd).toBeCloseTo(cost, 12);
    expect(completed!.data.models).toEqual([{ requested: 'anthropic:claude-sonnet-4-5', provider: 'anthropic', modelId: 'claude-sonnet-4-5' }]);
    expect(result.usage).toMatchObject({ inputTokens: 17, outputTokens: 13, modelCalls: 1 });
    expect(result.usage.costUsd).toBeCloseTo(cost, 12);

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toMatchObject({
      model: 'claude-sonnet-4-5',
      stream: true,
      system: [{ type: 'text', text: 'You answer in one sentence.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Write one sentence about otters.' }] }],
    });
    expect(request.body.max_tokens).toEqual(expect.any(Number));
    expect(fake.pendingReplies()).toBe(0);
  });

  it('counts tokens but leaves the cost unknown (null) for a model the price table does not know', async () => {
    const { engine, of } = setup();
    fake.enqueue({ text: 'Fine.', usage: { input_tokens: 5, output_tokens: 2 } });

    const result = await engine.start(promptFlow({ model: 'anthropic:claude-3-haiku-20240307' }), { input: { topic: 'prices' } });

    expect(result.status).toBe('succeeded');
    expect(of('node.completed', 'ask')[0]!.data.usage).toMatchObject({ inputTokens: 5, outputTokens: 2, costUsd: null });
    expect(result.usage.costUsd).toBeNull();
  });

  it("takes ANTHROPIC_BASE_URL without its /v1 too, as Anthropic's own tools write it", async () => {
    for (const base of [fake.url.replace(/\/v1$/, ''), `${fake.url.replace(/\/v1$/, '')}/`, `${fake.url}/`]) {
      const { engine } = setup({ env: { ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: base }, fallbackToTest: false });
      fake.enqueue({ text: 'Reached.' });
      const result = await engine.start(promptFlow(), { input: { topic: 'gateways' } });
      expect(result.status, base).toBe('succeeded');
      expect(fake.requests.at(-1)?.path).toBe('/v1/messages');
    }
  });

  it('passes the max_tokens stop reason through without failing the step', async () => {
    const { engine } = setup();
    fake.enqueue({ text: 'Otters are', stopReason: 'max_tokens' });

    const result = await engine.start(promptFlow(), { input: { topic: 'otters' } });

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: 'Otters are' });
  });
});

describe('structured output on anthropic:', () => {
  const schema = {
    type: 'object',
    properties: { category: { type: 'string', enum: ['billing', 'technical', 'other'] } },
    required: ['category'],
  };

  it("asks for the schema with output_config.format on a model that supports it, and parses the answer", async () => {
    const { engine, of } = setup();
    fake.enqueue({ text: '{"category": "billing"}' });

    const result = await engine.start(promptFlow({ schema }), { input: { topic: 'a double charge' } });

    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({ answer: { category: 'billing' } });
    expect(of('node.completed', 'ask')[0]!.data.output).toEqual({ category: 'billing' });
    const body = fake.requests[0]!.body;
    expect(body.output_config).toMatchObject({ format: { type: 'json_schema', schema: { type: 'object', required: ['category'] } } });
    expect(body.output_config.format.schema.properties.category).toMatchObject({ type: 'string', enum: ['billing', 'technical', 'other'] });
    expect(body.tools).toBeUndefined();
  });

  it('uses a forced "json" tool on an older model, and its tool_use input becomes the output', async () => {
    const { engine, of } = setup();
    fake.enqueue({ toolUses: [{ name: 'json', input: { category: 'technical' } }] });

    const result = await engine.start(promptFlow({ model: 'anthropic:claude-3-haiku-20240307', schema }), { input: { topic: 'a crash' } });

    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({ answer: { category: 'technical' } });
    expect(of('node.tool_call', 'ask')).toHaveLength(0); // the json tool is the answer, not a tool call
    const body = fake.requests[0]!.body;
    expect(body.output_config).toBeUndefined();
    expect(body.tools).toEqual([expect.objectContaining({ name: 'json', input_schema: expect.objectContaining({ required: ['category'] }) })]);
    expect(body.tool_choice).toMatchObject({ type: 'any' });
  });

  it('fails with invalid_model_output when the answer does not match the schema', async () => {
    const { engine } = setup();
    fake.enqueue({ text: '{"category": "weather"}' });

    const result = await engine.start(promptFlow({ schema, policy: { retries: 0 } }), { input: { topic: 'rain' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'invalid_model_output', nodeId: 'ask' });
    expect(result.error?.message).toContain('schema');
  });
});

describe('an agent on anthropic:', () => {
  it('calls the tool node, sends the tool definition and the tool_result, and answers', async () => {
    const { engine, of } = setup();
    fake.enqueue(
      { text: 'Let me look that up.', toolUses: [{ name: 'lookup_account', input: { id: 'A-7' }, id: 'toolu_lookup_1' }], usage: { input_tokens: 40, output_tokens: 20 } },
      { text: 'Account A-7 has a balance of 42.', usage: { input_tokens: 70, output_tokens: 10 } },
    );

    const result = await engine.start(agentFlow(), { input: { topic: 'A-7' } });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ reply: 'Account A-7 has a balance of 42.' });

    const calls = of('node.tool_call', 'investigate');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.data).toMatchObject({ toolCallId: 'toolu_lookup_1', tool: 'lookup_account', toolNodeId: 'lookup', args: { id: 'A-7' } });
    const results = of('node.tool_result', 'investigate');
    expect(results).toHaveLength(1);
    expect(results[0]!.data).toMatchObject({ toolCallId: 'toolu_lookup_1', tool: 'lookup_account', toolNodeId: 'lookup', result: { id: 'A-7', balance: 42 } });
    expect(results[0]!.data.error).toBeUndefined();
    // What Claude said before calling the tool reaches the trace too.
    expect(of('node.delta', 'investigate').map((d) => d.data.text).join('')).toContain('Let me look that up.');

    const [completed] = of('node.completed', 'investigate');
    expect(completed!.data.usage).toMatchObject({ inputTokens: 110, outputTokens: 30, modelCalls: 2 });
    expect(completed!.data.models?.[0]).toMatchObject({ provider: 'anthropic', modelId: 'claude-sonnet-4-5' });

    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/messages', '/v1/messages']);
    expect(fake.requests.every((r) => r.headers['x-api-key'] === API_KEY)).toBe(true);
    const [first, second] = fake.requests.map((r) => r.body);

    // The first request offers the tool with its JSON Schema, and the instructions as the system text.
    expect(first.system).toEqual([{ type: 'text', text: 'Look up the account, then answer in one sentence.' }]);
    const tool = (first.tools as { name: string }[]).find((t) => t.name === 'lookup_account');
    expect(tool).toMatchObject({ name: 'lookup_account', description: 'Finds an account by id', input_schema: ACCOUNT_SCHEMA });

    // The second carries the assistant's text and tool_use, then the tool's result as a user turn.
    const messages = second.messages as AnthropicMessage[];
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    const assistant = messages[1]!.content as ContentBlock[];
    expect(assistant).toEqual([
      expect.objectContaining({ type: 'text', text: 'Let me look that up.' }),
      expect.objectContaining({ type: 'tool_use', id: 'toolu_lookup_1', name: 'lookup_account', input: { id: 'A-7' } }),
    ]);
    const toolResult = (messages[2]!.content as ContentBlock[]).find((b) => b.type === 'tool_result');
    expect(toolResult).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_lookup_1' });
    expect(JSON.parse(toolResult!.content as string)).toEqual({ id: 'A-7', balance: 42 });
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe('HTTP errors from the Anthropic API', () => {
  it('does not retry a 401 for a wrong key, and says to check the API key', async () => {
    const { engine, of } = setup(anthropic('sk-ant-wrong'));

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'keys' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_http_401', nodeId: 'ask' });
    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    const message = failed[0]!.data.error.message;
    expect(message).toContain(`${host()} answered 401`);
    expect(message).toContain('invalid x-api-key'); // Anthropic's own words
    expect(message).toContain('check the API key');
    expect(message).not.toContain('sk-ant-wrong');
    expect(of('run.failed')[0]!.data.error.message).toBe(message);
    expect(of('node.started', 'ask')).toHaveLength(1);

    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.headers['x-api-key']).toBe('sk-ant-wrong');
  });

  it.each([
    { status: 429, label: 'rate_limit_error', hint: 'rate limited' },
    { status: 529, label: 'overloaded_error', hint: 'Overloaded' },
  ])('retries a $status ($label) with the node policy, then succeeds', async ({ status, hint }) => {
    const { engine, events, of } = setup();
    fake.enqueue({ status, headers: { 'retry-after': '0' }, ...(status === 529 ? { message: 'Overloaded' } : {}) }, { text: 'Second time lucky.' });

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'luck' } });

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: 'Second time lucky.' });

    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ attempt: 1, willRetry: true, error: { code: `model_http_${status}`, nodeId: 'ask' } });
    expect(failed[0]!.data.error.message).toContain(`${host()} answered ${status}`);
    expect(failed[0]!.data.error.message).toContain(hint);

    const started = of('node.started', 'ask');
    expect(started.map((e) => e.data.attempt)).toEqual([1, 2]);
    const completed = of('node.completed', 'ask');
    expect(events.indexOf(failed[0]!)).toBeLessThan(events.indexOf(started[1]!));
    expect(events.indexOf(started[1]!)).toBeLessThan(events.indexOf(completed[0]!));
    expect(completed[0]!.data.usage.modelCalls).toBe(2);

    expect(fake.requests).toHaveLength(2);
    expect(fake.pendingReplies()).toBe(0);
  });

  it('fails once the policy runs out of retries while the API stays overloaded', async () => {
    const { engine, of } = setup();
    fake.enqueue({ status: 529, message: 'Overloaded' }, { status: 529, message: 'Overloaded' });

    const result = await engine.start(promptFlow({ policy: { retries: 1, backoffMs: 10 } }), { input: { topic: 'load' } });

    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('model_http_529');
    expect(of('node.failed', 'ask').map((e) => e.data.willRetry)).toEqual([true, false]);
    expect(fake.requests).toHaveLength(2);
  });

  it("surfaces a 400 invalid_request_error's message to the user and does not retry it", async () => {
    const { engine, of } = setup();
    const complaint = 'prompt is too long: 215000 tokens > 200000 maximum';
    fake.enqueue({ status: 400, message: complaint });

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'everything' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_http_400', nodeId: 'ask' });
    expect(result.error?.message).toBe(`${host()} answered 400: ${complaint}`);
    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    expect(failed[0]!.data.error.message).not.toContain('    at ');
    expect(of('run.failed')[0]!.data.error.message).toBe(result.error?.message);
    expect(of('node.started', 'out')).toHaveLength(0);
    expect(fake.requests).toHaveLength(1);
  });

  it('retries a stream that opens with an overloaded_error event, then succeeds', async () => {
    const { engine, of } = setup();
    fake.enqueue({ streamError: { type: 'overloaded_error', message: 'Overloaded' } }, { text: 'Back again.' });

    const result = await engine.start(promptFlow({ policy: { retries: 1, backoffMs: 10 } }), { input: { topic: 'load' } });

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: 'Back again.' });
    const [failed] = of('node.failed', 'ask');
    expect(failed!.data).toMatchObject({ willRetry: true, error: { code: 'model_http_529' } });
    expect(failed!.data.error.message).toContain('Overloaded');
  });

  it('retries an answer broken off mid-stream by an overloaded_error event, saying so, then succeeds', async () => {
    const { engine, of } = setup();
    fake.enqueue({ streamError: { type: 'overloaded_error', message: 'Overloaded' }, text: 'Otters are very', after: 2 }, { text: 'Otters are playful.' });

    const result = await engine.start(promptFlow({ policy: { retries: 1, backoffMs: 10 } }), { input: { topic: 'otters' } });

    expect(result.error).toBeUndefined();
    expect(result.output).toEqual({ answer: 'Otters are playful.' });
    const [failed] = of('node.failed', 'ask');
    expect(failed!.data).toMatchObject({ attempt: 1, willRetry: true, error: { code: 'model_http_529', retryable: true } });
    expect(failed!.data.error.message).toBe('the model provider broke off its answer: Overloaded (overloaded_error)');
    // The first attempt's partial text is in the trace before the failure; the output is the second's.
    expect(of('node.delta', 'ask')[0]!.data.text).toContain('Otters');
    expect(of('node.completed', 'ask')[0]!.data.output).toBe('Otters are playful.');
    expect(fake.requests).toHaveLength(2);
  });

  it('does not retry an invalid_request_error event mid-stream, and shows its message', async () => {
    const { engine, of } = setup();
    fake.enqueue({ streamError: { type: 'invalid_request_error', message: 'Output blocked by content filtering policy' }, after: 1 });

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'otters' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_http_400', nodeId: 'ask' });
    expect(result.error?.message).toContain('Output blocked by content filtering policy');
    expect(of('node.failed', 'ask').map((e) => e.data.willRetry)).toEqual([false]);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('anthropic: with no key', () => {
  it('fails with model_unavailable naming ANTHROPIC_API_KEY when falling back is off', async () => {
    const { engine, of } = setup({ env: { ANTHROPIC_BASE_URL: fake.url }, fallbackToTest: false });

    const result = await engine.start(promptFlow({ policy: { retries: 0 } }), { input: { topic: 'keys' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_unavailable', nodeId: 'ask' });
    expect(result.error?.message).toContain('ANTHROPIC_API_KEY');
    expect(of('node.failed', 'ask')[0]!.data.willRetry).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('answers with the test provider, and says why, when falling back is on', async () => {
    const { engine, of } = setup({ env: {}, fallbackToTest: true });

    const result = await engine.start(promptFlow(), { input: { topic: 'keys' } });

    expect(result.status).toBe('succeeded');
    const info = of('node.completed', 'ask')[0]!.data.models?.[0];
    expect(info).toMatchObject({ requested: 'anthropic:claude-sonnet-4-5', provider: 'test', modelId: 'claude-sonnet-4-5' });
    expect(info?.testReason).toContain('ANTHROPIC_API_KEY');
    expect(fake.requests).toHaveLength(0);
  });
});
