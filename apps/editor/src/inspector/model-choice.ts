/** What the model picker says about the model id in it: pure, from the runner's model list. */
import type { ModelCatalog } from '@trellis/schema';

export interface ModelAdvice {
  level: 'warning' | 'note';
  message: string;
}

export function providerOf(modelId: string): string | undefined {
  const colon = modelId.indexOf(':');
  return colon > 0 ? modelId.slice(0, colon) : undefined;
}

/**
 * Warnings a person should see before running: a malformed id, a provider the runner does not
 * know (runs fail), a provider without its key (runs answer with the test provider), and notes
 * (not in the price table, so cost shows as unknown).
 */
export function adviseModel(modelId: string, catalog: ModelCatalog | undefined): ModelAdvice[] {
  const id = modelId.trim();
  if (!id) return [];
  const provider = providerOf(id);
  if (!provider || id.length === provider.length + 1) {
    return [{ level: 'warning', message: 'Write the model as provider:model, e.g. openai:gpt-4.1-mini.' }];
  }
  if (!catalog) return [];
  const info = catalog.providers.find((p) => p.id === provider);
  if (!info) {
    const known = catalog.providers.map((p) => p.id).join(', ');
    return [{ level: 'warning', message: `The runner knows no provider "${provider}": runs of this node will fail. Known providers: ${known}.` }];
  }
  const advice: ModelAdvice[] = [];
  if (!info.configured) {
    advice.push({ level: 'warning', message: `No key for ${provider}: ${info.note ?? 'runs cannot call this provider'}.` });
  } else if (info.note && provider !== 'test') {
    advice.push({ level: 'note', message: `${provider}: ${info.note}.` });
  }
  if (provider !== 'test' && !catalog.items.some((m) => m.id === id)) {
    advice.push({ level: 'note', message: `"${id}" is not in the runner's price table: its cost shows as unknown.` });
  }
  return advice;
}
