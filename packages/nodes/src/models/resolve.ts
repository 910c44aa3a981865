import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { MockReply, ModelInfo } from '@trellis/schema';
import { TrellisError } from '../errors.js';
import { TestLanguageModel, type MockCursor } from './test-provider.js';

/** An OpenAI-compatible server (Ollama, vLLM, LM Studio, a gateway) under a provider name. */
export interface CompatibleProvider {
  baseURL: string;
  apiKey?: string;
  /** The server enforces a JSON Schema on answers (vLLM, Ollama, LM Studio do): send it. */
  supportsStructuredOutputs?: boolean;
}

export interface ModelResolverOptions {
  env?: Record<string, string | undefined>;
  /** Extra OpenAI-compatible providers by name, e.g. `{ local: { baseURL: 'http://127.0.0.1:8000/v1' } }`. */
  providers?: Record<string, CompatibleProvider>;
  /**
   * When a provider has no key configured, answer with the test provider (saying so in the
   * trace) instead of failing. Right for trying flows out; wrong for production endpoints.
   */
  fallbackToTest?: boolean;
  /**
   * A provider's key stored as a credential (the runner's Settings), asked when the environment
   * holds none for it: the environment always wins. Asked on each model request, so a key
   * entered or removed takes effect on the next call.
   */
  storedKey?: (provider: string) => string | undefined;
  /**
   * Every model is answered by the test provider (from the mock script, else its canned text):
   * no provider is called, not even a local one. For test cases run offline (`trellis test`).
   */
  offline?: boolean;
}

export interface ModelRequest {
  requested: string;
  nodeId: string;
  /** The run's mock replies for this node, if it carries any: they always go to the test provider. */
  mocks?: readonly MockReply[] | undefined;
  cursor: MockCursor;
}

export type ModelResolver = (request: ModelRequest) => { model: LanguageModelV3; info: ModelInfo };

/** Local servers with a well-known address; each can be moved with <NAME>_BASE_URL. */
export const KNOWN_COMPATIBLE: Readonly<Record<string, string>> = {
  ollama: 'http://127.0.0.1:11434/v1',
  lmstudio: 'http://127.0.0.1:1234/v1',
  vllm: 'http://127.0.0.1:8000/v1',
};

export function createModelResolver(options: ModelResolverOptions = {}): ModelResolver {
  const env = options.env ?? process.env;
  const fallback = options.fallbackToTest ?? true;
  const cache = new Map<string, (modelId: string) => LanguageModelV3>();

  function compatible(name: string): CompatibleProvider | undefined {
    const configured = options.providers?.[name];
    if (configured) return configured;
    const prefix = `TRELLIS_PROVIDER_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
    const baseURL = env[`${prefix}_BASE_URL`] ?? env[`${name.toUpperCase()}_BASE_URL`] ?? KNOWN_COMPATIBLE[name];
    if (!baseURL) return undefined;
    const apiKey = env[`${prefix}_API_KEY`] ?? env[`${name.toUpperCase()}_API_KEY`] ?? options.storedKey?.(name);
    const structured = env[`${prefix}_STRUCTURED_OUTPUTS`];
    const supportsStructuredOutputs = structured === undefined ? name in KNOWN_COMPATIBLE : structured === '1';
    return { baseURL, supportsStructuredOutputs, ...(apiKey ? { apiKey } : {}) };
  }

  /** A factory for the provider's models, or the reason there is none. */
  function provider(name: string): ((modelId: string) => LanguageModelV3) | string {
    // A stored key may change while the runner runs: the factory is kept per key.
    const stored = options.storedKey?.(name);
    const cacheKey = stored === undefined ? name : `${name}\u0000${stored}`;
    const cached = cache.get(cacheKey);
    if (cached) return cached;
    let factory: (modelId: string) => LanguageModelV3;
    if (name === 'openai') {
      const apiKey = env.OPENAI_API_KEY || stored;
      if (!apiKey) return 'no OPENAI_API_KEY is set (nor an openai key in Settings)';
      const openai = createOpenAI({ apiKey, ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}) });
      factory = (id) => openai(id);
    } else if (name === 'anthropic') {
      const apiKey = env.ANTHROPIC_API_KEY || stored;
      if (!apiKey) return 'no ANTHROPIC_API_KEY is set (nor an anthropic key in Settings)';
      const anthropic = createAnthropic({ apiKey, ...(env.ANTHROPIC_BASE_URL ? { baseURL: anthropicBaseURL(env.ANTHROPIC_BASE_URL) } : {}) });
      factory = (id) => anthropic(id);
    } else {
      const settings = compatible(name);
      if (!settings) {
        return `unknown provider "${name}": use openai, anthropic, ollama, lmstudio, vllm, test, or set TRELLIS_PROVIDER_${name.toUpperCase()}_BASE_URL`;
      }
      const server = createOpenAICompatible({ name, includeUsage: true, ...settings });
      factory = (id) => server.chatModel(id);
    }
    cache.set(cacheKey, factory);
    return factory;
  }

  return ({ requested, nodeId, mocks, cursor }) => {
    const colon = requested.indexOf(':');
    const providerName = colon > 0 ? requested.slice(0, colon) : '';
    const modelId = colon > 0 ? requested.slice(colon + 1) : requested;
    const test = (reason?: string) => ({
      model: new TestLanguageModel(modelId, nodeId, mocks ?? [], cursor),
      info: { requested, provider: 'test', modelId, ...(reason ? { testReason: reason } : {}) },
    });
    if (!providerName) {
      throw new TrellisError('invalid_model', `model "${requested}" must be "provider:model", e.g. "openai:gpt-4.1-mini"`);
    }
    if (providerName === 'test') return test();
    if (mocks) return test('the run carries a mock script for this node');
    if (options.offline) return test('test cases run offline: no real model is called');
    const factory = provider(providerName);
    if (typeof factory === 'string') {
      if (fallback && !factory.startsWith('unknown provider')) return test(factory);
      throw new TrellisError('model_unavailable', `cannot use "${requested}": ${factory}`);
    }
    return { model: factory(modelId), info: { requested, provider: providerName, modelId } };
  };
}

/**
 * Anthropic's own SDKs and tools take ANTHROPIC_BASE_URL without the `/v1` (the AI SDK wants it
 * with): accept both, so a gateway set up for Claude Code works here too instead of 404ing.
 */
export function anthropicBaseURL(value: string): string {
  const trimmed = value.replace(/\/+$/, '');
  return trimmed.endsWith('/v1') ? trimmed : `${trimmed}/v1`;
}
