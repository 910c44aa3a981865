import type { LanguageModelV3GenerateResult, LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { generateText, simulateReadableStream, streamText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { emptyUsage, metered } from '../src/engine/meter.js';

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

const generated = (input: number, output: number): LanguageModelV3GenerateResult => ({
  content: [{ type: 'text', text: 'hi' }],
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: usage(input, output),
  warnings: [],
});

const streamed = (input: number, output: number) => ({
  stream: simulateReadableStream<LanguageModelV3StreamPart>({
    chunks: [
      { type: 'text-start', id: 't' },
      { type: 'text-delta', id: 't', delta: 'hi' },
      { type: 'text-end', id: 't' },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(input, output) },
    ],
  }),
});

const prices = { 'openai:priced': [2, 8] as const };
const model = (modelId: string, tokens: [number, number] = [1000, 500]) =>
  new MockLanguageModelV3({ provider: 'openai.chat', modelId, doGenerate: async () => generated(...tokens), doStream: async () => streamed(...tokens) });

describe('the metered model', () => {
  it('is the same model to its callers, and counts each call, generated or streamed, into the run and the node', async () => {
    const accounts = { run: emptyUsage(), node: emptyUsage() };
    const m = metered(model('priced'), accounts, undefined, prices);
    expect([m.provider, m.modelId]).toEqual(['openai.chat', 'priced']);
    expect((await generateText({ model: m, prompt: 'x' })).text).toBe('hi');
    const s = streamText({ model: m, prompt: 'x' });
    expect(await s.text).toBe('hi');
    // 2 × (1000 × $2 + 500 × $8) per million tokens
    expect(accounts.node).toEqual({ inputTokens: 2000, outputTokens: 1000, totalTokens: 3000, modelCalls: 2, costUsd: 0.012 });
    expect(accounts.run).toEqual(accounts.node);
  });

  it('makes the cost unknown once a model without a price was called', async () => {
    const accounts = { run: emptyUsage(), node: emptyUsage() };
    await generateText({ model: metered(model('priced'), accounts, undefined, prices), prompt: 'x' });
    await generateText({ model: metered(model('unpriced'), accounts, undefined, prices), prompt: 'x' });
    expect(accounts.run).toMatchObject({ totalTokens: 3000, modelCalls: 2, costUsd: null });
  });

  it('refuses a call over the budget of model calls before making it', async () => {
    const inner = model('priced');
    const accounts = { run: { ...emptyUsage(), modelCalls: 2 }, node: emptyUsage() };
    const m = metered(inner, accounts, { maxModelCalls: 2 }, prices);
    await expect(generateText({ model: m, prompt: 'x', maxRetries: 0 })).rejects.toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('its 2 allowed model calls') });
    expect(inner.doGenerateCalls).toHaveLength(0);
    expect(accounts.node.modelCalls).toBe(0);
  });

  it('fails the call that takes the run over its tokens or its cost, generated or streamed', async () => {
    const tokens = { run: emptyUsage(), node: emptyUsage() };
    await expect(generateText({ model: metered(model('priced'), tokens, { maxTokens: 1200 }, prices), prompt: 'x', maxRetries: 0 })).rejects.toMatchObject({
      code: 'budget_exceeded',
      message: expect.stringContaining('the run used 1500 tokens, over its budget of 1200'),
    });
    const cost = { run: emptyUsage(), node: emptyUsage() };
    const s = streamText({ model: metered(model('priced'), cost, { maxCostUsd: 0.001 }, prices), prompt: 'x', onError: () => {} });
    // Read as a node's model call reads it: the budget error ends the stream.
    const read = async () => {
      for await (const part of s.fullStream) if (part.type === 'error') throw part.error;
    };
    await expect(read()).rejects.toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('over its budget of $0.001') });
    expect(cost.run.costUsd).toBeCloseTo(0.006);
  });
});
