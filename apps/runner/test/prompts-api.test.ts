import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModelResolver } from '@trellis/nodes/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { tryPrompt } from '../src/server/prompt-try.js';
import { RunService } from '../src/server/service.js';
import { openStore } from '../src/store/db.js';
import { apiHarness, fourNodeFlow } from './support/api.js';
import { startFakeOpenAI, type FakeOpenAI } from '@trellis/test-support/fake-openai';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

let h: Harness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

const errorOf = (body: unknown) => (body as { error: { code: string; message: string; details?: Body } }).error;
/** The fields a 400 names. */
const fieldsOf = (body: unknown) => (errorOf(body).details?.problems as Array<{ path: string }>).map((p) => p.path);

const triage = {
  name: 'triage-classifier',
  description: 'Sorts support tickets into queues',
  template: 'Classify this ticket from {{ customer.name }}: {{ input.message }}. Answer billing, bugs or other.',
  tags: ['classification'],
  note: 'first version',
  author: 'ada',
};

/** A flow whose prompt node pins version 1 of a library prompt and whose agent follows its latest. */
function flowUsing(name: string, id = 'uses-prompts') {
  return {
    schema: 'trellis.flow/v1',
    id,
    name: 'Uses prompts',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
      { id: 'classify', type: 'prompt', name: 'Classify', position: { x: 200, y: 0 }, config: { model: 'test:echo', prompt: { ref: `${name}@1` } } },
      { id: 'helper', type: 'agent', position: { x: 400, y: 0 }, config: { model: 'test:echo', instructions: { ref: `${name}@latest` } } },
      { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { value: '{{ nodes.helper.output }}' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
      { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'helper', targetHandle: 'in' },
      { id: 'e3', source: 'helper', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
    ],
  };
}

describe('prompts', () => {
  it('creates a prompt, reads it, and refuses a taken name or a bad field, naming it', async () => {
    const created = await h.call<Body>('POST', '/api/prompts', triage);
    expect(created.status).toBe(201);
    expect(created.headers.get('Location')).toBe('/api/prompts/triage-classifier');
    expect(created.body).toMatchObject({ name: 'triage-classifier', version: 1, note: 'first version', author: 'ada', variables: ['customer', 'input'], tags: ['classification'] });

    const read = await h.call<Body>('GET', '/api/prompts/triage-classifier');
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: 'triage-classifier', latestVersion: 1, template: triage.template, description: triage.description, variables: ['customer', 'input'] });

    const taken = await h.call('POST', '/api/prompts', { ...triage, template: 'Other' });
    expect(taken.status).toBe(409);
    expect(errorOf(taken.body)).toMatchObject({ code: 'conflict', message: expect.stringContaining('"triage-classifier" already exists') });

    const badName = await h.call('POST', '/api/prompts', { ...triage, name: 'Triage Classifier' });
    expect(badName.status).toBe(400);
    expect(fieldsOf(badName.body)).toEqual(['body.name']);
    expect(errorOf(badName.body).message).toMatch(/body\.name: use lowercase letters/);

    const reserved = await h.call('POST', '/api/prompts', { ...triage, name: 'export' });
    expect(fieldsOf(reserved.body)).toEqual(['body.name']);

    const broken = await h.call('POST', '/api/prompts', { name: 'broken', template: 'Hello {{ name ', tags: [] });
    expect(broken.status).toBe(400);
    expect(fieldsOf(broken.body)).toEqual(['body.template']);
    expect(errorOf(broken.body).message).toMatch(/template does not parse: /);

    const badTag = await h.call('POST', '/api/prompts', { name: 'tagged', template: 'x', tags: ['ok', 'x'.repeat(41)] });
    expect(fieldsOf(badTag.body)).toEqual(['body.tags.1']);
    const extra = await h.call('POST', '/api/prompts', { name: 'extra', template: 'x', colour: 'red' });
    expect(extra.status).toBe(400);
    expect(errorOf(extra.body).message).toMatch(/colour/);

    expect((await h.call('GET', '/api/prompts/nothing-here')).status).toBe(404);
    expect(errorOf((await h.call('GET', '/api/prompts/nothing-here')).body).message).toBe('there is no prompt "nothing-here"');
  });

  it('saves a version per change, none for the same content, and refuses a stale save', async () => {
    await h.call('POST', '/api/prompts', triage);
    const v2 = await h.call<Body>('PUT', '/api/prompts/triage-classifier', { template: 'Classify: {{ input.message }}', tags: ['classification', 'Safety'], note: 'shorter', author: 'bo', expectVersion: 1 });
    expect(v2.status).toBe(200);
    expect(v2.body).toMatchObject({ version: 2, note: 'shorter', author: 'bo', tags: ['classification', 'safety'], variables: ['input'] });
    expect(v2.body.description).toBeUndefined();

    const same = await h.call<Body>('PUT', '/api/prompts/triage-classifier', { template: 'Classify: {{ input.message }}', tags: ['classification', 'safety'], note: 'again' });
    expect(same.status).toBe(200);
    expect(same.body).toMatchObject({ version: 2, note: 'shorter' });

    const stale = await h.call('PUT', '/api/prompts/triage-classifier', { template: 'Mine', tags: [], expectVersion: 1 });
    expect(stale.status).toBe(409);
    expect(errorOf(stale.body).message).toMatch(/is at version 2, but the save expected version 1/);

    expect((await h.call('PUT', '/api/prompts/nothing-here', { template: 'x', tags: [] })).status).toBe(404);
    const noTags = await h.call('PUT', '/api/prompts/triage-classifier', { template: 'x' });
    expect(noTags.status).toBe(400);
    expect(fieldsOf(noTags.body)).toEqual(['body.tags']);

    const versions = await h.call<Body>('GET', '/api/prompts/triage-classifier/versions');
    expect(versions.body.items.map((v: Body) => [v.version, v.note, v.author])).toEqual([
      [2, 'shorter', 'bo'],
      [1, 'first version', 'ada'],
    ]);
    const v1 = await h.call<Body>('GET', '/api/prompts/triage-classifier/versions/1');
    expect(v1.body).toMatchObject({ version: 1, template: triage.template, description: triage.description, variables: ['customer', 'input'] });
    expect((await h.call('GET', '/api/prompts/triage-classifier/versions/3')).status).toBe(404);
    expect(errorOf((await h.call('GET', '/api/prompts/triage-classifier/versions/3')).body).message).toBe('prompt "triage-classifier" has no version 3');
    const notNumber = await h.call('GET', '/api/prompts/triage-classifier/versions/latest');
    expect(notNumber.status).toBe(400);
    expect(fieldsOf(notNumber.body)).toEqual(['param.version']);
    expect((await h.call('GET', '/api/prompts/nothing-here/versions')).status).toBe(404);
  });

  it('restores an old version as a new one', async () => {
    await h.call('POST', '/api/prompts', triage);
    await h.call('PUT', '/api/prompts/triage-classifier', { template: 'Worse: {{ input.message }}', tags: [] });
    const restored = await h.call<Body>('POST', '/api/prompts/triage-classifier/restore', { version: 1, author: 'cy' });
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ version: 3, template: triage.template, description: triage.description, tags: ['classification'], note: 'Restored version 1', author: 'cy' });
    expect((await h.call<Body>('GET', '/api/prompts/triage-classifier')).body).toMatchObject({ latestVersion: 3, template: triage.template });

    // The latest already has that content: nothing to make.
    const again = await h.call<Body>('POST', '/api/prompts/triage-classifier/restore', { version: 1, note: 'twice' });
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(3);

    expect((await h.call('POST', '/api/prompts/triage-classifier/restore', { version: 9 })).status).toBe(404);
    expect((await h.call('POST', '/api/prompts/nothing-here/restore', { version: 1 })).status).toBe(404);
    const missing = await h.call('POST', '/api/prompts/triage-classifier/restore', {});
    expect(missing.status).toBe(400);
    expect(fieldsOf(missing.body)).toEqual(['body.version']);
  });

  it('lists newest first, searches with ranking and snippets, and filters by tag', async () => {
    await h.call('POST', '/api/prompts', triage);
    await h.call('POST', '/api/prompts', { name: 'refund-reply', template: 'Write a kind reply about the refund. Mention the ticket number.', tags: ['drafting'] });
    await h.call('POST', '/api/prompts', { name: 'escalate', template: 'Escalate when the customer is angry.', tags: ['escalation', 'classification'] });

    const all = await h.call<Body>('GET', '/api/prompts');
    expect(all.body.items.map((p: Body) => p.name)).toEqual(['escalate', 'refund-reply', 'triage-classifier']);
    expect(all.body.items[2]).toMatchObject({ latestVersion: 1, variables: ['customer', 'input'], tags: ['classification'] });

    const ticket = await h.call<Body>('GET', '/api/prompts?q=ticket');
    // The description names tickets (and the text does); the other only mentions one in its text.
    expect(ticket.body.items.map((p: Body) => p.name)).toEqual(['triage-classifier', 'refund-reply']);
    expect(ticket.body.items[1].snippet).toContain('«ticket»');

    expect((await h.call<Body>('GET', '/api/prompts?q=tria')).body.items.map((p: Body) => p.name)).toEqual(['triage-classifier']);
    expect((await h.call<Body>('GET', '/api/prompts?tag=classification')).body.items.map((p: Body) => p.name)).toEqual(['escalate', 'triage-classifier']);
    expect((await h.call<Body>('GET', '/api/prompts?q=customer&tag=escalation')).body.items.map((p: Body) => p.name)).toEqual(['escalate']);
    expect((await h.call<Body>('GET', '/api/prompts?limit=1')).body.items).toHaveLength(1);
    for (const q of ['"', 'AND (', 'NEAR(', '*', "'; drop table prompts; --"]) {
      const hostile = await h.call<Body>('GET', `/api/prompts?q=${encodeURIComponent(q)}`);
      expect(hostile.status, q).toBe(200);
    }
    const badLimit = await h.call('GET', '/api/prompts?limit=lots');
    expect(badLimit.status).toBe(400);
    expect(fieldsOf(badLimit.body)).toEqual(['query.limit']);
  });

  it('shows which flows use a prompt, refuses to delete it while they do, and deletes it when forced', async () => {
    await h.call('POST', '/api/prompts', triage);
    await h.call('PUT', '/api/prompts/triage-classifier', { template: 'Classify: {{ input.message }}', tags: [] });
    expect((await h.call('POST', '/api/flows', flowUsing('triage-classifier'))).status).toBe(201);
    await h.call('POST', '/api/flows', fourNodeFlow('unrelated'));

    const usage = await h.call<Body>('GET', '/api/prompts/triage-classifier/usage');
    expect(usage.status).toBe(200);
    expect(usage.body.items).toEqual([
      { flowId: 'uses-prompts', flowName: 'Uses prompts', flowVersion: 1, nodeId: 'classify', nodeName: 'Classify', field: 'prompt.ref', ref: 'triage-classifier@1', pinned: 1, outdated: true },
      { flowId: 'uses-prompts', flowName: 'Uses prompts', flowVersion: 1, nodeId: 'helper', field: 'instructions.ref', ref: 'triage-classifier@latest', pinned: 'latest', outdated: false },
    ]);
    expect((await h.call('GET', '/api/prompts/nothing-here/usage')).status).toBe(404);

    const refused = await h.call('DELETE', '/api/prompts/triage-classifier');
    expect(refused.status).toBe(409);
    expect(errorOf(refused.body)).toMatchObject({ code: 'prompt_in_use', message: expect.stringContaining('"Uses prompts" (uses-prompts, 2 nodes)') });
    expect((await h.call('GET', '/api/prompts/triage-classifier')).status).toBe(200);

    expect((await h.call('DELETE', '/api/prompts/triage-classifier?force=true')).status).toBe(204);
    expect((await h.call('GET', '/api/prompts/triage-classifier')).status).toBe(404);
    expect((await h.call('GET', '/api/prompts/triage-classifier/versions/1')).status).toBe(404);
    expect((await h.call('DELETE', '/api/prompts/triage-classifier')).status).toBe(404);
    expect((await h.call<Body>('GET', '/api/prompts')).body.items).toEqual([]);

    // An unused prompt goes without force; its name can be used again, numbering on.
    await h.call('POST', '/api/prompts', { name: 'spare', template: 'x', tags: [] });
    expect((await h.call('DELETE', '/api/prompts/spare')).status).toBe(204);
    expect((await h.call<Body>('POST', '/api/prompts', { name: 'spare', template: 'y', tags: [] })).body.version).toBe(2);
  });

  it('exports the library as a file that imports into another runner, and again without change', async () => {
    await h.call('POST', '/api/prompts', triage);
    await h.call('PUT', '/api/prompts/triage-classifier', { template: 'Classify: {{ input.message }}', tags: ['classification'], note: 'shorter' });
    await h.call('POST', '/api/prompts', { name: 'tone', template: 'Be warm.', tags: ['role'] });

    const exported = await h.call<Body>('GET', '/api/prompts/export');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('Content-Disposition')).toBe('attachment; filename="trellis-prompts.json"');
    expect(exported.body).toMatchObject({ schema: 'trellis.prompts/v1', exportedAt: expect.any(String) });
    expect(exported.body.prompts.map((p: Body) => [p.name, p.versions.map((v: Body) => v.version)])).toEqual([
      ['tone', [1]],
      ['triage-classifier', [1, 2]],
    ]);

    const other = await apiHarness();
    try {
      await other.call('POST', '/api/prompts', { name: 'tone', template: 'Be brisk.', tags: [] });
      const imported = await other.call<Body>('POST', '/api/prompts/import', exported.body);
      expect(imported.status).toBe(200);
      expect(imported.body).toEqual({ created: ['triage-classifier'], updated: ['tone'], unchanged: [] });
      const history = await other.call<Body>('GET', '/api/prompts/triage-classifier/versions');
      expect(history.body.items.map((v: Body) => [v.version, v.note ?? null, v.author ?? null])).toEqual([
        [2, 'shorter', null],
        [1, 'first version', 'ada'],
      ]);
      expect((await other.call<Body>('GET', '/api/prompts/tone')).body).toMatchObject({ latestVersion: 2, template: 'Be warm.' });
      expect((await other.call<Body>('POST', '/api/prompts/import', exported.body)).body).toEqual({ created: [], updated: [], unchanged: ['tone', 'triage-classifier'] });
    } finally {
      await other.close();
    }

    const wrongSchema = await h.call('POST', '/api/prompts/import', { ...exported.body, schema: 'trellis.flow/v1' });
    expect(wrongSchema.status).toBe(400);
    expect(fieldsOf(wrongSchema.body)).toEqual(['body.schema']);
    const badVersion = structuredClone(exported.body);
    badVersion.prompts[1].versions[0].template = '{% if %}';
    badVersion.prompts[1].versions[1].version = 1;
    const bad = await h.call('POST', '/api/prompts/import', badVersion);
    expect(bad.status).toBe(400);
    expect(fieldsOf(bad.body).sort()).toEqual(['body.prompts.1.versions.0.template', 'body.prompts.1.versions.1.version']);
    expect(errorOf(bad.body).message).toMatch(/body\.prompts\.1\.versions\.1\.version: version 1 appears twice/);
    // Nothing of a refused file lands.
    expect((await h.call<Body>('GET', '/api/prompts/triage-classifier')).body.latestVersion).toBe(2);
  });

  it('refuses a file over the body limit', async () => {
    const small = await apiHarness({ bodyLimitBytes: 2048 });
    try {
      const file = { schema: 'trellis.prompts/v1', exportedAt: new Date().toISOString(), prompts: [{ name: 'big', versions: [{ version: 1, template: 'x'.repeat(4000), tags: [], createdAt: new Date().toISOString() }] }] };
      const answer = await small.call('POST', '/api/prompts/import', file);
      expect(answer.status).toBe(413);
      expect((await small.call<Body>('GET', '/api/prompts')).body.items).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('keeps the prompt versions a run used and shows them with the run', async () => {
    const prompts = [{ ref: 'triage-classifier@latest', name: 'triage-classifier', version: 2, nodeId: 'classify', field: 'prompt.ref' }];
    const flow = fourNodeFlow('pinned');
    await h.store.createRun({ id: 'run-with-pins', flow: flow as never, input: {}, status: 'succeeded', usage: { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 }, createdAt: new Date().toISOString(), prompts });
    expect((await h.call<Body>('GET', '/api/runs/run-with-pins')).body.prompts).toEqual(prompts);
    expect((await h.call<Body>('GET', '/api/runs?flowId=pinned')).body.items[0].prompts).toEqual(prompts);
  });

  it('is behind the admin token and described in /openapi.json', async () => {
    const guarded = await apiHarness({ adminToken: 'secret' });
    try {
      expect((await guarded.call('GET', '/api/prompts')).status).toBe(401);
      expect((await guarded.call('GET', '/api/prompts/export')).status).toBe(401);
      expect((await guarded.call('GET', '/api/prompts', undefined, { Authorization: 'Bearer secret' })).status).toBe(200);
    } finally {
      await guarded.close();
    }
    const paths = Object.keys((await h.call<Body>('GET', '/openapi.json')).body.paths as Body);
    for (const path of ['/api/prompts', '/api/prompts/{name}', '/api/prompts/{name}/versions', '/api/prompts/{name}/versions/{version}', '/api/prompts/{name}/restore', '/api/prompts/{name}/usage', '/api/prompts/{name}/try', '/api/prompts/export', '/api/prompts/import', '/api/flows/{id}/restore']) {
      expect(paths, path).toContain(path);
    }
  });
});

describe('trying a prompt', () => {
  const samples = [{ customer: { name: 'Ann' }, input: { message: 'I was charged twice' } }, { customer: { name: 'Bob' }, input: { message: 'The app crashes' } }];

  it('runs two versions side by side on the same samples with the test provider', async () => {
    await h.call('POST', '/api/prompts', triage);
    await h.call('PUT', '/api/prompts/triage-classifier', { template: 'Queue for {{ input.message }}?', tags: [] });
    const tried = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { versions: [1, 2], samples, model: 'test:echo' });
    expect(tried.status).toBe(200);
    expect(tried.body.model).toBe('test:echo');
    expect(tried.body.results.map((r: Body) => [r.version, r.sample, r.rendered])).toEqual([
      [1, 0, 'Classify this ticket from Ann: I was charged twice. Answer billing, bugs or other.'],
      [1, 1, 'Classify this ticket from Bob: The app crashes. Answer billing, bugs or other.'],
      [2, 0, 'Queue for I was charged twice?'],
      [2, 1, 'Queue for The app crashes?'],
    ]);
    for (const result of tried.body.results) {
      expect(result).toMatchObject({ testProvider: true, usage: { modelCalls: 1, costUsd: 0 } });
      // The test provider echoes what it was sent.
      expect(result.text).toContain(result.rendered);
      expect(result.error).toBeUndefined();
    }

    // The latest when no version is named; a draft as version 0; a scripted reply; a provider without its key falls back to the test provider.
    const draft = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { draft: 'Draft for {{ customer.name }}', samples: [samples[0]], model: 'openai:gpt-4.1-mini', mock: { text: 'billing' } });
    expect(draft.body.results).toMatchObject([
      { version: 2, sample: 0, rendered: 'Queue for I was charged twice?', text: 'billing', testProvider: true },
      { version: 0, sample: 0, rendered: 'Draft for Ann', text: 'billing', testProvider: true },
    ]);
  });

  it('reports a template or model error in its own result, and refuses a bad request with 400 or 404', async () => {
    await h.call('POST', '/api/prompts', triage);
    const mixed = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { samples: [samples[0], { input: { message: 'no customer' } }], model: 'test:echo' });
    expect(mixed.status).toBe(200);
    expect(mixed.body.results[0]).toMatchObject({ sample: 0, testProvider: true });
    expect(mixed.body.results[0].error).toBeUndefined();
    expect(mixed.body.results[1]).toMatchObject({ sample: 1, rendered: '', error: expect.stringMatching(/customer/) });

    const failing = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { samples: [samples[0]], model: 'test:echo', mock: { error: { status: 503, message: 'overloaded' } } });
    expect(failing.body.results[0]).toMatchObject({ error: 'test provider: 503 overloaded', testProvider: true });
    const brokenDraft = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { versions: [], draft: '{% if %}', samples: [{}], model: 'test:echo' });
    expect(brokenDraft.body.results).toMatchObject([{ version: 0, error: expect.stringMatching(/^template does not parse: /) }]);
    const unknownProvider = await h.call<Body>('POST', '/api/prompts/triage-classifier/try', { samples: [samples[0]], model: 'nowhere:model' });
    expect(unknownProvider.body.results[0].error).toMatch(/unknown provider "nowhere"/);

    expect((await h.call('POST', '/api/prompts/triage-classifier/try', { versions: [7], samples, model: 'test:echo' })).status).toBe(404);
    expect((await h.call('POST', '/api/prompts/nothing-here/try', { samples, model: 'test:echo' })).status).toBe(404);
    // A prompt not saved yet can be tried by its draft alone.
    expect((await h.call<Body>('POST', '/api/prompts/not-saved-yet/try', { draft: 'Hi {{ who }}', samples: [{ who: 'you' }], model: 'test:echo' })).body.results[0].rendered).toBe('Hi you');

    const tooMany = await h.call('POST', '/api/prompts/triage-classifier/try', { versions: [1, 2, 3, 4], draft: 'x', samples, model: 'test:echo' });
    expect(tooMany.status).toBe(400);
    expect(fieldsOf(tooMany.body)).toEqual(['body.versions']);
    const manySamples = await h.call('POST', '/api/prompts/triage-classifier/try', { samples: Array.from({ length: 11 }, () => ({})), model: 'test:echo' });
    expect(fieldsOf(manySamples.body)).toEqual(['body.samples']);
    const badModel = await h.call('POST', '/api/prompts/triage-classifier/try', { samples, model: 'gpt-4' });
    expect(fieldsOf(badModel.body)).toEqual(['body.model']);
    const noVersions = await h.call('POST', '/api/prompts/triage-classifier/try', { versions: [], samples, model: 'test:echo' });
    expect(noVersions.status).toBe(400);
    expect(fieldsOf(noVersions.body)).toEqual(['body.versions']);
  });

  it('cuts off a model that does not answer in time, in that result only', async () => {
    const results = await tryPrompt({
      templates: [{ version: 1, template: 'Hello {{ who }}' }],
      samples: [{ who: 'slow' }],
      model: 'test:echo',
      mock: { text: 'late', delayMs: 5000 },
      models: createModelResolver({ env: {} }),
      callTimeoutMs: 50,
    });
    expect(results).toMatchObject([{ version: 1, sample: 0, rendered: 'Hello slow', error: 'the model did not answer within 50 ms', testProvider: true }]);
    expect(results[0]!.durationMs).toBeLessThan(2000);
  });

  describe('through a real provider (a fake OpenAI-compatible server)', () => {
    let fake: FakeOpenAI;
    beforeAll(async () => {
      fake = await startFakeOpenAI();
    });
    afterAll(async () => {
      await fake?.close();
    });

    it('sends each rendered version to the model and returns each answer, or its error', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'trellis-try-'));
      const store = await openStore({ dataDir: dir });
      const log = createLogger('silent');
      const service = new RunService({ store, log, models: createModelResolver({ providers: { local: { baseURL: fake.url } }, env: {}, fallbackToTest: false }) });
      const app = createApp({ store, service, log, bodyLimitBytes: 64 * 1024, syncTimeoutMs: 5000 });
      const call = async (method: string, path: string, body: unknown) => {
        const res = await app.request(path, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: (await res.json()) as Body };
      };
      try {
        await call('POST', '/api/prompts', triage);
        await call('PUT', '/api/prompts/triage-classifier', { template: 'Queue for {{ input.message }}?', tags: [] });
        fake.enqueue({ text: 'billing', usage: { prompt_tokens: 20, completion_tokens: 1 } }, { text: 'billing', usage: { prompt_tokens: 20, completion_tokens: 1 } }, { text: 'billing', usage: { prompt_tokens: 20, completion_tokens: 1 } }, { status: 400, message: 'bad things' });
        const tried = await call('POST', '/api/prompts/triage-classifier/try', { versions: [1, 2], samples, model: 'local:small', system: 'You sort tickets for {{ customer.name }}.', temperature: 0 });
        expect(tried.status).toBe(200);
        const { results } = tried.body as { results: Body[] };
        expect(results.map((r) => [r.version, r.sample])).toEqual([
          [1, 0],
          [1, 1],
          [2, 0],
          [2, 1],
        ]);
        // The calls run at once, so which one got the refusal is the server's order: one did.
        expect(results.filter((r) => r.error).map((r) => r.error)).toEqual([expect.stringMatching(/answered 400: bad things/)]);
        for (const r of results.filter((r) => !r.error)) {
          expect(r).toMatchObject({ text: 'billing', testProvider: false, usage: { inputTokens: 20, outputTokens: 1, totalTokens: 21, modelCalls: 1, costUsd: null } });
        }
        // Each rendered version reached the model as the user message, with the rendered system text.
        const sent = fake.requests.map((r) => r.body as { model: string; temperature: number; messages: Array<{ role: string; content: string }> });
        expect(sent.map((b) => b.messages.find((m) => m.role === 'user')?.content).sort()).toEqual(results.map((r) => r.rendered).sort());
        expect(new Set(sent.map((b) => b.messages.find((m) => m.role === 'system')?.content))).toEqual(new Set(['You sort tickets for Ann.', 'You sort tickets for Bob.']));
        expect(sent.every((b) => b.model === 'small' && b.temperature === 0)).toBe(true);
      } finally {
        await service.shutdown(1000);
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});

describe('flow versions', () => {
  it('keeps who saved each version and restores an old one as a new version', async () => {
    await h.call('POST', '/api/flows', fourNodeFlow('four'));
    const renamed = { ...fourNodeFlow('four'), name: 'Renamed' };
    expect((await h.call('PUT', '/api/flows/four?author=ada&message=rename&expectVersion=1', renamed)).status).toBe(200);
    const history = await h.call<Body>('GET', '/api/flows/four/versions');
    expect(history.body.items.map((v: Body) => [v.version, v.message ?? null, v.author ?? null])).toEqual([
      [2, 'rename', 'ada'],
      [1, null, null],
    ]);
    expect((await h.call<Body>('GET', '/api/flows/four/versions/2')).body).toMatchObject({ author: 'ada', message: 'rename' });

    const restored = await h.call<Body>('POST', '/api/flows/four/restore', { version: 1, author: 'bo', expectVersion: 2 });
    expect(restored.status).toBe(201);
    expect(restored.body).toMatchObject({ flowId: 'four', version: 3, message: 'Restored version 1', author: 'bo', document: { name: 'Four nodes' } });
    expect((await h.call<Body>('GET', '/api/flows/four')).body).toMatchObject({ latestVersion: 3, name: 'Four nodes' });
    const withMessage = await h.call<Body>('POST', '/api/flows/four/restore', { version: 2, message: 'back to the new name' });
    expect(withMessage.body).toMatchObject({ version: 4, message: 'back to the new name', document: { name: 'Renamed' } });

    const stale = await h.call('POST', '/api/flows/four/restore', { version: 1, expectVersion: 3 });
    expect(stale.status).toBe(409);
    expect(errorOf(stale.body).message).toMatch(/is at version 4, but the save expected version 3/);
    const unknownVersion = await h.call('POST', '/api/flows/four/restore', { version: 9 });
    expect(unknownVersion.status).toBe(404);
    expect(errorOf(unknownVersion.body).message).toBe('flow "four" has no version 9');
    expect((await h.call('POST', '/api/flows/nothing-here/restore', { version: 1 })).status).toBe(404);
    const noVersion = await h.call('POST', '/api/flows/four/restore', { message: 'which?' });
    expect(noVersion.status).toBe(400);
    expect(fieldsOf(noVersion.body)).toEqual(['body.version']);
    expect((await h.call<Body>('GET', '/api/flows/four')).body.latestVersion).toBe(4);
  });
});

describe('on PostgreSQL', () => {
  it('keeps, searches, exports, imports and tries prompts the same way', async () => {
    const pg = await apiHarness({ postgres: true });
    try {
      expect((await pg.call('POST', '/api/prompts', triage)).status).toBe(201);
      await pg.call('POST', '/api/prompts', { name: 'refund-reply', template: 'Write a kind reply about the refund. Mention the ticket number.', tags: ['drafting'] });
      expect((await pg.call<Body>('PUT', '/api/prompts/triage-classifier', { template: 'Queue for {{ input.message }}?', tags: ['classification'], expectVersion: 1 })).body.version).toBe(2);
      expect((await pg.call('PUT', '/api/prompts/triage-classifier', { template: 'x', tags: [], expectVersion: 1 })).status).toBe(409);

      const found = await pg.call<Body>('GET', '/api/prompts?q=refund');
      expect(found.body.items.map((p: Body) => p.name)).toEqual(['refund-reply']);
      expect(found.body.items[0].snippet).toContain('«refund');
      expect((await pg.call<Body>('GET', '/api/prompts?q=tria')).body.items.map((p: Body) => p.name)).toEqual(['triage-classifier']);
      expect((await pg.call<Body>('GET', '/api/prompts?tag=drafting')).body.items.map((p: Body) => p.name)).toEqual(['refund-reply']);
      expect((await pg.call('GET', `/api/prompts?q=${encodeURIComponent('AND ( " :*')}`)).status).toBe(200);

      expect((await pg.call<Body>('POST', '/api/prompts/triage-classifier/restore', { version: 1 })).body).toMatchObject({ version: 3, note: 'Restored version 1' });
      await pg.call('POST', '/api/flows', flowUsing('triage-classifier'));
      expect((await pg.call<Body>('GET', '/api/prompts/triage-classifier/usage')).body.items.map((u: Body) => [u.nodeId, u.outdated])).toEqual([
        ['classify', true],
        ['helper', false],
      ]);
      expect((await pg.call('DELETE', '/api/prompts/triage-classifier')).status).toBe(409);

      const file = (await pg.call<Body>('GET', '/api/prompts/export')).body;
      expect((await pg.call<Body>('POST', '/api/prompts/import', file)).body).toEqual({ created: [], updated: [], unchanged: ['refund-reply', 'triage-classifier'] });
      expect((await pg.call('DELETE', '/api/prompts/refund-reply')).status).toBe(204);
      expect((await pg.call<Body>('POST', '/api/prompts/import', file)).body).toEqual({ created: ['refund-reply'], updated: [], unchanged: ['triage-classifier'] });

      const tried = await pg.call<Body>('POST', '/api/prompts/triage-classifier/try', { versions: [1, 2], samples: [{ customer: { name: 'Ann' }, input: { message: 'hi' } }], model: 'test:echo' });
      expect(tried.body.results.map((r: Body) => [r.version, r.rendered])).toEqual([
        [1, 'Classify this ticket from Ann: hi. Answer billing, bugs or other.'],
        [2, 'Queue for hi?'],
      ]);

      await pg.call('POST', '/api/flows', fourNodeFlow('four'));
      await pg.call('PUT', '/api/flows/four?author=ada', { ...fourNodeFlow('four'), name: 'Renamed' });
      expect((await pg.call<Body>('POST', '/api/flows/four/restore', { version: 1, author: 'bo' })).body).toMatchObject({ version: 3, author: 'bo', message: 'Restored version 1' });
      expect((await pg.call<Body>('GET', '/api/flows/four/versions')).body.items.map((v: Body) => v.author ?? null)).toEqual(['bo', 'ada', null]);
    } finally {
      await pg.close();
    }
  });
});
