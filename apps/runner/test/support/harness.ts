import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { EventOf, MockReply, RunEvent, RunEventType } from '@trellis/schema';
import type { Json } from '@trellis/test-support/flows';
import { createModelResolver, executors as defaultExecutors, type KindExecutor, type ModelResolver } from '@trellis/nodes/server';
import { Engine, type EngineOptions } from '../../src/engine/engine.js';
import type { CheckpointStore } from '../../src/engine/checkpoint.js';
import { MemoryCheckpointStore } from '../../src/engine/memory-store.js';

/** Counts executor calls per node, to prove which steps ran and how often. */
export function countingExecutors(counts: Map<string, number>): ReadonlyMap<string, KindExecutor<unknown>> {
  return new Map(
    [...defaultExecutors].map(([type, executor]) => [
      type,
      {
        ...executor,
        execute: (ctx) => {
          counts.set(ctx.node.id, (counts.get(ctx.node.id) ?? 0) + 1);
          return executor.execute(ctx);
        },
      } satisfies KindExecutor<unknown>,
    ]),
  );
}

export function harness(options: Partial<EngineOptions> & { store?: CheckpointStore } = {}) {
  const events: RunEvent[] = [];
  const store = options.store ?? new MemoryCheckpointStore();
  const engine = new Engine({
    models: createModelResolver({ fallbackToTest: true, env: {} }),
    ...options,
    store,
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  const of = <T extends RunEventType>(type: T, nodeId?: string): EventOf<T>[] =>
    events.filter((e): e is EventOf<T> => e.type === type && (nodeId === undefined || ('nodeId' in e && e.nodeId === nodeId)));
  const index = (type: RunEvent['type'], nodeId: string) => events.findIndex((e) => e.type === type && 'nodeId' in e && e.nodeId === nodeId);
  return { engine, events, store, of, index };
}

/** Resolves when `predicate` holds for an event (checked as events arrive), or rejects after `ms`. */
export function eventually(events: RunEvent[], predicate: (e: RunEvent) => boolean, ms = 5_000): Promise<RunEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const found = events.find(predicate);
      if (found) return resolve(found);
      if (Date.now() - started > ms) return reject(new Error('the awaited event never came'));
      setTimeout(check, 5);
    };
    check();
  });
}

/**
 * The test provider, recording every model call's prompt by node id; `scripted` gives a node its
 * replies when the run carries no mock script for it.
 */
export function recording(scripted: Record<string, MockReply[]> = {}): { models: ModelResolver; calls: { nodeId: string; prompt: LanguageModelV3Prompt }[] } {
  const base = createModelResolver({ fallbackToTest: true, env: {} });
  const calls: { nodeId: string; prompt: LanguageModelV3Prompt }[] = [];
  const models: ModelResolver = (request) => {
    const resolved = base({ ...request, mocks: request.mocks ?? scripted[request.nodeId] });
    const inner = resolved.model;
    const model: LanguageModelV3 = Object.assign(Object.create(inner) as LanguageModelV3, {
      doGenerate: (options: LanguageModelV3CallOptions) => (calls.push({ nodeId: request.nodeId, prompt: options.prompt }), inner.doGenerate(options)),
      doStream: (options: LanguageModelV3CallOptions) => (calls.push({ nodeId: request.nodeId, prompt: options.prompt }), inner.doStream(options)),
    });
    return { ...resolved, model };
  };
  return { models, calls };
}

/** An agent on the test model whose task is the input's message. */
export const agent = (id: string, config: Json = {}): Json => ({
  id,
  type: 'agent',
  position: { x: 0, y: 0 },
  config: { model: 'test:m', instructions: `You are ${id}.`, prompt: '{{ input.message }}', ...config },
});
