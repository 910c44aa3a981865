import { diffFlows, FLOW_SCHEMA_V1, type Flow, type FlowVersionSummary } from '@trellis/schema';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTHOR_KEY, authorField, readAuthor, writeAuthor } from '../src/author.js';
import { FlowDiffView } from '../src/history/FlowDiffView.js';
import { defaultPair, fieldLabel, flowFieldLabel, formatValue, newestFirst, summarize, wordChanges } from '../src/history/history-model.js';

const version = (n: number, extra: Partial<FlowVersionSummary> = {}): FlowVersionSummary => ({ flowId: 'f', version: n, createdAt: '2025-06-01T10:00:00Z', ...extra });

const flow = (template: string, extra: Partial<Flow> = {}): Flow => ({
  schema: FLOW_SCHEMA_V1,
  id: 'f',
  name: 'Triage',
  nodes: [
    { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
    { id: 'classify', type: 'prompt', name: 'Classify ticket', position: { x: 200, y: 0 }, config: { model: 'openai:gpt-4.1-mini', prompt: { template } } },
  ],
  edges: [{ id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' }],
  ...extra,
});

describe('the History tab’s model', () => {
  it('compares the previous version with the latest first, whatever order the list came in', () => {
    expect(defaultPair([version(1), version(3), version(2)])).toEqual({ from: 2, to: 3 });
    expect(defaultPair([version(1)])).toBeUndefined();
    expect(newestFirst([version(1), version(3), version(2)]).map((v) => v.version)).toEqual([3, 2, 1]);
  });

  it('names a changed config field by its label in the Inspector, a library reference included', () => {
    expect(fieldLabel('prompt', 'prompt.template')).toBe('Prompt');
    expect(fieldLabel('prompt', 'prompt.ref')).toBe('Prompt › library prompt');
    expect(fieldLabel('prompt', 'output.schema.properties.category')).toBe('Structured output › properties › category');
    expect(fieldLabel('agent', 'instructions.ref')).toBe('Instructions › library prompt');
    expect(fieldLabel('prompt', 'somethingElse')).toBe('somethingElse');
    expect(fieldLabel('no-such-kind', 'a.b')).toBe('a.b');
    expect(flowFieldLabel('vars.company')).toBe('Variable company');
    expect(flowFieldLabel('samples.Billing.input.message')).toBe('Sample "Billing" › input › message');
    expect(flowFieldLabel('name')).toBe('Flow name');
  });

  it('sums a diff up in a line, and says when there is nothing', () => {
    const before = flow('Classify: {{ input.message }}');
    const after: Flow = {
      ...flow('Sort: {{ input.message }}'),
      nodes: [...flow('Sort: {{ input.message }}').nodes.map((n) => (n.id === 'in' ? { ...n, position: { x: 10, y: 10 } } : n)), { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: {} }],
      edges: [...before.edges, { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'out', targetHandle: 'in' }],
    };
    expect(summarize(diffFlows(before, after))).toBe('1 node changed, 1 node added · 1 wire added · 1 node moved');
    expect(summarize(diffFlows(before, before))).toBe('No differences');
  });

  it('marks the words that changed in a text, and gives up on texts too different to read that way', () => {
    expect(wordChanges({ before: 'Classify the ticket', after: 'Sort the ticket' })).toEqual([
      { text: 'Classify', kind: 'removed' },
      { text: 'Sort', kind: 'added' },
      { text: ' the ticket', kind: 'same' },
    ]);
    expect(wordChanges({ before: 1, after: 2 })).toBeUndefined();
    const words = (seed: string) => Array.from({ length: 2000 }, (_, i) => `${seed}${i}`).join(' ');
    expect(wordChanges({ before: words('a'), after: words('b') })).toBeUndefined();
    expect(formatValue({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(formatValue('x'.repeat(5000))).toMatch(/… \(1000 more characters\)$/);
  });

  it('shows a changed node under its name with the changed field, its old and new text', () => {
    const html = renderToStaticMarkup(createElement(FlowDiffView, { diff: diffFlows(flow('Classify: {{ input.message }}'), flow('Sort: {{ input.message }}')), title: 'Changes from version 1 to version 2' }));
    expect(html).toContain('Changes from version 1 to version 2');
    expect(html).toContain('aria-label="Classify ticket: changed"');
    expect(html).toContain('aria-label="Prompt: changed"');
    expect(html).toContain('<del>Classify</del><ins>Sort</ins><span>: {{ input.message }}</span>');
    const same = renderToStaticMarkup(createElement(FlowDiffView, { diff: diffFlows(flow('a'), flow('a')), title: 'Same' }));
    expect(same).toContain('No differences: the two versions are the same.');
  });
});

describe('your name, kept in the browser', () => {
  const kept = new Map<string, string>();
  const fake = {
    getItem: (k: string) => kept.get(k) ?? null,
    setItem: (k: string, v: string) => void kept.set(k, v),
    removeItem: (k: string) => void kept.delete(k),
  };
  beforeEach(() => {
    kept.clear();
    Object.defineProperty(globalThis, 'localStorage', { value: fake, configurable: true });
  });
  afterEach(() => {
    Reflect.deleteProperty(globalThis, 'localStorage');
  });

  it('is sent trimmed with saves once given, and not at all when empty', () => {
    expect(authorField()).toEqual({});
    expect(writeAuthor('Ana Lima ')).toBe(true);
    expect(kept.get(AUTHOR_KEY)).toBe('Ana Lima ');
    expect(readAuthor()).toBe('Ana Lima');
    expect(authorField()).toEqual({ author: 'Ana Lima' });
    writeAuthor('   ');
    expect(kept.has(AUTHOR_KEY)).toBe(false);
    expect(authorField()).toEqual({});
  });

  it('says so when the browser refuses to keep it', () => {
    Object.defineProperty(globalThis, 'localStorage', {
      value: { ...fake, setItem: () => { throw new Error('QuotaExceededError'); } },
      configurable: true,
    });
    expect(writeAuthor('Ana')).toBe(false);
    expect(readAuthor()).toBe('');
  });
});
