import type { ModelCatalog } from '@trellis/schema';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiHarness } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
let h: Harness | undefined;

afterEach(async () => {
  vi.unstubAllEnvs();
  await h?.close();
  h = undefined;
});

/** A clean slate: no provider keys and no custom providers, whatever the machine running the tests has set. */
function clearProviderEnv() {
  vi.stubEnv('OPENAI_API_KEY', '');
  vi.stubEnv('ANTHROPIC_API_KEY', '');
  vi.stubEnv('TRELLIS_MODEL_PRICES', '');
  for (const name of Object.keys(process.env)) if (/^TRELLIS_PROVIDER_/.test(name)) vi.stubEnv(name, '');
}

describe('GET /api/models', () => {
  it('lists the priced models and the test provider, and says which providers have no key', async () => {
    clearProviderEnv();
    h = await apiHarness();
    const res = await h.call<ModelCatalog>('GET', '/api/models');
    expect(res.status).toBe(200);
    const ids = res.body.items.map((m) => m.id);
    expect(ids).toContain('openai:gpt-4.1-mini');
    expect(ids).toContain('anthropic:claude-sonnet-4-5');
    expect(ids.some((id) => id.startsWith('test:'))).toBe(true);
    expect(res.body.items.find((m) => m.id === 'openai:gpt-4.1-mini')).toEqual({
      id: 'openai:gpt-4.1-mini',
      provider: 'openai',
      configured: false,
      price: { inputPerMillionUsd: 0.4, outputPerMillionUsd: 1.6 },
    });
    expect(res.body.items.find((m) => m.provider === 'test')?.configured).toBe(true);

    const openai = res.body.providers.find((p) => p.id === 'openai');
    expect(openai).toMatchObject({ configured: false });
    expect(openai?.note).toMatch(/OPENAI_API_KEY is not set.*test provider/);
    expect(res.body.providers.find((p) => p.id === 'test')?.configured).toBe(true);
    expect(res.body.providers.find((p) => p.id === 'ollama')?.configured).toBe(true);
  });

  it('marks a provider configured when its key is set, and never sends the key or a base URL', async () => {
    clearProviderEnv();
    vi.stubEnv('OPENAI_API_KEY', 'sk-secret-value-123');
    vi.stubEnv('TRELLIS_PROVIDER_GATEWAY_BASE_URL', 'https://user:pw@gateway.example/v1');
    h = await apiHarness();
    const res = await h.call<ModelCatalog>('GET', '/api/models');
    expect(res.status).toBe(200);
    expect(res.body.items.filter((m) => m.provider === 'openai').every((m) => m.configured)).toBe(true);
    expect(res.body.items.filter((m) => m.provider === 'anthropic').every((m) => !m.configured)).toBe(true);
    expect(res.body.providers.find((p) => p.id === 'openai')).toEqual({ id: 'openai', configured: true });
    expect(res.body.providers.find((p) => p.id === 'gateway')?.configured).toBe(true);
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('sk-secret-value-123');
    expect(text).not.toContain('gateway.example');
  });

  it('adds models from TRELLIS_MODEL_PRICES, and reports a malformed one instead of failing', async () => {
    clearProviderEnv();
    vi.stubEnv('TRELLIS_MODEL_PRICES', '{"ollama:llama3.1":[0,0]}');
    h = await apiHarness();
    const extended = await h.call<ModelCatalog>('GET', '/api/models');
    expect(extended.body.items.find((m) => m.id === 'ollama:llama3.1')).toMatchObject({ provider: 'ollama', configured: true });

    vi.stubEnv('TRELLIS_MODEL_PRICES', '{not json');
    const broken = await h.call<ModelCatalog>('GET', '/api/models');
    expect(broken.status).toBe(200);
    expect(broken.body.items.map((m) => m.id)).toContain('openai:gpt-4.1');
    expect(broken.body.warnings?.[0]).toMatch(/TRELLIS_MODEL_PRICES is not valid JSON/);
  });

  it('is in the OpenAPI document and behind the admin token like the rest of /api', async () => {
    clearProviderEnv();
    h = await apiHarness({ adminToken: 'a-long-admin-token-123' });
    expect((await h.call('GET', '/api/models')).status).toBe(401);
    const ok = await h.call<ModelCatalog>('GET', '/api/models', undefined, { Authorization: 'Bearer a-long-admin-token-123' });
    expect(ok.status).toBe(200);
    const doc = await h.call<{ paths: Record<string, Record<string, { summary?: string }>> }>('GET', '/openapi.json');
    expect(doc.body.paths['/api/models']?.get?.summary).toBe('List the models a node can use');
  });
});
