import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeTooDeep, findTooDeep, jsonTextDepth, loadFlow, MAX_JSON_DEPTH, type KindRegistry } from '../src/index.js';

const EXAMPLES = new URL('../../../examples/', import.meta.url).pathname;
const nested = (levels: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
const noKinds: KindRegistry = { get: () => undefined, types: () => [] } as unknown as KindRegistry;

describe('the JSON nesting limit', () => {
  it('finds a value 5,000 levels deep without overflowing the stack, naming where the limit is passed', () => {
    const text = '['.repeat(5000) + ']'.repeat(5000);
    expect(jsonTextDepth(text)).toBe(5000);
    const found = findTooDeep(JSON.parse(text));
    expect(found?.limit).toBe(MAX_JSON_DEPTH);
    expect(found?.path).toEqual(Array(MAX_JSON_DEPTH).fill(0));
    expect(describeTooDeep('body', found!)).toBe(`body[0][0][0][0][0][0]… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
  });

  it('accepts exactly the limit and refuses one level more', () => {
    expect(findTooDeep(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(findTooDeep(nested(MAX_JSON_DEPTH + 1))?.path).toHaveLength(MAX_JSON_DEPTH);
    expect(jsonTextDepth(JSON.stringify(nested(MAX_JSON_DEPTH)))).toBe(MAX_JSON_DEPTH);
    expect(findTooDeep('text')).toBeUndefined();
    expect(findTooDeep({ input: { a: nested(3) } }, 3)).toEqual({ path: ['input', 'a', 'a'], limit: 3 });
    expect(describeTooDeep('body', { path: ['input', 'a'], limit: 2 })).toBe('body.input.a nests deeper than 2 levels, the limit');
  });

  it('ends on a value that contains itself', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(findTooDeep(loop)?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it('counts brackets inside strings as text', () => {
    expect(jsonTextDepth(JSON.stringify({ a: '[[[[{{{{ \\" [[[' }))).toBe(1);
    expect(jsonTextDepth('"\\\\"')).toBe(0);
  });

  it('leaves every bundled example well inside the limit', () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const text = readFileSync(join(EXAMPLES, file), 'utf8');
      expect(jsonTextDepth(text), file).toBeLessThan(MAX_JSON_DEPTH / 2);
      expect(findTooDeep(JSON.parse(text)), file).toBeUndefined();
    }
  });

  it('makes the flow loader refuse a flow nested too deep with one problem naming where', () => {
    const flow = { schema: 'trellis.flow/v1', id: 'deep', name: 'Deep', nodes: [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: nested(5000) } }], edges: [] };
    const result = loadFlow(flow, noKinds);
    expect(result.ok).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ code: 'invalid_flow', nodeId: 'in', path: ['nodes', 0, 'config', 'schema', 0, 'a'] });
    expect(result.problems[0]!.message).toBe(`nodes[0].config.schema[0].a… nests deeper than ${MAX_JSON_DEPTH} levels, the limit`);
  });
});
