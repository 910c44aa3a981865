import { describe, expect, it } from 'vitest';
import type { Run } from '@trellis/schema';
import { apiQuery, filtersFromQuery, matchesFilters, queryOfFilters } from '../src/runs/filters';
import { relativeTime } from '../src/runs/time';

const run = (patch: Partial<Run> = {}): Run =>
  ({ id: 'r1', flowId: 'triage', status: 'waiting', input: {}, usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 }, createdAt: new Date(2026, 5, 10, 12).toISOString(), ...patch }) as Run;

describe('the Runs page filters in the URL', () => {
  it('reads and writes the query string, in a stable order, leaving out what is unknown', () => {
    const filters = filtersFromQuery('status=failed,waiting,bogus&flow=triage&slug=t&from=2026-06-01&to=nope');
    expect(filters).toEqual({ flowId: 'triage', statuses: ['failed', 'waiting'], slug: 't', from: '2026-06-01' });
    expect(queryOfFilters(filters)).toBe('flow=triage&status=waiting,failed&slug=t&from=2026-06-01');
    expect(queryOfFilters({ statuses: [] })).toBeUndefined();
    expect(filtersFromQuery(undefined)).toEqual({ statuses: [] });
  });

  it('asks the API for local days, the last one included', () => {
    const q = apiQuery({ statuses: ['waiting'], from: '2026-06-01', to: '2026-06-10' });
    expect(q.status).toBe('waiting');
    expect(q.from).toBe(new Date(2026, 5, 1).toISOString());
    expect(q.to).toBe(new Date(2026, 5, 11).toISOString());
  });

  it('tells whether a run that arrives live belongs in the list', () => {
    expect(matchesFilters(run(), { statuses: [] })).toBe(true);
    expect(matchesFilters(run(), { statuses: ['failed'] })).toBe(false);
    expect(matchesFilters(run(), { flowId: 'other', statuses: [] })).toBe(false);
    expect(matchesFilters(run(), { slug: 't', statuses: [] })).toBe(false);
    expect(matchesFilters(run({ labels: { source: 'endpoint', slug: 't' } }), { slug: 't', statuses: [] })).toBe(true);
    expect(matchesFilters(run(), { from: '2026-06-10', to: '2026-06-10', statuses: [] })).toBe(true);
    expect(matchesFilters(run(), { from: '2026-06-11', statuses: [] })).toBe(false);
    expect(matchesFilters(run(), { to: '2026-06-09', statuses: [] })).toBe(false);
  });

  it('says how long ago a run started', () => {
    const now = Date.parse('2026-06-10T12:00:00Z');
    expect(relativeTime('2026-06-10T11:59:50Z', now)).toBe('just now');
    expect(relativeTime('2026-06-10T11:55:00Z', now)).toBe('5 min ago');
    expect(relativeTime('2026-06-10T09:00:00Z', now)).toBe('3 h ago');
    expect(relativeTime('2026-06-09T11:00:00Z', now)).toBe('yesterday');
    expect(relativeTime('2026-06-06T12:00:00Z', now)).toBe('4 days ago');
  });
});
