/**
 * The runner's HTTP API payloads, as zod schemas with their inferred types: the runner builds
 * its routes, request checks and OpenAPI document from them, and the editor's client uses the
 * types (type-only imports, so no schema reaches its bundle). Each schema a document names
 * carries `.meta({ id })`: its name in the OpenAPI document.
 */
export * from './limits.js';
export * from './common.js';
export * from './flows.js';
export * from './runs.js';
export * from './approvals.js';
export * from './publishing.js';
export * from './keys.js';
export * from './models.js';
export * from './prompts.js';
export * from './endpoints.js';
export * from './mcp.js';
export * from './credentials.js';
export * from './step-test.js';
export * from './flow-tests.js';
export * from './evals.js';
