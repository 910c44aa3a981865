/**
 * Questions over HTTP: listed with the approvals (kind `question`, with the answer form), answered
 * by POST /api/approvals/:id with `{ answer }` checked against the form (400 naming the field),
 * once (409 for the rest), and shown by a published endpoint's 202 with where to answer.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fixture from '../../../packages/nodes/src/kinds/human-input/fixture.flow.json' with { type: 'json' };
import { apiHarness } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

let h: Harness;
beforeEach(async () => {
  h = await apiHarness();
  expect((await h.call('POST', '/api/flows', fixture)).status).toBe(201);
});
afterEach(async () => {
  await h.close();
});

const errorOf = (body: unknown) => (body as { error: { code: string; message: string; details?: Body } }).error;

async function waitingQuestion(): Promise<{ runId: string; id: string; question: Body }> {
  const runId = (await h.call<Body>('POST', `/api/flows/${fixture.id}/runs`, { input: { item: 'widgets' } })).body.id as string;
  await h.runUntil(runId, ['waiting']);
  const [question] = (await h.call<Body>('GET', `/api/approvals?runId=${runId}`)).body.items as Body[];
  return { runId, id: question!.id as string, question: question! };
}

describe('questions over the API', () => {
  it('lists a waiting question with its form, and takes an answer that matches it as the output', async () => {
    const { runId, id, question } = await waitingQuestion();
    const form = fixture.nodes.find((n) => n.id === 'ask')!.config.schema;
    expect(question).toMatchObject({ runId, nodeId: 'ask', waitId: 'ask', kind: 'question', status: 'pending', message: 'How many widgets should we reorder?', schema: form, deadline: expect.any(String) });

    const answered = await h.call<Body>('POST', `/api/approvals/${id}`, { answer: { quantity: 12, note: 'before Friday' }, by: 'ana@example.com' });
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ kind: 'question', status: 'answered', decidedBy: 'ana@example.com', answer: { quantity: 12, note: 'before Friday' } });
    expect(answered.body.editedPayload).toBeUndefined();
    const run = await h.runUntil(runId, ['succeeded']);
    expect(run.output).toEqual({ item: 'widgets', quantity: 12 });
    const trace = (await h.call<Body>('GET', `/api/runs/${runId}/events`)).body.items as Body[];
    expect(trace.find((e) => e.type === 'run.waiting')?.data).toMatchObject({ kind: 'question', schema: form });
    expect(trace.find((e) => e.type === 'run.resumed')?.data.decision).toMatchObject({ answer: { quantity: 12, note: 'before Friday' }, by: 'ana@example.com' });
  });

  it('refuses an answer that does not match the form with 400 naming each field, and the question still waits', async () => {
    const { runId, id } = await waitingQuestion();
    const wrongType = await h.call<Body>('POST', `/api/approvals/${id}`, { answer: { quantity: 'twelve' } });
    expect(wrongType.status).toBe(400);
    expect(errorOf(wrongType.body)).toEqual({
      code: 'invalid_input',
      message: "the answer does not match the question's form: answer.quantity: must be a whole number, not a string",
      details: { problems: [{ path: 'answer.quantity', message: 'must be a whole number, not a string' }] },
    });
    const missing = await h.call<Body>('POST', `/api/approvals/${id}`, { answer: { note: 'hm' } });
    expect(errorOf(missing.body).details?.problems).toEqual([{ path: 'answer.quantity', message: 'is required' }]);
    const tooFew = await h.call<Body>('POST', `/api/approvals/${id}`, { answer: { quantity: 0 } });
    expect(errorOf(tooFew.body).details?.problems).toEqual([{ path: 'answer.quantity', message: 'must be at least 1' }]);
    // A question is answered, not decided; and a body says one or the other.
    const decided = await h.call<Body>('POST', `/api/approvals/${id}`, { decision: 'approve' });
    expect(decided.status).toBe(400);
    expect(errorOf(decided.body).message).toMatch(/waits on a question: send its answer/);
    const neither = await h.call<Body>('POST', `/api/approvals/${id}`, {});
    expect(errorOf(neither.body)).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^decision: is required/) });

    expect((await h.call<Body>('GET', `/api/runs/${runId}`)).body.status).toBe('waiting');
    expect((await h.call<Body>('GET', `/api/approvals/${id}`)).body.status).toBe('pending');
    expect((await h.call('POST', `/api/approvals/${id}`, { answer: { quantity: 3 } })).status).toBe(200);
  });

  it('takes one of two answers given at once; the other gets 409 naming who answered', async () => {
    const { runId, id } = await waitingQuestion();
    const answers = await Promise.all(['ana', 'bo'].map((by, i) => h.call<Body>('POST', `/api/approvals/${id}`, { answer: { quantity: i + 1 }, by })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const won = answers.find((a) => a.status === 200)!;
    const lost = answers.find((a) => a.status === 409)!;
    expect(errorOf(lost.body)).toMatchObject({ code: 'already_decided', message: expect.stringMatching(new RegExp(`answered by ${won.body.decidedBy}`)) });
    const run = await h.runUntil(runId, ['succeeded']);
    expect(run.output).toEqual({ item: 'widgets', quantity: won.body.answer.quantity });
    const late = await h.call<Body>('POST', `/api/approvals/${id}`, { answer: { quantity: 9 } });
    expect(late.status).toBe(409);
  });

  it('routes a question nobody answered in time to its timeout handle', async () => {
    const quick = { ...fixture, id: 'quick', nodes: fixture.nodes.map((n) => (n.id === 'ask' ? { ...n, config: { ...n.config, timeoutMs: 1_000 } } : n)) };
    await h.call('POST', '/api/flows', quick);
    const runId = (await h.call<Body>('POST', '/api/flows/quick/runs', { input: { item: 'bolts' } })).body.id as string;
    const run = await h.runUntil(runId, ['succeeded'], 5_000);
    expect(run.output).toEqual({ item: 'bolts', skipped: true });
    const [question] = (await h.call<Body>('GET', `/api/approvals?runId=${runId}&status=timed_out`)).body.items as Body[];
    expect(question).toMatchObject({ kind: 'question', status: 'timed_out' });
  });

  it("answers a published endpoint's call with 202 naming the question, its form and where to answer it", async () => {
    await h.call('POST', `/api/flows/${fixture.id}/publish`, { slug: 'reorder' });
    const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.secret}` };
    const accepted = await h.call<Body>('POST', '/v1/flows/reorder', { item: 'nuts' }, auth);
    expect(accepted.status).toBe(202);
    const [question] = (await h.call<Body>('GET', `/api/approvals?runId=${accepted.body.runId}`)).body.items as Body[];
    expect(accepted.body).toEqual({
      runId: accepted.body.runId,
      status: 'waiting',
      statusUrl: `/v1/flows/reorder/runs/${accepted.body.runId}`,
      waiting: [
        {
          id: question!.id,
          nodeId: 'ask',
          waitId: 'ask',
          kind: 'question',
          message: 'How many nuts should we reorder?',
          schema: fixture.nodes.find((n) => n.id === 'ask')!.config.schema,
          deadline: question!.deadline,
          answerUrl: `/v1/flows/reorder/runs/${accepted.body.runId}/questions/${question!.id}`,
        },
      ],
    });
    const status = await h.call<Body>('GET', accepted.body.statusUrl, undefined, auth);
    expect(status.body.waiting).toEqual(accepted.body.waiting);

    // The product answers with its own key: not without it, not another run's question, and checked like anywhere else.
    const answerUrl = accepted.body.waiting[0].answerUrl as string;
    expect((await h.call<Body>('POST', answerUrl, { answer: { quantity: 40 } })).status).toBe(401);
    expect((await h.call<Body>('POST', answerUrl.replace(accepted.body.runId, '0192f0a4-5b7c-7d3e-8f00-123456789abc'), { answer: { quantity: 40 } }, auth)).status).toBe(404);
    const wrong = await h.call<Body>('POST', answerUrl, { answer: { quantity: 'forty' } }, auth);
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body.error)).toContain('answer.quantity');
    expect((await h.call<Body>('POST', answerUrl, {}, auth)).body.error).toMatchObject({ code: 'invalid_request' });
    const answered = await h.call<Body>('POST', answerUrl, { answer: { quantity: 40 }, by: 'customer 42' }, auth);
    expect(answered.status).toBe(200);
    expect(answered.body).toMatchObject({ id: question!.id, status: 'answered', answer: { quantity: 40 }, statusUrl: accepted.body.statusUrl });
    const again = await h.call<Body>('POST', answerUrl, { answer: { quantity: 41 } }, auth);
    expect(again.status).toBe(409);
    expect((await h.call<Body>('GET', `/api/approvals/${question!.id}`)).body).toMatchObject({ decidedBy: 'customer 42' });
    await h.runUntil(accepted.body.runId, ['succeeded']);
    expect((await h.call<Body>('GET', accepted.body.statusUrl, undefined, auth)).body).toEqual({ runId: accepted.body.runId, status: 'succeeded', output: { item: 'nuts', quantity: 40 } });
  });
});
