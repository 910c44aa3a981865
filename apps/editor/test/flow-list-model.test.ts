import type { FlowSummary } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { filterFlows, relativeTime, tagCounts } from '../src/flows/flow-filter.js';
import { blankRow, rowsFromVars, switchKind, varsFromRows } from '../src/flows/vars-model.js';

const flow = (id: string, name: string, updatedAt: string, extra: Partial<FlowSummary> = {}): FlowSummary => ({ id, name, latestVersion: 1, createdAt: updatedAt, updatedAt, ...extra });

const flows = [
  flow('support-triage', 'Support triage', '2026-01-03T10:00:00Z', { description: 'Sorts tickets for the help desk.', tags: ['support', 'ai'] }),
  flow('content', 'Content pipeline', '2026-01-05T10:00:00Z', { description: 'From brief to published article.', tags: ['marketing', 'ai'] }),
  flow('agent', 'Research agent', '2026-01-01T10:00:00Z', { description: 'Answers from notes, with citations (café).' }),
];
const names = (list: FlowSummary[]) => list.map((f) => f.name);

describe('the flows list’s search, tags and sort', () => {
  it('searches name, id and description, every word, any case and accent', () => {
    expect(names(filterFlows(flows, { query: 'HELP desk', tags: [], sort: 'updated' }))).toEqual(['Support triage']);
    expect(names(filterFlows(flows, { query: 'content', tags: [], sort: 'updated' }))).toEqual(['Content pipeline']);
    expect(names(filterFlows(flows, { query: 'cafe', tags: [], sort: 'updated' }))).toEqual(['Research agent']);
    expect(filterFlows(flows, { query: 'nothing like it', tags: [], sort: 'updated' })).toEqual([]);
  });

  it('keeps flows carrying every chosen tag, and counts the tags in use', () => {
    expect(names(filterFlows(flows, { query: '', tags: ['ai'], sort: 'name' }))).toEqual(['Content pipeline', 'Support triage']);
    expect(names(filterFlows(flows, { query: '', tags: ['ai', 'support'], sort: 'name' }))).toEqual(['Support triage']);
    expect(tagCounts(flows)).toEqual([
      { tag: 'ai', count: 2 },
      { tag: 'marketing', count: 1 },
      { tag: 'support', count: 1 },
    ]);
  });

  it('sorts by last update (newest first) or by name', () => {
    expect(names(filterFlows(flows, { query: '', tags: [], sort: 'updated' }))).toEqual(['Content pipeline', 'Support triage', 'Research agent']);
    expect(names(filterFlows(flows, { query: '', tags: [], sort: 'name' }))).toEqual(['Content pipeline', 'Research agent', 'Support triage']);
  });

  it('says how long ago, in words', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(relativeTime('2026-01-10T11:59:50Z', now, 'en')).toBe('just now');
    expect(relativeTime('2026-01-10T11:55:00Z', now, 'en')).toBe('5 minutes ago');
    expect(relativeTime('2026-01-09T12:00:00Z', now, 'en')).toBe('yesterday');
    expect(relativeTime('2025-12-20T12:00:00Z', now, 'en')).toBe('3 weeks ago');
  });
});

describe('the flow settings’ variables', () => {
  it('reads strings as text and anything else as JSON, and gives the same vars back', () => {
    const vars = { company: 'Parcelo', refundLimitUsd: 100, accounts: [{ id: 'cus_1' }] };
    const rows = rowsFromVars(vars);
    expect(rows.map((r) => [r.name, r.kind])).toEqual([
      ['company', 'text'],
      ['refundLimitUsd', 'json'],
      ['accounts', 'json'],
    ]);
    expect(varsFromRows(rows)).toEqual({ ok: true, vars });
  });

  it('renames, adds and removes, and names each row’s problem', () => {
    const rows = rowsFromVars({ company: 'Parcelo', limit: 5 });
    const renamed = rows.map((r) => (r.name === 'company' ? { ...r, name: 'brand' } : r));
    const added = [...renamed, { ...blankRow(renamed), name: 'greeting', value: 'Hi' }];
    expect(varsFromRows(added)).toEqual({ ok: true, vars: { brand: 'Parcelo', limit: 5, greeting: 'Hi' } });

    const bad = [...added, { ...blankRow(added), name: 'brand' }, { ...blankRow(added), name: 'two words' }, { ...blankRow(added), name: 'data', kind: 'json' as const, value: '{ nope' }];
    const result = varsFromRows(bad);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect([...result.errors.values()]).toEqual([
        'There is already a variable named “brand”.',
        '“two words” cannot be read as vars.two words: use letters, digits and _, starting with a letter or _.',
        expect.stringMatching(/^The value of “data” is not valid JSON \(.+\); choose Text to keep it as words\.$/),
      ]);
    }
  });

  it('switches a value between text and JSON without losing what it says', () => {
    const [row] = rowsFromVars({ greeting: 'Hello' });
    const json = switchKind(row!, 'json');
    expect(json.value).toBe('"Hello"');
    expect(switchKind(json, 'text').value).toBe('Hello');
  });
});
