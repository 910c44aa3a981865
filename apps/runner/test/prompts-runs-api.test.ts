/**
 * Runs of flows that use library prompts, through the runner's API: a reference that cannot be
 * resolved refuses the run with a 422 naming it; a run records the versions it used.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Prompt, PromptVersion } from '@trellis/schema';
import { storePromptResolver } from '../src/store/prompt-resolver.js';
import { apiHarness } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

/** input → classify (a library prompt) → output. */
function classifyFlow(ref: string) {
  return {
    schema: 'trellis.flow/v1',
    id: 'triage',
    name: 'Triage',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
      { id: 'classify', type: 'prompt', position: { x: 200, y: 0 }, config: { model: 'test:model', prompt: { ref } } },
      { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: '{{ nodes.classify.output }}' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
      { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
    ],
  };
}

describe('runs of flows with library prompts (needs the store’s prompt library)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await apiHarness();
    await h.store.createPrompt({ name: 'triage-classifier', template: 'v1: {{ input.message }}', tags: [] });
    for (const v of [2, 3, 4]) await h.store.updatePrompt('triage-classifier', { template: `v${v}: {{ input.message }}`, tags: [] });
  });
  afterEach(async () => {
    await h.close();
  });

  it('refuses with 422 naming the node, the field and the reference, and creates no run', async () => {
    await h.call('POST', '/api/flows', classifyFlow('triage-classifier@9'));
    const refused = await h.call<Body>('POST', '/api/flows/triage/runs', { input: { message: 'hi' } });
    expect(refused.status).toBe(422);
    expect(refused.body.error).toEqual({
      code: 'unresolved_prompt',
      message: 'node "classify": prompt.ref "triage-classifier@9": the prompt "triage-classifier" has no version 9 (latest is 4)',
      details: {
        problems: [
          {
            nodeId: 'classify',
            field: 'prompt.ref',
            ref: 'triage-classifier@9',
            message: 'node "classify": prompt.ref "triage-classifier@9": the prompt "triage-classifier" has no version 9 (latest is 4)',
          },
        ],
      },
    });
    expect((await h.call<Body>('GET', '/api/runs?flowId=triage')).body.items).toEqual([]);

    await h.call('PUT', '/api/flows/triage', classifyFlow('no-such-prompt@latest'));
    const unknown = await h.call<Body>('POST', '/api/flows/triage/runs', { input: { message: 'hi' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toBe('node "classify": prompt.ref "no-such-prompt@latest": there is no prompt "no-such-prompt" in the library');
  });

  it('refuses to publish a version whose library prompts cannot be resolved, and publishes it once they can', async () => {
    await h.call('POST', '/api/flows', classifyFlow('triage-classifier@9'));
    const refused = await h.call<Body>('POST', '/api/flows/triage/publish', { slug: 'triage' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('unresolved_prompt');
    expect((await h.call<Body>('GET', '/api/published')).body.items).toEqual([]);

    await h.call('PUT', '/api/flows/triage', classifyFlow('triage-classifier@4'));
    expect((await h.call<Body>('POST', '/api/flows/triage/publish', { slug: 'triage' })).status).toBe(201);
  });

  it('runs @latest at the newest version and shows the pin on the run and in its trace', async () => {
    await h.call('POST', '/api/flows', classifyFlow('triage-classifier@latest'));
    const started = await h.call<Body>('POST', '/api/flows/triage/runs', { input: { message: 'my card was charged twice' } });
    expect(started.status).toBe(201);
    const run = await h.runUntil(started.body.id as string, ['succeeded']);
    expect(run.output).toBe('Test reply to: v4: my card was charged twice');
    const pin = { ref: 'triage-classifier@latest', name: 'triage-classifier', version: 4, nodeId: 'classify', field: 'prompt.ref' };
    expect(run.prompts).toEqual([pin]);
    const events = await h.call<Body>('GET', `/api/runs/${started.body.id as string}/events`, undefined, { Accept: 'application/json' });
    const text = JSON.stringify(events.body);
    expect(text).toContain('"run.started"');
    expect(text).toContain('"version":4');
  });
});

describe('the store as the engine’s prompt resolver', () => {
  const prompt = (latestVersion: number): Prompt => ({
    name: 'tone',
    tags: [],
    latestVersion,
    variables: [],
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    template: `tone v${latestVersion}`,
  });
  const version = (n: number): PromptVersion => ({ name: 'tone', version: n, createdAt: '2025-01-01T00:00:00.000Z', template: `tone v${n}`, tags: [], variables: [] });
  const resolver = storePromptResolver({
    getPrompt: async (name) => (name === 'tone' ? prompt(3) : undefined),
    getPromptVersion: async (name, n) => (name === 'tone' && n <= 3 ? version(n) : undefined),
  });

  it('reads @latest as the newest version, with its number', async () => {
    expect(await resolver.resolve('tone', 'latest')).toEqual({ name: 'tone', version: 3, template: 'tone v3' });
  });

  it('reads a pinned version as it was saved', async () => {
    expect(await resolver.resolve('tone', 1)).toEqual({ name: 'tone', version: 1, template: 'tone v1' });
  });

  it('answers undefined for a prompt or a version the library lacks', async () => {
    expect(await resolver.resolve('tone', 9)).toBeUndefined();
    expect(await resolver.resolve('nope', 'latest')).toBeUndefined();
  });
});
