import { createRoute } from '@hono/zod-openapi';
import { priceTable } from '@trellis/nodes/server';
import { ModelCatalog, errorMessage, type ModelProviderInfo } from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { json } from '../schemas.js';

/** The hosted providers and the variable holding each one's key (as the model resolver reads them). */
const KEYED: Record<string, string> = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' };
/** OpenAI-compatible servers with a well-known local address: usable without a key. */
const LOCAL = ['ollama', 'lmstudio', 'vllm'];
/** The test provider answers for any model name; one is listed so it can be picked. */
const TEST_MODELS = ['test:echo'];
const CUSTOM_PROVIDER = /^TRELLIS_PROVIDER_([A-Z0-9_]+)_BASE_URL$/;

/**
 * What the model picker offers: the models of the price table plus the test provider, and
 * for each provider whether the runner can use it. Only booleans and sentences leave the
 * server: never a key, nor a base URL (which may carry credentials).
 */
export function modelCatalog(env: Record<string, string | undefined>, storedKeys: readonly string[] = []): ModelCatalog {
  const warnings: string[] = [];
  let prices: Record<string, readonly [number, number]>;
  try {
    prices = priceTable(env);
  } catch (error) {
    warnings.push(errorMessage(error));
    prices = priceTable({});
  }

  const providers = new Map<string, ModelProviderInfo>();
  for (const [id, variable] of Object.entries(KEYED)) {
    const configured = Boolean(env[variable]) || storedKeys.includes(id);
    providers.set(id, configured ? { id, configured } : { id, configured, note: `${variable} is not set on the runner, so runs answer with the built-in test provider instead (or add a key in Settings)` });
  }
  for (const id of LOCAL) {
    providers.set(id, { id, configured: true, note: 'a local OpenAI-compatible server: needs no key, but the runner does not check that it is running' });
  }
  for (const name of Object.keys(env)) {
    const custom = CUSTOM_PROVIDER.exec(name);
    if (!custom || !env[name]) continue;
    const id = custom[1]!.toLowerCase();
    if (!providers.has(id)) providers.set(id, { id, configured: true, note: `an OpenAI-compatible server set by ${name}` });
  }
  providers.set('test', { id: 'test', configured: true, note: 'the built-in deterministic test provider: echoes, sample objects or the run\'s mock script; no model is called' });

  const ids = [...Object.keys(prices), ...TEST_MODELS];
  const items = ids.map((id) => {
    const provider = id.slice(0, Math.max(0, id.indexOf(':')));
    const price = prices[id];
    return {
      id,
      provider,
      configured: providers.get(provider)?.configured ?? false,
      ...(price ? { price: { inputPerMillionUsd: price[0], outputPerMillionUsd: price[1] } } : {}),
    };
  });
  return { items, providers: [...providers.values()], ...(warnings.length ? { warnings } : {}) };
}

export function modelRoutes(app: Api, { service }: Deps): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/models',
      tags: ['Model catalog'],
      summary: 'List the models a node can use',
      description:
        'Known models (the price table) and the test provider, with whether each provider is configured on this runner. A provider without its key makes runs fall back to the test provider.',
      responses: { 200: json(ModelCatalog, 'The models and providers') },
    }),
    // Read on each request: it is cheap, and what the runner sees is what the picker says.
    async (c) => c.json(modelCatalog(process.env, await service.credentials.storedProviders()), 200),
  );
}
