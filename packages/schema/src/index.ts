export * from './flow.js';
export * from './events.js';
export * from './problems.js';
export * from './kinds.js';
export * from './graph.js';
export * from './migrate.js';
export * from './load.js';
export * from './jsonschema.js';
export type * from './api.js';
