export * from './engine/engine.js';
export * from './engine/checkpoint.js';
export { MemoryCheckpointStore, MemoryPromptLibrary } from './engine/memory-store.js';
export { UnresolvedPromptError, type PromptResolver, type ResolvedPrompt } from './engine/prompts.js';
