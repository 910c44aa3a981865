/**
 * The hand-built ExecContext the kind tests (src/kinds/<kind>/<kind>.test.ts) run executors
 * with (no engine): configs go through the kind's configSchema first so defaults apply, models
 * are the deterministic test provider, and HTTP goes to a local server.
 */
import { expect } from 'vitest';
import type { FlowNode, MockReply } from '@trellis/schema';
import { TrellisError } from '../../src/errors.js';
import { TestLanguageModel, type MockCursor } from '../../src/models/test-provider.js';
import type { ExecContext, ExecResult, NodeEmission, Scope } from '../../src/runtime.js';

export interface CtxOverrides<C> extends Partial<Omit<ExecContext<C>, 'config' | 'scope' | 'node'>> {
  node?: Partial<FlowNode>;
  /** Replies the test model plays, one per model call. */
  replies?: MockReply[];
  /** Where in `replies` the model is; share it between a first run and its resume. */
  cursor?: MockCursor;
}

export type TestCtx<C> = ExecContext<C> & { events: NodeEmission[]; cursor: MockCursor; aborter: AbortController };

export function ctx<C>(config: C, scope: Partial<Scope> = {}, overrides: CtxOverrides<C> = {}): TestCtx<C> {
  const { node: nodeOverride, replies = [], cursor = { value: 0 }, ...rest } = overrides;
  const node: FlowNode = { id: 'n', type: 'test', position: { x: 0, y: 0 }, config: {}, ...nodeOverride };
  const events: NodeEmission[] = [];
  const aborter = new AbortController();
  return {
    runId: 'run-1',
    node,
    config,
    scope: { input: {}, nodes: {}, vars: {}, ...scope },
    signal: aborter.signal,
    attempt: 1,
    emit: (e) => events.push(e),
    model: (id) => new TestLanguageModel(id || 'm', node.id, replies, cursor),
    tools: () => [],
    promptTemplate: (ref) => Promise.reject(new TrellisError('unresolved_prompt', `no library in this test for "${ref}"`)),
    network: { allowPrivateNetwork: false },
    ...rest,
    events,
    cursor,
    aborter,
  };
}

/** Runs a promise expected to reject, and returns the TrellisError it rejected with. */
export async function failure(promise: Promise<unknown>): Promise<TrellisError> {
  try {
    await promise;
  } catch (error) {
    expect(TrellisError.isInstance(error), `expected a TrellisError, got ${String(error)}`).toBe(true);
    return error as TrellisError;
  }
  throw new Error('expected a failure, but it succeeded');
}

export function done(result: ExecResult) {
  expect(result.status).toBe('done');
  if (result.status !== 'done') throw new Error('not done');
  return result;
}

export function waiting(result: ExecResult) {
  expect(result.status).toBe('wait');
  if (result.status !== 'wait') throw new Error('not waiting');
  return result;
}

/** What the engine does between a wait and its resume: the state goes through JSON. */
export const checkpoint = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
