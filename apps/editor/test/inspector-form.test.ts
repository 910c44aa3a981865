import type { Problem } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { formatJson, parseJsonText } from '../src/inspector/json-text.js';
import { getPath, isShown, sameValue, setPath } from '../src/inspector/paths.js';
import { sortProblems } from '../src/inspector/problems.js';

describe('dotted paths into a config', () => {
  const config = { model: 'openai:gpt-4.1-mini', prompt: { template: 'Hi {{ input.name }}' }, output: { schema: { type: 'object' } } };

  it('reads nested values and gives undefined for a path that does not exist', () => {
    expect(getPath(config, 'prompt.template')).toBe('Hi {{ input.name }}');
    expect(getPath(config, 'output.schema.type')).toBe('object');
    expect(getPath(config, 'http.method')).toBeUndefined();
    expect(getPath(config, 'model.length')).toBeUndefined(); // never reads into a string
  });

  it('sets a value on a copy, leaving the original and untouched branches as they were', () => {
    const next = setPath(config, 'prompt.template', 'Bye');
    expect(next).toEqual({ ...config, prompt: { template: 'Bye' } });
    expect(config.prompt.template).toBe('Hi {{ input.name }}');
    expect(next.output).toBe(config.output); // shared, not copied
    expect(next.prompt).not.toBe(config.prompt);
  });

  it('creates missing objects on the way', () => {
    expect(setPath({ tool: 'http' }, 'http.method', 'POST')).toEqual({ tool: 'http', http: { method: 'POST' } });
  });

  it('removes a key set to undefined, and a parent object left empty by it', () => {
    const next = setPath(config, 'output.schema', undefined);
    expect(next).toEqual({ model: config.model, prompt: config.prompt });
    expect('output' in next).toBe(false);
    expect(setPath({ http: { method: 'GET', url: 'x' } }, 'http.method', undefined)).toEqual({ http: { url: 'x' } });
    expect(setPath({ a: 1 }, 'a', undefined)).toEqual({}); // the config itself stays an object
  });

  it('compares JSON values by structure, ignoring key order and undefined keys', () => {
    expect(sameValue({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue([1, 2], [2, 1])).toBe(false);
    expect(sameValue('1', 1)).toBe(false);
    expect(sameValue(undefined, null)).toBe(false);
  });

  it('shows a field only when its showWhen matches the config', () => {
    const hint = { showWhen: { path: 'tool', equals: ['http'] } };
    expect(isShown(hint, { tool: 'http' })).toBe(true);
    expect(isShown(hint, { tool: 'transform' })).toBe(false);
    expect(isShown({}, { tool: 'transform' })).toBe(true);
  });
});

describe('JSON typed by a person', () => {
  it('treats empty text as no value, and parses the rest', () => {
    expect(parseJsonText('  \n')).toEqual({ ok: true, value: undefined });
    expect(parseJsonText('{"a": [1, true]}')).toEqual({ ok: true, value: { a: [1, true] } });
  });

  it('names the line and column of a syntax error', () => {
    const parsed = parseJsonText('{\n  "a": 1,\n  b: 2\n}');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatch(/line 3, column 3|line 3 column 3/);
  });

  it('prints with two spaces, and nothing for no value', () => {
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatJson(undefined)).toBe('');
  });
});

describe('problems sorted into the form', () => {
  const problem = (path: (string | number)[], message = 'bad'): Problem => ({ severity: 'error', code: 'invalid_config', message, nodeId: 'n', path });

  it('puts a problem under the field it is about, or the object holding that field', () => {
    const inside = problem(['nodes', 2, 'config', 'prompt', 'template']);
    const holder = problem(['nodes', 2, 'config', 'prompt']);
    const branch = problem(['nodes', 2, 'config', 'branches', 0, 'when']);
    const sorted = sortProblems([inside, holder, branch], ['model', 'prompt.template', 'branches']);
    expect(sorted.byField.get('prompt.template')).toEqual([inside, holder]);
    expect(sorted.byField.get('branches')).toEqual([branch]);
    expect(sorted.rest).toEqual([]);
  });

  it('keeps problems about the node as a whole, its wiring, or a hidden field apart', () => {
    const unreachable = problem(['nodes', 2]);
    const wholeConfig = problem(['nodes', 2, 'config']);
    const hidden = problem(['nodes', 2, 'config', 'expression']);
    const edge: Problem = { severity: 'error', code: 'unknown_handle', message: 'x', edgeId: 'e1', path: ['edges', 0, 'sourceHandle'] };
    const sorted = sortProblems([unreachable, wholeConfig, hidden, edge], ['http.url']);
    expect(sorted.byField.size).toBe(0);
    expect(sorted.rest).toEqual([unreachable, wholeConfig, hidden, edge]);
  });
});
