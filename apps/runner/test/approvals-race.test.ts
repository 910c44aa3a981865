import { describe, expect, it } from 'vitest';
import { apiHarness, approvalFlow } from './support/api.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

describe.each([
  ['SQLite', false],
  ['PostgreSQL', true],
])('one answer wins, on %s', (_, postgres) => {
  it('takes exactly one of 20 answers given at once; every other hears 409 already_decided naming who decided and when', async () => {
    const api = await apiHarness({ postgres });
    try {
      expect((await api.call('POST', '/api/flows', approvalFlow('race'))).status).toBe(201);
      const runId = (await api.call<Body>('POST', '/api/flows/race/runs', { input: { amount: 7 } })).body.id as string;
      await api.runUntil(runId, ['waiting']);
      const [pending] = (await api.call<Body>('GET', `/api/approvals?runId=${runId}`)).body.items as Body[];

      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => api.call<Body>('POST', `/api/approvals/${pending!.id}`, { decision: i % 2 ? 'reject' : 'approve', by: `person ${i}` })),
      );
      const taken = answers.filter((a) => a.status === 200);
      expect(taken).toHaveLength(1);
      const winner = taken[0]!.body;
      expect(winner).toMatchObject({ id: pending!.id, status: expect.stringMatching(/^(approved|rejected)$/), decidedBy: expect.stringMatching(/^person \d+$/) });
      const refused = answers.filter((a) => a.status !== 200);
      expect(refused).toHaveLength(19);
      for (const answer of refused) {
        expect(answer.status).toBe(409);
        expect(answer.body.error.code).toBe('already_decided');
        expect(answer.body.error.message).toBe(`approval "${pending!.id}" is no longer pending: it was ${winner.status} by ${winner.decidedBy} at ${winner.decidedAt}`);
      }

      // The run went on once, the winner's way, and its trace holds that one decision.
      const run = await api.runUntil(runId, ['succeeded', 'failed']);
      expect(run.status).toBe('succeeded');
      expect(run.output).toEqual(winner.status === 'approved' ? { approved: true, payload: { amount: 7 }, by: winner.decidedBy } : { approved: false });
      const events = (await api.call<Body>('GET', `/api/runs/${runId}/events?limit=1000`)).body.items as Body[];
      const decisions = events.filter((e) => e.type === 'run.resumed' && e.data.reason === 'decision');
      expect(decisions).toHaveLength(1);
      expect(decisions[0]!.data.decision.by).toBe(winner.decidedBy);
      expect(events.map((e) => e.seq)).toEqual(events.map((_e, i) => i + 1));
      // The runner is still serving.
      expect((await api.call('GET', `/api/runs/${runId}`)).status).toBe(200);
    } finally {
      await api.close();
    }
  }, 30_000);
});
