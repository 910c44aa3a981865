import { describe, expect, it } from 'vitest';
import { wantsPretty } from '../src/server/logger.js';
import { prettyLine } from '../src/server/pretty-log.js';
import { apiHarness, fourNodeFlow } from './support/api.js';

const plain = (_style: unknown, text: string) => text;

describe('the log', () => {
  it('is pretty on a terminal and JSON otherwise, unless TRELLIS_LOG_FORMAT says', () => {
    expect(wantsPretty({}, { isTTY: true })).toBe(true);
    expect(wantsPretty({}, { isTTY: false })).toBe(false);
    expect(wantsPretty({ TRELLIS_LOG_FORMAT: 'json' }, { isTTY: true })).toBe(false);
    expect(wantsPretty({ TRELLIS_LOG_FORMAT: 'pretty' }, {})).toBe(true);
  });

  it('prints a request and a run line as a person reads them, with an error under its line', () => {
    const request = JSON.stringify({ level: 30, time: '2026-12-07T12:14:23.033Z', method: 'POST', path: '/api/flows/x/runs', status: 201, ms: 3.2, runId: 'r1', msg: 'request' });
    expect(prettyLine(request, plain)).toBe('12:14:23 INFO  POST /api/flows/x/runs 201 3.2 ms runId=r1\n');
    const failed = JSON.stringify({ level: 50, time: '2026-12-07T12:14:24.000Z', msg: 'request failed', path: '/x', err: { message: 'boom', stack: 'Error: boom\n    at f (a.ts:1)' } });
    expect(prettyLine(failed, plain)).toBe('12:14:24 ERROR request failed path=/x\n  Error: boom\n      at f (a.ts:1)\n');
    expect(prettyLine('not json', plain)).toBe('not json');
  });

  it("keeps the editor's polling out of the info log: reads that succeed are debug, writes info, errors warn", async () => {
    const h = await apiHarness();
    try {
      await h.call('POST', '/api/flows', fourNodeFlow());
      for (let i = 0; i < 3; i++) await h.call('GET', '/api/runs');
      await h.call('GET', '/api/flows/nope');
      const requests = h.lines.map((l) => JSON.parse(l) as { msg: string; method?: string; path?: string; status?: number; level: number }).filter((e) => e.msg === 'request');
      expect(requests.map((e) => [e.method, e.path, e.status, e.level])).toEqual([
        ['POST', '/api/flows', 201, 30],
        ['GET', '/api/flows/nope', 404, 40],
      ]);
    } finally {
      await h.close();
    }
  });

  it('says one line at info for a run that ran four steps, and nothing at info for the request that started it', async () => {
    const h = await apiHarness();
    try {
      await h.call('POST', '/api/flows', fourNodeFlow());
      const started = await h.call<{ id: string }>('POST', '/api/flows/four/runs', { input: { n: 21 } });
      expect(started.status).toBe(201);
      await h.runUntil(started.body.id, ['succeeded']);
      const entries = h.lines.map((l) => JSON.parse(l) as { msg: string; runId?: string; durationMs?: number; level: number });
      const aboutRun = entries.filter((e) => e.runId === started.body.id);
      expect(aboutRun.map((e) => e.msg)).toEqual(['run.completed']);
      expect(aboutRun[0]!.level).toBe(30);
      expect(aboutRun[0]!.durationMs).toBeGreaterThanOrEqual(0);
    } finally {
      await h.close();
    }
  });
});
