/**
 * A kind at config version 2 (`greet`, whose v1 field `greeting` became `message`) run through
 * the engine: its executor only ever sees the v2 config, for a node stamped v1 or stamped with
 * nothing, and a node written for a future version is refused before the run starts.
 * (packages/nodes/test/type-version.test.ts shows the same migration at the loader.)
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Kinds, defineKind, executors as defaultExecutors, kinds as defaultKinds, type KindExecutor } from '@trellis/nodes/server';
import { harness } from './support/harness.js';

const GreetConfig = z.object({ message: z.string().min(1) }).strict();
type GreetConfig = z.infer<typeof GreetConfig>;

const greetSpec = defineKind<GreetConfig>({
  type: 'greet',
  version: 2,
  label: 'Greet',
  description: 'Says its message.',
  category: 'logic',
  configSchema: GreetConfig,
  migrate: (config, fromVersion) => {
    if (fromVersion !== 1) throw new Error(`greet has no version ${fromVersion} to migrate from`);
    const { greeting, ...rest } = config as { greeting?: unknown };
    return { ...rest, message: greeting };
  },
  defaults: () => ({ message: 'Hello' }),
  ports: () => ({ inputs: [{ id: 'in', label: 'In', type: 'data' }], outputs: [{ id: 'out', label: 'Out', type: 'data' }] }),
  fields: [{ path: 'message', label: 'Message', widget: 'text' }],
  defaultPolicy: { timeoutMs: 10_000, retries: 0, backoffMs: 0 },
});

function setup() {
  const seen: unknown[] = [];
  const greetExecutor: KindExecutor<GreetConfig> = {
    type: 'greet',
    execute: async (ctx) => {
      seen.push(ctx.config);
      return { status: 'done', output: `${ctx.config.message}, ${String((ctx.scope.input as { name?: unknown }).name)}` };
    },
  };
  const kinds = new Kinds();
  for (const spec of defaultKinds.all()) kinds.register(spec);
  kinds.register(greetSpec);
  const executors = new Map([...defaultExecutors, ['greet', greetExecutor as KindExecutor<unknown>]]);
  return { seen, ...harness({ kinds, executors }) };
}

const flowWith = (greet: Record<string, unknown>) => ({
  schema: 'trellis.flow/v1',
  id: 'greeting',
  name: 'Greeting',
  nodes: [
    { id: 'in', type: 'input', config: {} },
    { id: 'hello', type: 'greet', ...greet },
    { id: 'out', type: 'output', config: { value: '{{ nodes.hello.output }}' } },
  ],
  edges: [
    { id: 'e1', source: 'in', target: 'hello' },
    { id: 'e2', source: 'hello', target: 'out' },
  ],
});

describe('a kind at version 2, run by the engine', () => {
  it.each([
    ['stamped typeVersion 1', { typeVersion: 1 }],
    ['without typeVersion (version 1)', {}],
  ])('a node %s: the executor gets the migrated config', async (_, stamp) => {
    const { engine, seen } = setup();
    const result = await engine.start(flowWith({ ...stamp, config: { greeting: 'Hi' } }), { input: { name: 'Ada' } });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('succeeded');
    expect(seen).toEqual([{ message: 'Hi' }]);
    expect(result.output).toBe('Hi, Ada');
  });

  it('a node stamped typeVersion 2 runs as written', async () => {
    const { engine, seen } = setup();
    const result = await engine.start(flowWith({ typeVersion: 2, config: { message: 'Hey' } }), { input: { name: 'Ada' } });
    expect(seen).toEqual([{ message: 'Hey' }]);
    expect(result.output).toBe('Hey, Ada');
  });

  it('a node written for version 3 is refused before the run starts, naming the node', async () => {
    const { engine, seen } = setup();
    const start = engine.start(flowWith({ typeVersion: 3, config: { message: 'From the future' } }), { input: { name: 'Ada' } });
    await expect(start).rejects.toMatchObject({ code: 'invalid_flow' });
    await expect(start).rejects.toThrow(/hello.*version 3 of the "greet" kind.*version 2/s);
    expect(seen).toEqual([]);
  });
});
