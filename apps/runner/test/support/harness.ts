import type { RunEvent } from '@trellis/schema';
import { createModelResolver, executors as defaultExecutors, type KindExecutor } from '@trellis/nodes/server';
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
  const of = (type: RunEvent['type'], nodeId?: string) => events.filter((e) => e.type === type && (nodeId === undefined || ('nodeId' in e && e.nodeId === nodeId)));
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
