import type { PromptResolver } from '../engine/prompts.js';
import type { Store } from './types.js';

/** The store's prompt library as the engine's resolver: `@latest` is the newest version at the moment of asking. */
export function storePromptResolver(store: Pick<Store, 'getPrompt' | 'getPromptVersion'>): PromptResolver {
  return {
    async resolve(name, version) {
      if (version === 'latest') {
        const prompt = await store.getPrompt(name);
        return prompt && { name: prompt.name, version: prompt.latestVersion, template: prompt.template };
      }
      const found = await store.getPromptVersion(name, version);
      return found && { name: found.name, version: found.version, template: found.template };
    },
  };
}
