import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Id,
  buildGraph,
  edgeWithHandles,
  entryNodeOf,
  findPath,
  inputSchemaOf,
  nodePorts,
  uniqueEdgeId,
  uniqueId,
  type FlowEdge,
  type KindPorts,
  type KindRegistry,
  type KindSpecBase,
} from '../src/index.js';

// A registry of made-up kinds, so these rules are shown to follow the kinds' declarations
// (the `entry` flag, `ports`, `migrate`) and never a kind's name.
const start: KindSpecBase<{ schema?: unknown }> = {
  type: 'start',
  version: 1,
  entry: true,
  configSchema: z.object({ schema: z.unknown().optional() }),
  ports: () => ({ inputs: [], outputs: [{ id: 'out', label: 'Out', type: 'data' }] }),
};
const fork: KindSpecBase<{ ways: string[] }> = {
  type: 'fork',
  version: 2,
  configSchema: z.object({ ways: z.array(z.string()).default(['a']) }),
  // Version 1 named the field `branches`.
  migrate: (config) => ({ ways: (config as { branches?: string[] }).branches ?? [] }),
  ports: (config) => {
    if (!Array.isArray(config.ways)) throw new Error('no ways');
    return { inputs: [{ id: 'in', label: 'In', type: 'data' }], outputs: config.ways.map((w) => ({ id: w, label: w, type: 'data' as const })) };
  },
};
const specs = new Map<string, KindSpecBase>([
  ['start', start as KindSpecBase],
  ['fork', fork as KindSpecBase],
]);
const registry: KindRegistry = { get: (type) => specs.get(type), types: () => [...specs.keys()] };

describe('id rules', () => {
  it('derives ids the flow format accepts, numbering copies from their base', () => {
    expect(uniqueId('prompt', new Set())).toBe('prompt');
    expect(uniqueId('classify-2', new Set(['classify', 'classify-2']))).toBe('classify-3');
    expect(uniqueId('my kind', new Set())).toBe('my_kind');
    expect(uniqueId('9lives', new Set())).toBe('_9lives');
    const long = uniqueId('x'.repeat(200), new Set());
    expect(Id.safeParse(long).success).toBe(true);
    expect(Id.safeParse(uniqueId('x'.repeat(200), new Set([long]))).success).toBe(true);
  });

  it('numbers edges after the ones taken, skipping a taken number', () => {
    expect(uniqueEdgeId(new Set())).toBe('e1');
    expect(uniqueEdgeId(new Set(['e1', 'e3']))).toBe('e4');
    expect(uniqueEdgeId(new Set(['e2']))).toBe('e3');
    expect(uniqueEdgeId(new Set(['x', 'e2']))).toBe('e3');
  });
});

describe('default handles', () => {
  it('fills a handle left out, empty or null with out → in, and keeps one given', () => {
    expect(edgeWithHandles({ source: 'a', target: 'b' })).toEqual({ source: 'a', sourceHandle: 'out', target: 'b', targetHandle: 'in' });
    expect(edgeWithHandles({ source: 'a', sourceHandle: null, target: 'b', targetHandle: '' })).toMatchObject({ sourceHandle: 'out', targetHandle: 'in' });
    expect(edgeWithHandles({ source: 'a', sourceHandle: 'yes', target: 'b', targetHandle: 'tools' })).toMatchObject({ sourceHandle: 'yes', targetHandle: 'tools' });
  });
});

describe('a node\'s ports', () => {
  it('come from its config migrated and parsed (defaults filled in)', () => {
    expect(nodePorts(registry, { type: 'fork', typeVersion: 1, config: { branches: ['x', 'y'] } })?.outputs.map((p) => p.id)).toEqual(['x', 'y']);
    expect(nodePorts(registry, { type: 'fork', typeVersion: 2, config: {} })?.outputs.map((p) => p.id)).toEqual(['a']);
    // No typeVersion: written for version 1, so migrated.
    expect(nodePorts(registry, { type: 'fork', config: { branches: ['x'] } })?.outputs.map((p) => p.id)).toEqual(['x']);
  });

  it('are still tried on a config that does not parse, and unknown when they cannot be had', () => {
    expect(nodePorts(registry, { type: 'fork', typeVersion: 2, config: { ways: ['ok'], extra: 1 } })?.outputs.map((p) => p.id)).toEqual(['ok']);
    expect(nodePorts(registry, { type: 'fork', typeVersion: 2, config: { ways: 'not a list' } })).toBeUndefined();
    expect(nodePorts(registry, { type: 'nope', config: {} })).toBeUndefined();
  });
});

describe('the entry node and the input schema', () => {
  it('are found by the kind\'s entry flag, whatever the kind is called', () => {
    const nodes = [
      { id: 'f', type: 'fork', config: { schema: { type: 'string' } } },
      { id: 's', type: 'start', config: { schema: { type: 'object', required: ['q'] } } },
    ];
    expect(entryNodeOf(nodes, registry)?.id).toBe('s');
    expect(inputSchemaOf({ nodes }, registry)).toEqual({ type: 'object', required: ['q'] });
  });

  it('is any object when there is no entry node or it declares no schema', () => {
    expect(entryNodeOf([{ id: 'i', type: 'input', config: {} }], registry)).toBeUndefined();
    expect(inputSchemaOf({ nodes: [{ type: 'input', config: { schema: { type: 'string' } } }] }, registry)).toEqual({ type: 'object' });
    expect(inputSchemaOf({ nodes: [{ type: 'start', config: {} }] }, registry)).toEqual({ type: 'object' });
    expect(inputSchemaOf({ nodes: [{ type: 'start', config: { schema: ['not', 'a', 'schema'] } }] }, registry)).toEqual({ type: 'object' });
  });
});

describe('paths along data edges', () => {
  const data: KindPorts = { inputs: [{ id: 'in', label: 'In', type: 'data' }, { id: 'tools', label: 'Tools', type: 'tool' }], outputs: [{ id: 'out', label: 'Out', type: 'data' }] };
  const ids = ['a', 'b', 'c', 'd', 't'];
  const nodes = ids.map((id) => ({ id, type: 'x', position: { x: 0, y: 0 }, config: {} }));
  const ports = new Map(ids.map((id) => [id, data]));
  const edge = (id: string, source: string, target: string, targetHandle = 'in'): FlowEdge => ({ id, source, sourceHandle: 'out', target, targetHandle });

  it('finds the shortest path, and none against the direction of the edges', () => {
    const graph = buildGraph(nodes, [edge('e1', 'a', 'b'), edge('e2', 'b', 'c'), edge('e3', 'c', 'd'), edge('e4', 'a', 'd')], ports);
    expect(findPath(graph, 'a', 'd')).toEqual(['a', 'd']);
    expect(findPath(graph, 'b', 'd')).toEqual(['b', 'c', 'd']);
    expect(findPath(graph, 'a', 'a')).toEqual(['a']);
    expect(findPath(graph, 'd', 'a')).toBeUndefined();
  });

  it('does not walk through a node attached as a tool', () => {
    const graph = buildGraph(nodes, [edge('e1', 'a', 't', 'tools'), edge('e2', 't', 'b')], ports);
    expect(findPath(graph, 'a', 'b')).toBeUndefined();
  });
});
