/**
 * A kind's config version (`version`, `migrate`) as a real v2 would use it, before any built-in
 * kind needs one: `greet` renamed its v1 field `greeting` to `message`. The loader is where a
 * config is brought up to date, for the editor and for the engine alike (the engine runs the
 * loaded flow's configs), so these tests go through it with a registry that knows `greet`.
 */
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { loadFlow, nodePorts, type LoadResult } from '@trellis/schema';
import { Kinds, defineKind } from '../src/spec.js';
import { inputSpec } from '../src/kinds/input/spec.js';
import { outputSpec } from '../src/kinds/output/spec.js';
import { pureStepPolicy } from '../src/lib/policy.js';

const GreetConfig = z.object({ message: z.string().min(1), loud: z.boolean().default(false) }).strict();
type GreetConfig = z.infer<typeof GreetConfig>;

/** Version 1 was `{ greeting }`; version 2 is `{ message, loud }`. */
const migrate = vi.fn((config: unknown, fromVersion: number): unknown => {
  if (fromVersion !== 1) throw new Error(`greet has no version ${fromVersion} to migrate from`);
  const { greeting, ...rest } = config as { greeting?: unknown };
  return { ...rest, message: greeting };
});

const greetSpec = defineKind<GreetConfig>({
  type: 'greet',
  version: 2,
  label: 'Greet',
  description: 'Says its message.',
  category: 'logic',
  configSchema: GreetConfig,
  migrate,
  defaults: () => ({ message: 'Hello', loud: false }),
  ports: () => ({ inputs: [{ id: 'in', label: 'In', type: 'data' }], outputs: [{ id: 'out', label: 'Out', type: 'data' }] }),
  fields: [{ path: 'message', label: 'Message', widget: 'text' }],
  defaultPolicy: pureStepPolicy,
});

const registry = new Kinds().register(inputSpec).register(greetSpec).register(outputSpec);

/** A flow of input → greet → output, the greet node as given. */
function flowWith(greet: Record<string, unknown>) {
  return {
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
  };
}

function greetNode(result: LoadResult) {
  expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  expect(result.ok).toBe(true);
  return result.flow!.nodes.find((n) => n.id === 'hello')!;
}

describe('a kind at version 2', () => {
  it('loads a v1 node with its config migrated (and parsed), stamped typeVersion 2', () => {
    migrate.mockClear();
    const result = loadFlow(flowWith({ typeVersion: 1, config: { greeting: 'Hi there' } }), registry);
    const node = greetNode(result);
    expect(node.typeVersion).toBe(2);
    expect(node.config).toEqual({ message: 'Hi there', loud: false });
    expect(migrate).toHaveBeenCalledWith({ greeting: 'Hi there' }, 1);
    // What the engine runs: its steps read each node's config from the loaded graph.
    expect(result.graph!.nodes.get('hello')!.config).toEqual({ message: 'Hi there', loud: false });
  });

  it('treats a node without typeVersion as written for version 1', () => {
    migrate.mockClear();
    const node = greetNode(loadFlow(flowWith({ config: { greeting: 'Hi there' } }), registry));
    expect(migrate).toHaveBeenCalledWith({ greeting: 'Hi there' }, 1);
    expect(node.typeVersion).toBe(2);
    expect(node.config).toEqual({ message: 'Hi there', loud: false });
    // The editor's handles come from the same migrated config.
    expect(nodePorts(registry, { type: 'greet', config: { greeting: 'Hi there' } })?.outputs.map((p) => p.id)).toEqual(['out']);
  });

  it('leaves a v2 node as written: no migration', () => {
    migrate.mockClear();
    const node = greetNode(loadFlow(flowWith({ typeVersion: 2, config: { message: 'Hey', loud: true } }), registry));
    expect(migrate).not.toHaveBeenCalled();
    expect(node.config).toEqual({ message: 'Hey', loud: true });
  });

  it('checks the migrated config, not the one written: a v1 config that migrates to something invalid is refused at the node', () => {
    const result = loadFlow(flowWith({ typeVersion: 1, config: { greeting: '' } }), registry);
    expect(result.ok).toBe(false);
    const problem = result.problems.find((p) => p.code === 'invalid_config');
    expect(problem).toMatchObject({ nodeId: 'hello', severity: 'error' });
    expect(problem!.path.slice(0, 3)).toEqual(['nodes', 1, 'config']);
  });

  it('refuses a node written for a future version (3), naming the node, the kind and both versions', () => {
    migrate.mockClear();
    const result = loadFlow(flowWith({ typeVersion: 3, config: { message: 'From the future' } }), registry);
    expect(result.ok).toBe(false);
    const problems = result.problems.filter((p) => p.severity === 'error');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'invalid_config', nodeId: 'hello', path: ['nodes', 1, 'typeVersion'] });
    expect(problems[0]!.message).toContain('version 3');
    expect(problems[0]!.message).toContain('"greet"');
    expect(problems[0]!.message).toContain('version 2');
    expect(migrate).not.toHaveBeenCalled();
  });
});
