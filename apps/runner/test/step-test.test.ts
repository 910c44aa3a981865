import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createModelResolver } from '@trellis/nodes/server';
import type { StepTestResult } from '@trellis/schema';
import { startFakeOpenAI, type FakeOpenAI } from '@trellis/test-support/fake-openai';
import { flow, input, output } from '@trellis/test-support/flows';
import { apiHarness, approvalFlow } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type ErrorAnswer = { error: { code: string; message: string; details?: { problems?: Array<{ path: string }> } } };

/** input → classify (prompt) → route (condition: billing / else) → reply (prompt) → out. */
const triage = (model = 'test:model') =>
  flow(
    [
      input('in', { type: 'object', properties: { message: { type: 'string' } } }),
      { id: 'classify', type: 'prompt', config: { model, prompt: { template: 'Classify: {{ input.message }}' } } },
      { id: 'route', type: 'condition', config: { branches: [{ id: 'billing', label: 'Billing', when: "nodes.classify.output == 'billing'" }] } },
      { id: 'reply', type: 'prompt', config: { model, prompt: { template: 'Reply to a {{ nodes.classify.output }} question from {{ vars.team }}' } } },
      output('out', { reply: '{{ nodes.reply.output }}' }),
    ],
    [
      ['in', 'classify'],
      ['classify', 'route'],
      ['route', 'reply', 'billing'],
      ['reply', 'out'],
    ],
    { id: 'triage', vars: { team: 'the desk' } },
  );

describe('POST /api/flows/:id/steps/:nodeId/test', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function harnessWith(document: unknown, options: Parameters<typeof apiHarness>[0] = {}) {
    h = await apiHarness(options);
    expect((await h.call('POST', '/api/flows', document)).status).toBe(201);
    return h;
  }

  it('runs a prompt step on the test provider with the input given, saying the test provider answered', async () => {
    await harnessWith(triage());
    const res = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/classify/test', {
      scope: { input: { message: 'my invoice is wrong' } },
      mocks: { classify: { text: 'billing' } },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ nodeId: 'classify', status: 'succeeded', output: 'billing' });
    expect(res.body.durationMs).toBeGreaterThanOrEqual(0);
    expect(res.body.models?.[0]).toMatchObject({ provider: 'test' });
    expect(res.body.usage.modelCalls).toBe(1);
  });

  it('uses hand-edited upstream outputs and vars in the templates', async () => {
    await harnessWith(triage());
    const res = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/out/test', {
      scope: { nodes: { reply: 'We refunded you.', classify: 'billing' } },
    });
    expect(res.body).toMatchObject({ status: 'succeeded', output: { reply: 'We refunded you.' } });
    // The test model echoes its prompt: the template saw the edited output and the overridden var.
    const reply = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/reply/test', {
      scope: { nodes: { classify: 'refund' }, vars: { team: 'Ana' } },
    });
    expect(reply.body.status).toBe('succeeded');
    expect(JSON.stringify(reply.body.events)).toContain('Reply to a refund question from Ana');
  });

  it('picks a condition branch from the scope and says why', async () => {
    await harnessWith(triage());
    const billing = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/route/test', { scope: { nodes: { classify: 'billing' } } });
    expect(billing.body).toMatchObject({ status: 'succeeded', ports: ['billing'] });
    expect(JSON.stringify(billing.body.decision)).toContain('billing');
    const other = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/route/test', { scope: { nodes: { classify: 'shipping' } } });
    expect(other.body.ports).toEqual(['else']);
  });

  it('runs the unsaved draft the editor sends, not the saved version', async () => {
    await harnessWith(triage());
    const draft = triage();
    (draft.nodes[4] as { config: { value: unknown } }).config.value = { draft: '{{ nodes.reply.output }}!' };
    const res = await h!.call<StepTestResult>('POST', '/api/flows/triage/steps/out/test', { document: draft, scope: { nodes: { reply: 'hi' } } });
    expect(res.body).toMatchObject({ status: 'succeeded', output: { draft: 'hi!' } });
  });

  it('answers waiting with what an approval would ask, and stores no wait', async () => {
    await harnessWith(approvalFlow());
    const res = await h!.call<StepTestResult>('POST', '/api/flows/needs-ok/steps/ok/test', { scope: { input: { amount: 120 } } });
    expect(res.body).toMatchObject({ status: 'waiting', waits: [{ kind: 'approval', message: 'Refund 120?', payload: { amount: 120 } }] });
    expect((await h!.call<{ items: unknown[] }>('GET', '/api/approvals')).body.items).toEqual([]);
  });

  it('refuses an unknown node (404) and an unknown flow (404), naming them', async () => {
    await harnessWith(triage());
    const node = await h!.call<ErrorAnswer>('POST', '/api/flows/triage/steps/nope/test', { scope: {} });
    expect(node.status).toBe(404);
    expect(node.body.error.message).toContain('"nope"');
    const missingFlow = await h!.call<ErrorAnswer>('POST', '/api/flows/ghost/steps/classify/test', { scope: {} });
    expect(missingFlow.status).toBe(404);
    expect(missingFlow.body.error.message).toContain('"ghost"');
  });

  it('refuses a step whose upstream output is missing, naming the step (400)', async () => {
    await harnessWith(triage());
    const res = await h!.call<ErrorAnswer>('POST', '/api/flows/triage/steps/route/test', { scope: { input: {} } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('"classify"');
    expect(res.body.error.details?.problems?.[0]?.path).toBe('scope.nodes.classify');
  });

  it('refuses an invalid draft with its problems (422) and a scope of the wrong shape (400)', async () => {
    await harnessWith(triage());
    const broken = triage();
    broken.edges.push({ id: 'bad', source: 'ghost', sourceHandle: 'out', target: 'out', targetHandle: 'in' });
    const invalid = await h!.call<ErrorAnswer>('POST', '/api/flows/triage/steps/out/test', { document: broken, scope: { nodes: { reply: 'x' } } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.error.code).toBe('invalid_flow');
    const shape = await h!.call<ErrorAnswer>('POST', '/api/flows/triage/steps/out/test', { scope: { nodes: 'reply' } });
    expect(shape.status).toBe(400);
    expect(shape.body.error.message).toContain('scope.nodes');
  });

  it('stores no run, no event and no approval', async () => {
    await harnessWith(triage());
    for (const node of ['classify', 'route', 'reply', 'out']) {
      const res = await h!.call('POST', `/api/flows/triage/steps/${node}/test`, { scope: { input: { message: 'x' }, nodes: { classify: 'billing', reply: 'ok' } } });
      expect(res.status).toBe(200);
    }
    expect((await h!.call<{ items: unknown[] }>('GET', '/api/runs')).body.items).toEqual([]);
    expect((await h!.call<{ items: unknown[] }>('GET', '/api/runs?flowId=triage')).body.items).toEqual([]);
  });

  it('runs a map step with its body, round by round', async () => {
    const document = flow(
      [
        input(),
        { id: 'each', type: 'map', config: { items: 'input.items' } },
        { id: 'double', type: 'tool', parent: 'each', config: { tool: 'transform', expression: 'item * 2' } },
        { ...output('result', '{{ nodes.double.output }}'), parent: 'each' },
      ],
      [
        ['in', 'each'],
        ['double', 'result'],
      ],
      { id: 'doubler' },
    );
    await harnessWith(document);
    const res = await h!.call<StepTestResult>('POST', '/api/flows/doubler/steps/each/test', { scope: { input: { items: [1, 2, 3] } } });
    expect(res.body).toMatchObject({ status: 'succeeded', output: [2, 4, 6] });
    expect((await h!.call<{ items: unknown[] }>('GET', '/api/runs')).body.items).toEqual([]);
  });

  it('refuses a sub-flow step (its child would be a stored run), saying why', async () => {
    h = await apiHarness();
    await h.call('POST', '/api/flows', flow([input(), output('out', 'hi')], [['in', 'out']], { id: 'child' }));
    await h.call('POST', '/api/flows', flow([input(), { id: 'use', type: 'subflow', config: { flow: 'child' } }], [['in', 'use']], { id: 'parent' }));
    const res = await h.call<ErrorAnswer>('POST', '/api/flows/parent/steps/use/test', { scope: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/node "use" runs another flow/);
  });

  it('is described in the OpenAPI document', async () => {
    h = await apiHarness();
    const doc = await h.call<{ paths: Record<string, Record<string, unknown>> }>('GET', '/openapi.json');
    expect(doc.body.paths['/api/flows/{id}/steps/{nodeId}/test']?.post).toBeDefined();
  });
});

describe('a step test against loopback servers', () => {
  let h: Harness | undefined;
  let fake: FakeOpenAI;
  let server: ReturnType<typeof createServer>;
  let url: string;
  const asked: IncomingMessage['url'][] = [];
  beforeAll(async () => {
    fake = await startFakeOpenAI();
    server = createServer((req, res) => {
      asked.push(req.url);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: req.url?.split('/').at(-1), plan: 'gold' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await fake.close();
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    fake.reset();
    asked.length = 0;
  });

  it('calls an OpenAI-compatible server for a prompt step, with its usage', async () => {
    const models = createModelResolver({ env: {}, providers: { local: { baseURL: fake.url } }, fallbackToTest: false });
    h = await apiHarness({ models });
    expect((await h.call('POST', '/api/flows', triage('local:small'))).status).toBe(201);
    fake.enqueue({ text: 'billing', usage: { prompt_tokens: 12, completion_tokens: 3 } });
    const res = await h.call<StepTestResult>('POST', '/api/flows/triage/steps/classify/test', { scope: { input: { message: 'double charge' } } });
    expect(res.body).toMatchObject({ status: 'succeeded', output: 'billing', models: [{ provider: 'local' }] });
    expect(res.body.usage).toMatchObject({ inputTokens: 12, outputTokens: 3 });
    expect(JSON.stringify(fake.requests[0]!.body)).toContain('Classify: double charge');
  });

  it('calls an HTTP tool with a hand-edited upstream value in its URL', async () => {
    h = await apiHarness({ allowPrivateNetwork: true });
    const document = flow(
      [input(), { id: 'pick', type: 'tool', config: { tool: 'transform', expression: '{ "id": "a-1" }' } }, { id: 'lookup', type: 'tool', config: { tool: 'http', http: { method: 'GET', url: `${url}/accounts/{{ nodes.pick.output.id }}` } } }],
      [
        ['in', 'pick'],
        ['pick', 'lookup'],
      ],
      { id: 'crm' },
    );
    expect((await h.call('POST', '/api/flows', document)).status).toBe(201);
    const res = await h.call<StepTestResult>('POST', '/api/flows/crm/steps/lookup/test', { scope: { nodes: { pick: { id: 'acct-42' } } } });
    expect(res.body.status).toBe('succeeded');
    expect(asked).toEqual(['/accounts/acct-42']);
    expect(JSON.stringify(res.body.output)).toContain('gold');
  });

  it('fails the step (not the request) when the tool cannot be reached, with a message', async () => {
    h = await apiHarness({ allowPrivateNetwork: false });
    const document = flow([input(), { id: 'lookup', type: 'tool', config: { tool: 'http', http: { method: 'GET', url: `${url}/accounts/1` } }, policy: { retries: 0 } }], [['in', 'lookup']], { id: 'crm' });
    expect((await h.call('POST', '/api/flows', document)).status).toBe(201);
    const res = await h.call<StepTestResult>('POST', '/api/flows/crm/steps/lookup/test', { scope: {} });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('failed');
    expect(res.body.error?.message).toBeTruthy();
    expect(asked).toEqual([]);
  });
});
