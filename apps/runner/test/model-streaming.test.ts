import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelResolver } from '@trellis/nodes/server';
import { startFakeOpenAI, type FakeOpenAI } from '@trellis/test-support/fake-openai';
import { flow, input, output } from '@trellis/test-support/flows';
import { apiHarness, parseSse } from './support/api.js';

// A model call streams only when someone watches its text: a live trace, or a caller streaming
// the events. A caller that waits for the output gets it from one whole call, through the real
// provider path (HTTP to a loopback OpenAI-compatible server).
let fake: FakeOpenAI;
let h: Awaited<ReturnType<typeof apiHarness>>;
let auth: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  h = await apiHarness({ models: createModelResolver({ providers: { local: { baseURL: fake.url } }, env: {}, fallbackToTest: false }) });
  const talk = flow(
    [input('in'), { id: 'ask', type: 'prompt', config: { model: 'local:m', prompt: { template: 'Say {{ input.topic }}' } } }, output('out', '{{ nodes.ask.output }}')],
    [['in', 'ask'], ['ask', 'out']],
    { id: 'talk', name: 'Talk' },
  );
  expect((await h.call('POST', '/api/flows', talk)).status).toBe(201);
  expect((await h.call('POST', '/api/flows/talk/publish', { slug: 'talk' })).status).toBe(201);
  const key = await h.call<{ secret: string }>('POST', '/api/keys', { name: 'k' });
  auth = { Authorization: `Bearer ${key.body.secret}` };
});
afterAll(async () => {
  await h.close();
  await fake.close();
});

/** The chat request the run sent (the last one the fake got). */
const lastRequest = () => fake.requests.at(-1)!.body as { stream?: boolean; messages: Array<{ content: string }> };

describe('model calls and who watches them', () => {
  it('makes one whole call for a caller that waits for the output of a published flow', async () => {
    fake.enqueue({ text: 'tea is good' });
    const sync = await h.call<{ output: string }>('POST', '/v1/flows/talk', { topic: 'tea' }, auth);
    expect(sync.status).toBe(200);
    expect(sync.body.output).toBe('tea is good');
    expect(lastRequest().stream).toBeFalsy();
    expect(JSON.stringify(lastRequest().messages)).toContain('Say tea');
  });

  it('streams for a caller that streams the events, and the text arrives as deltas', async () => {
    fake.enqueue({ text: 'coffee is also good' });
    const streamed = await h.call<string>('POST', '/v1/flows/talk', { topic: 'coffee' }, { ...auth, Accept: 'text/event-stream' });
    expect(streamed.status).toBe(200);
    expect(lastRequest().stream).toBe(true);
    const deltas = parseSse(streamed.body).filter((e) => e.event === 'node.delta').map((e) => (JSON.parse(e.data) as { data: { text: string } }).data.text);
    expect(deltas.join('')).toBe('coffee is also good');
  });

  it('streams a run started from the editor or the API, which the editor follows live', async () => {
    fake.enqueue({ text: 'water, plainly' });
    const started = await h.call<{ id: string }>('POST', '/api/flows/talk/runs', { input: { topic: 'water' } });
    expect(started.status).toBe(201);
    const run = await h.runUntil(started.body.id, ['succeeded']);
    expect(run.output).toBe('water, plainly');
    expect(lastRequest().stream).toBe(true);
  });
});
