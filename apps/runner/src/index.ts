export * from './engine/engine.js';
export * from './engine/checkpoint.js';
export { MemoryCheckpointStore } from './engine/memory-store.js';
