/**
 * Real provider code paths through the Engine: every model call here leaves the process over
 * loopback HTTP to the fake OpenAI-compatible server, so request building, SSE parsing, tool
 * call streaming, error mapping, retries and budgets are exercised end to end.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import { createModelResolver, type ModelResolverOptions } from '@trellis/nodes/server';
import { harness } from './support/harness.js';
import { startFakeOpenAI, type FakeOpenAI, type RecordedRequest } from '@trellis/test-support/fake-openai';
import { ACCOUNT_SCHEMA, agentFlow as sharedAgentFlow, flow, promptFlow as sharedPromptFlow, topicInput, type Json } from '@trellis/test-support/flows';

let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
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
const setup = (models: ModelResolverOptions) => harness({ models: createModelResolver(models) });

const local = (): ModelResolverOptions => ({ providers: { local: { baseURL: fake.url } }, env: {}, fallbackToTest: false });
const openai = (): ModelResolverOptions => ({ env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.url }, fallbackToTest: false });

const host = (): string => new URL(fake.url).host;

type Policy = { timeoutMs?: number; retries?: number; backoffMs?: number };

const promptFlow = (o: { model?: string; policy?: Policy; schema?: Record<string, unknown> } = {}) => sharedPromptFlow(o.model ?? 'local:test-model', { ...o, id: 'providers-test' });
const agentFlow = (model: string, o: { policy?: Policy; settings?: Record<string, unknown> } = {}) => sharedAgentFlow(model, { ...o, id: 'providers-test' });

const modelPaths = (requests: RecordedRequest[]) => requests.map((r) => r.path);

// ---------------------------------------------------------------------------

describe('streamed text through an OpenAI-compatible provider', () => {
  it('streams deltas, counts the reported usage, and sends the rendered prompt', async () => {
    const { engine, of } = setup(local());
    const text = 'Otters hold hands while they sleep so they do not drift apart.';
    fake.enqueue({ text, usage: { prompt_tokens: 17, completion_tokens: 13 } });

    const result = await engine.start(promptFlow(), { input: { topic: 'otters' } });

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: text });

    // Deltas arriving together are coalesced into fewer events; the text is all there, in order.
    const deltas = of('node.delta', 'ask');
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    expect(deltas.map((d) => d.data.text).join('')).toBe(text);

    const [completed] = of('node.completed', 'ask');
    expect(completed).toBeDefined();
    expect(completed!.data.output).toBe(text);
    expect(completed!.data.usage).toMatchObject({ inputTokens: 17, outputTokens: 13, totalTokens: 30, modelCalls: 1 });
    expect(completed!.data.models).toEqual([{ requested: 'local:test-model', provider: 'local', modelId: 'test-model' }]);
    expect(result.usage).toMatchObject({ inputTokens: 17, outputTokens: 13, modelCalls: 1 });

    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0]!;
    expect(request.path).toBe('/v1/chat/completions');
    expect(request.body).toMatchObject({
      model: 'test-model',
      stream: true,
      messages: [{ role: 'user', content: 'Write one sentence about otters.' }],
    });
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe.each([
  { label: 'OpenAI-compatible chat completions (local:)', model: 'local:test-model', options: local, path: '/v1/chat/completions' },
  { label: 'OpenAI Responses API (openai:)', model: 'openai:gpt-4.1-mini', options: openai, path: '/v1/responses' },
])('agent tool round trip over $label', ({ model, options, path }) => {
  it('calls the tool node, sends its result back, and answers', async () => {
    const { engine, of } = setup(options());
    fake.enqueue({ toolCalls: [{ name: 'lookup_account', arguments: { id: 'A-7' }, id: 'call_lookup_1' }] }, { text: 'Account A-7 has a balance of 42.' });

    const result = await engine.start(agentFlow(model), { input: { topic: 'A-7' } });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ reply: 'Account A-7 has a balance of 42.' });

    const calls = of('node.tool_call', 'investigate');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.data).toMatchObject({ tool: 'lookup_account', toolNodeId: 'lookup', args: { id: 'A-7' } });
    const results = of('node.tool_result', 'investigate');
    expect(results).toHaveLength(1);
    expect(results[0]!.data).toMatchObject({ tool: 'lookup_account', toolNodeId: 'lookup', result: { id: 'A-7', balance: 42 } });
    expect(results[0]!.data.error).toBeUndefined();
    expect(results[0]!.data.toolCallId).toBe(calls[0]!.data.toolCallId);

    const [completed] = of('node.completed', 'investigate');
    expect(completed!.data.usage.modelCalls).toBe(2);
    expect(completed!.data.models?.[0]?.provider).toBe(model.split(':')[0]);

    expect(modelPaths(fake.requests)).toEqual([path, path]);
    const [first, second] = fake.requests.map((r) => r.body); // request JSON, as the provider sent it

    if (path === '/v1/chat/completions') {
      // The first request offers the tool with its JSON Schema.
      const tool = (first!.tools as { function?: { name?: string }; name?: string }[]).find((t) => t.function?.name === 'lookup_account');
      expect(tool).toMatchObject({ type: 'function', function: { name: 'lookup_account', description: 'Finds an account by id', parameters: ACCOUNT_SCHEMA } });
      // The second carries the assistant's tool call and the tool's JSON result.
      const messages = second!.messages as { role: string; tool_calls?: unknown; content: string }[];
      const assistant = messages.find((m) => m.role === 'assistant');
      expect(assistant?.tool_calls).toEqual([expect.objectContaining({ id: 'call_lookup_1', function: expect.objectContaining({ name: 'lookup_account' }) })]);
      const toolMessage = messages.find((m) => m.role === 'tool');
      expect(toolMessage).toMatchObject({ role: 'tool', tool_call_id: 'call_lookup_1' });
      expect(JSON.parse(toolMessage!.content)).toEqual({ id: 'A-7', balance: 42 });
    } else {
      const tool = (first!.tools as { function?: { name?: string }; name?: string }[]).find((t) => t.name === 'lookup_account');
      expect(tool).toMatchObject({ type: 'function', name: 'lookup_account', description: 'Finds an account by id', parameters: ACCOUNT_SCHEMA });
      const items = second!.input as { type?: string; output?: string }[];
      const output = items.find((i) => i.type === 'function_call_output');
      expect(output).toMatchObject({ call_id: 'call_lookup_1' });
      expect(JSON.parse(output!.output!)).toEqual({ id: 'A-7', balance: 42 });
    }
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe('HTTP errors from the provider', () => {
  it('retries a 429 with the node policy, then succeeds', async () => {
    const { engine, events, of } = setup(local());
    fake.enqueue({ status: 429, headers: { 'retry-after': '0' } }, { text: 'Second time lucky.' });

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'luck' } });

    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ answer: 'Second time lucky.' });

    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ attempt: 1, willRetry: true, error: { code: 'model_http_429', nodeId: 'ask' } });
    expect(failed[0]!.data.error.message).toContain(`${host()} answered 429`);
    expect(failed[0]!.data.error.message).toContain('rate limited');

    const started = of('node.started', 'ask');
    expect(started.map((e) => e.data.attempt)).toEqual([1, 2]);
    const completed = of('node.completed', 'ask');
    expect(completed).toHaveLength(1);
    // failed → started (attempt 2) → completed, in that order
    const seqOf = (e: RunEvent) => events.indexOf(e);
    expect(seqOf(failed[0]!)).toBeLessThan(seqOf(started[1]!));
    expect(seqOf(started[1]!)).toBeLessThan(seqOf(completed[0]!));

    expect(fake.requests).toHaveLength(2);
    expect(fake.pendingReplies()).toBe(0);
  });

  it('fails the step on a 500 with a message a person can act on', async () => {
    const { engine, of } = setup(local());
    fake.enqueue({ status: 500, message: 'upstream exploded' });

    const result = await engine.start(promptFlow({ policy: { retries: 0 } }), { input: { topic: 'volcanoes' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_http_500', nodeId: 'ask' });

    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    const message = failed[0]!.data.error.message;
    expect(message).toContain(host());
    expect(message).toContain('500');
    expect(message).toContain('upstream exploded');
    expect(message).not.toContain('    at ');

    const [runFailed] = of('run.failed');
    expect(runFailed).toBeDefined();
    expect(runFailed!.data.error.nodeId).toBe('ask');
    expect(runFailed!.data.error.message).toBe(message);
    expect(of('node.skipped', 'out')).toHaveLength(0); // the run stops; nothing downstream runs
    expect(of('node.started', 'out')).toHaveLength(0);

    expect(fake.requests).toHaveLength(1);
    expect(fake.pendingReplies()).toBe(0);
  });

  it('does not retry a 401 and says to check the API key', async () => {
    const { engine, of } = setup(local());
    fake.enqueue({ status: 401, message: 'Incorrect API key provided' });

    const result = await engine.start(promptFlow({ policy: { retries: 2, backoffMs: 10 } }), { input: { topic: 'keys' } });

    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('model_http_401');
    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    expect(failed[0]!.data.error.message).toContain('Incorrect API key provided');
    expect(failed[0]!.data.error.message).toContain('check the API key');
    expect(of('node.started', 'ask')).toHaveLength(1);

    expect(fake.requests).toHaveLength(1);
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe('structured output through the real path', () => {
  const schema = {
    type: 'object',
    properties: { category: { type: 'string', enum: ['billing', 'technical', 'other'] } },
    required: ['category'],
  };

  it('parses the JSON answer into the output', async () => {
    const { engine, of } = setup(local());
    fake.enqueue({ text: '{"category": "billing"}' });

    const result = await engine.start(promptFlow({ schema }), { input: { topic: 'a double charge' } });

    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(of('node.completed', 'ask')[0]!.data.output).toEqual({ category: 'billing' });
    expect(result.output).toEqual({ answer: { category: 'billing' } });
    expect(fake.requests).toHaveLength(1);
    // JSON mode was asked of the server (json_object or json_schema).
    expect(fake.requests[0]!.body.response_format).toMatchObject({ type: expect.stringMatching(/^json_/) });
    expect(fake.pendingReplies()).toBe(0);
  });

  it('fails with invalid_model_output when the answer does not match the schema', async () => {
    const { engine, of } = setup(local());
    fake.enqueue({ text: '{"category": "weather"}' });

    const result = await engine.start(promptFlow({ schema, policy: { retries: 0 } }), { input: { topic: 'rain' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'invalid_model_output', nodeId: 'ask' });
    expect(result.error?.message).toContain('schema');
    const failed = of('node.failed', 'ask');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    expect(fake.requests).toHaveLength(1);
    expect(fake.pendingReplies()).toBe(0);
  });

  it('fails with invalid_model_output when the answer is not JSON', async () => {
    const { engine } = setup(local());
    fake.enqueue({ text: 'Billing, I think.' });

    const result = await engine.start(promptFlow({ schema, policy: { retries: 0 } }), { input: { topic: 'rain' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'invalid_model_output', nodeId: 'ask' });
    expect(fake.requests).toHaveLength(1);
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe('a provider with no key', () => {
  it('fails with model_unavailable naming OPENAI_API_KEY when falling back is off', async () => {
    const { engine, of } = setup({ env: {}, fallbackToTest: false });

    const result = await engine.start(promptFlow({ model: 'openai:gpt-4.1-mini', policy: { retries: 0 } }), { input: { topic: 'keys' } });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'model_unavailable', nodeId: 'ask' });
    expect(result.error?.message).toContain('OPENAI_API_KEY');
    expect(of('node.failed', 'ask')[0]!.data.willRetry).toBe(false);
    expect(fake.requests).toHaveLength(0);
  });

  it('answers with the test provider, and says why, when falling back is on', async () => {
    const { engine, of } = setup({ env: {}, fallbackToTest: true });

    const result = await engine.start(promptFlow({ model: 'openai:gpt-4.1-mini' }), { input: { topic: 'keys' } });

    expect(result.status).toBe('succeeded');
    const [completed] = of('node.completed', 'ask');
    const info = completed!.data.models?.[0];
    expect(info).toMatchObject({ requested: 'openai:gpt-4.1-mini', provider: 'test', modelId: 'gpt-4.1-mini' });
    expect(info?.testReason).toContain('OPENAI_API_KEY');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('budgets across a real provider', () => {
  it('refuses the model call over maxModelCalls before it reaches the server', async () => {
    const { engine, of } = setup(local());
    fake.enqueue({ toolCalls: [{ name: 'lookup_account', arguments: { id: 'A-7' } }] });

    const result = await engine.start(agentFlow('local:test-model', { settings: { budget: { maxModelCalls: 1 } }, policy: { retries: 2, backoffMs: 10 } }), {
      input: { topic: 'A-7' },
    });

    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'budget_exceeded', nodeId: 'investigate' });
    expect(result.error?.message).toContain('1 allowed model calls');
    // The first call ran its tool; the second was refused and is not retried.
    expect(of('node.tool_result', 'investigate')).toHaveLength(1);
    const failed = of('node.failed', 'investigate');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data.willRetry).toBe(false);
    expect(result.usage.modelCalls).toBe(1);

    expect(fake.requests).toHaveLength(1);
    expect(fake.pendingReplies()).toBe(0);
  });
});

describe('agent handoffs and workers over OpenAI-compatible chat completions (local:)', () => {
  it('offers one transfer tool per target and a tool per worker; a transfer moves the conversation to the target', async () => {
    const { engine, of } = setup(local());
    const agentNode = (id: string, config: Json) => ({ id, type: 'agent', config: { model: 'local:test-model', prompt: '{{ input.topic }}', ...config } });
    const f = flow(
      [
        topicInput,
        agentNode('triage', { instructions: 'Route the customer.' }),
        agentNode('billing', { instructions: 'Settle billing questions.', description: 'Handles invoices and refunds' }),
        agentNode('researcher', { instructions: 'Research: {{ args.task }}', description: 'Looks facts up' }),
        { id: 'out', type: 'output', config: { value: '{{ nodes.triage.output }}' } },
      ],
      [
        ['in', 'triage'],
        ['triage', 'out'],
        ['billing', 'triage', 'agent', 'handoffs'],
        ['researcher', 'triage', 'agent', 'tools'],
      ],
    );
    fake.enqueue(
      { toolCalls: [{ name: 'transfer_to_billing', arguments: { reason: 'a refund' }, id: 'call_transfer_1' }] },
      { text: 'Your refund is on its way.' },
    );

    const result = await engine.start(f, { input: { topic: 'refund please' } });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', output: 'Your refund is on its way.' });

    const [first, second] = fake.requests.map((r) => r.body);
    const tools = (first!.tools as { function: { name: string; description: string; parameters: unknown } }[]).map((t) => t.function);
    expect(tools).toEqual([
      expect.objectContaining({ name: 'researcher', description: 'Looks facts up', parameters: expect.objectContaining({ required: ['task'] }) }),
      expect.objectContaining({
        name: 'transfer_to_billing',
        description: 'Hand the conversation to agent "billing": Handles invoices and refunds',
        parameters: expect.objectContaining({ required: ['reason'] }),
      }),
    ]);
    expect(first!.messages[0]).toEqual({ role: 'system', content: 'Route the customer.' });
    // The second request is billing's: its instructions, the whole history, and a way back to triage.
    const messages = second!.messages as { role: string; content: unknown; tool_call_id?: string }[];
    expect(messages[0]).toEqual({ role: 'system', content: 'Settle billing questions.' });
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(messages[3]).toMatchObject({ tool_call_id: 'call_transfer_1' });
    expect((second!.tools as { function: { name: string; description: string } }[]).map((t) => t.function.name)).toEqual(['transfer_to_triage']);
    expect(of('node.handoff', 'triage').map((e) => e.data)).toEqual([{ from: 'triage', to: 'billing', reason: 'a refund', count: 1, history: 'full' }]);
  });
});
