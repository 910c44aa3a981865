import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import type { ModelResolver } from '@trellis/nodes/server';
import { describe, expect, it } from 'vitest';
import { tryPrompt } from '../src/server/prompt-try.js';

const finish = (input: number, output: number): LanguageModelV3StreamPart => ({
  type: 'finish',
  finishReason: { unified: 'stop', raw: 'stop' },
  usage: { inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: output, text: output, reasoning: 0 } },
});

/** A resolver that hands out one mock model, as the runner's resolver hands out a provider's. */
const resolverOf = (model: MockLanguageModelV3, provider: string, modelId: string): ModelResolver => (request) => ({
  model,
  info: { requested: request.requested, provider, modelId },
});

describe('"Try it" of the prompt library', () => {
  it('sends the rendered prompt the way the prompt node does (streamed, one user message) and counts usage and cost by the run rules', async () => {
    const model = new MockLanguageModelV3({
      provider: 'openai.chat',
      modelId: 'gpt-4.1-mini',
      doStream: async () => ({
        stream: simulateReadableStream<LanguageModelV3StreamPart>({
          chunks: [{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'billing' }, { type: 'text-end', id: 't' }, finish(1_000_000, 500_000)],
        }),
      }),
    });
    const [result] = await tryPrompt({
      templates: [{ version: 0, template: 'Sort: {{ message }}' }],
      samples: [{ message: 'charged twice', who: 'Ann' }],
      model: 'openai:gpt-4.1-mini',
      system: 'You help {{ who }}.',
      models: resolverOf(model, 'openai', 'gpt-4.1-mini'),
    });
    expect(result).toMatchObject({ version: 0, sample: 0, rendered: 'Sort: charged twice', text: 'billing', testProvider: false });
    // gpt-4.1-mini lists at $0.4 in and $1.6 out per million tokens.
    expect(result!.usage).toEqual({ inputTokens: 1_000_000, outputTokens: 500_000, totalTokens: 1_500_000, modelCalls: 1, costUsd: 1.2 });
    expect(model.doGenerateCalls).toHaveLength(0);
    expect(model.doStreamCalls[0]!.prompt).toEqual([
      { role: 'system', content: 'You help Ann.' },
      { role: 'user', content: [{ type: 'text', text: 'Sort: charged twice' }] },
    ]);
  });

  it('gives each pair its own error: a model that fails, a template that does not render', async () => {
    const model = new MockLanguageModelV3({
      doStream: async () => {
        throw new Error('the provider is down');
      },
    });
    const results = await tryPrompt({
      templates: [
        { version: 1, template: 'Fine {{ message }}' },
        { version: 2, template: 'Broken {{ message ' },
      ],
      samples: [{ message: 'x' }],
      model: 'local:small',
      models: resolverOf(model, 'local', 'small'),
    });
    expect(results[0]).toMatchObject({ version: 1, rendered: 'Fine x', error: expect.stringContaining('the provider is down') });
    expect(results[0]).not.toHaveProperty('usage');
    expect(results[1]).toMatchObject({ version: 2, rendered: '', error: expect.any(String) });
  });
});
