import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flow, input, output, type Json } from '@trellis/test-support/flows';
import { apiHarness } from './support/api.js';

type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

/** A flow with one subflow node "use" running `target`, mapping its input through. */
const user = (id: string, target: string, config: Json = {}) =>
  flow([input(), { id: 'use', type: 'subflow', config: { flow: target, ...config } }, output('out', '{{ nodes.use.output }}')], [['in', 'use'], ['use', 'out']], { id, name: id });

const child = (id: string, word: string) =>
  flow([input(), { id: 'say', type: 'tool', config: { tool: 'transform', expression: `{ 'word': '${word}', 'got': input }` } }, output('out', '{{ nodes.say.output }}')], [['in', 'say'], ['say', 'out']], { id, name: id });

for (const postgres of [false, true]) {
  describe(`sub-flows through the API (${postgres ? 'PostgreSQL' : 'SQLite'})`, () => {
    let h: Awaited<ReturnType<typeof apiHarness>>;
    beforeAll(async () => {
      h = await apiHarness({ postgres });
    });
    afterAll(() => h.close());

    it('runs a saved flow as a child run: the child links to its parent, the parent pins its version and its trace names the child', async () => {
      expect((await h.call('POST', '/api/flows', child('words', 'one'))).status).toBe(201);
      expect((await h.call('PUT', '/api/flows/words', child('words', 'two'))).status).toBe(200);
      expect((await h.call('POST', '/api/flows', user('caller', 'words'))).status).toBe(201);
      const started = await h.call<Body>('POST', '/api/flows/caller/runs', { input: { q: 1 } });
      expect(started.status).toBe(201);
      const run = await h.runUntil(started.body.id, ['succeeded', 'failed']);
      expect(run).toMatchObject({ status: 'succeeded', output: { word: 'two', got: { q: 1 } }, flows: [{ nodeId: 'use', flowId: 'words', ref: 'latest', version: 2 }] });
      const events = (await h.call<Body>('GET', `/api/runs/${started.body.id}/events`)).body.items as Body[];
      const linked = events.find((e) => e.type === 'node.subflow');
      expect(linked).toMatchObject({ nodeId: 'use', data: { flowId: 'words', flowVersion: 2 } });
      const childRun = (await h.call<Body>('GET', `/api/runs/${linked!.data.childRunId}`)).body;
      expect(childRun).toMatchObject({ flowId: 'words', flowVersion: 2, status: 'succeeded', parent: { runId: started.body.id, nodeId: 'use', depth: 2 }, labels: { source: 'subflow' } });
    });

    it('keeps the path of body steps in the stored trace', async () => {
      const mapped = flow(
        [
          input(),
          { id: 'each', type: 'map', config: { items: 'input.xs' } },
          { id: 'twice', type: 'tool', parent: 'each', config: { tool: 'transform', expression: 'item * 2' } },
          { id: 'r', type: 'output', parent: 'each', config: { value: '{{ nodes.twice.output }}' } },
          output('out', '{{ nodes.each.output }}'),
        ],
        [['in', 'each'], ['twice', 'r'], ['each', 'out']],
        { id: 'mapped', name: 'mapped' },
      );
      expect((await h.call('POST', '/api/flows', mapped)).status).toBe(201);
      const started = await h.call<Body>('POST', '/api/flows/mapped/runs', { input: { xs: [1, 2] } });
      expect((await h.runUntil(started.body.id, ['succeeded'])).output).toEqual([2, 4]);
      const events = (await h.call<Body>('GET', `/api/runs/${started.body.id}/events`)).body.items as Body[];
      expect(events.filter((e) => e.type === 'node.completed' && e.nodeId === 'twice').map((e) => e.path).sort()).toEqual([['each', 0, 'twice'], ['each', 1, 'twice']]);
    });

    it("shows a published flow's caller the questions its sub-flow asks, answered under the run's own URL", async () => {
      const asking = flow(
        [
          input(),
          { id: 'ask', type: 'human-input', config: { question: 'How many?', schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] } } },
          output('out', { n: '{{ nodes.ask.output.n }}' }),
        ],
        [['in', 'ask'], ['ask', 'out', 'answered']],
        { id: 'asker', name: 'asker' },
      );
      expect((await h.call('POST', '/api/flows', asking)).status).toBe(201);
      expect((await h.call('POST', '/api/flows', user('front', 'asker'))).status).toBe(201);
      expect((await h.call('POST', '/api/flows/front/publish', { slug: 'front' })).status).toBe(201);
      const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
      const auth = { Authorization: `Bearer ${key.secret}` };
      const accepted = await h.call<Body>('POST', '/v1/flows/front', {}, auth);
      expect(accepted.status).toBe(202);
      const [wait] = accepted.body.waiting as Body[];
      expect(wait).toMatchObject({ kind: 'question', message: 'How many?', answerUrl: expect.stringMatching(new RegExp(`^/v1/flows/front/runs/${accepted.body.runId}/questions/`)) });
      const answered = await h.call<Body>('POST', wait!.answerUrl, { answer: { n: 3 } }, auth);
      expect(answered.status).toBe(200);
      const run = await h.runUntil(accepted.body.runId, ['succeeded', 'failed']);
      expect(run.output).toEqual({ n: 3 });
    });

    it('refuses flows that use each other at validation and publish time, naming the chain', async () => {
      expect((await h.call('POST', '/api/flows', user('ping', 'pong'))).status).toBe(201);
      expect((await h.call('POST', '/api/flows', user('pong', 'ping'))).status).toBe(201);
      const checked = await h.call<Body>('POST', '/api/validate', user('ping', 'pong'));
      expect(checked.body.ok).toBe(false);
      expect(checked.body.problems).toContainEqual(expect.objectContaining({ code: 'cycle', nodeId: 'use', message: expect.stringContaining('ping → pong → ping') }));
      const refused = await h.call<Body>('POST', '/api/flows/ping/publish', { slug: 'ping' });
      expect(refused.status).toBe(422);
      expect(refused.body.error).toMatchObject({ code: 'flow_cycle', message: expect.stringContaining('ping → pong → ping') });

      const missing = await h.call<Body>('POST', '/api/validate', user('lonely', 'nobody'));
      expect(missing.body.problems).toContainEqual(expect.objectContaining({ nodeId: 'use', message: 'runs the flow "nobody", which does not exist' }));
      expect((await h.call('POST', '/api/flows', user('lonely', 'nobody'))).status).toBe(201);
      const notRun = await h.call<Body>('POST', '/api/flows/lonely/runs', { input: {} });
      expect(notRun.status).toBe(422);
      expect(notRun.body.error).toMatchObject({ code: 'unresolved_flow' });
    });
  });
}
