import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createModelResolver } from '@trellis/nodes/server';
import type { DatasetRow, DatasetVersion, Experiment, ExperimentComparison, ExperimentRow } from '@trellis/schema';
import { startFakeOpenAI } from '@trellis/test-support/fake-openai';
import { apiHarness } from './support/api.js';

/* Datasets and experiments through the API: import, versions, runs added as rows, experiments scored offline and by a model judge, compare. */

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- documents and bodies are read field by field

const triage = () => JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as Json;

/** The triage example's samples as dataset rows, with the route each should take. */
function triageRows(): DatasetRow[] {
  const routes: Record<string, Json> = {
    'routine-billing': { route: 'auto_reply', category: 'billing' },
    'unusual-technical': { route: 'investigated', category: 'technical' },
    'card-number-redacted': { route: 'auto_reply', category: 'billing' },
    'secret-in-message': { route: 'secret_refused' },
    'reply-held': { route: 'held_for_review', category: 'billing' },
  };
  return (triage().samples as Json[]).filter((s) => routes[s.name]).map((s) => ({ input: s.input, mocks: s.mocks, expected: routes[s.name], source: `sample ${s.name}` }));
}

async function finished(h: Harness, id: string): Promise<Experiment> {
  const until = Date.now() + 20_000;
  for (;;) {
    const { body } = await h.call<Experiment>('GET', `/api/experiments/${id}`);
    if (body.status !== 'running') return body;
    if (Date.now() > until) throw new Error(`experiment ${id} still runs: ${body.rowsDone} of ${body.rowsTotal}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('datasets', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('imports CSV typed by the flow\'s input schema and JSONL, each a new version, and adds a past run as a row', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    const created = await h.call<Json>('POST', '/api/datasets', { id: 'tickets', name: 'Support tickets', description: 'Real tickets, anonymised' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'tickets', latestVersion: 1, rowCount: 0 });
    expect((await h.call<Json>('POST', '/api/datasets', { id: 'tickets', name: 'Again' })).status).toBe(409);

    const csv = 'message,customer,expected,team\n"Where is my invoice?, thanks",cus_1,"{""route"":""auto_reply""}",billing\nMy webhooks stopped,cus_2,,tech\n';
    const imported = await h.call<Json>('POST', '/api/datasets/tickets/import', { format: 'csv', text: csv, flowId: 'support-triage', columns: { customer: 'input.customerId', team: 'metadata.team' } });
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ version: 2, rowCount: 2, message: 'imported 2 rows from CSV' });
    const v2 = (await h.call<DatasetVersion>('GET', '/api/datasets/tickets/versions/2')).body;
    expect(v2.rows[0]).toEqual({ input: { message: 'Where is my invoice?, thanks', customerId: 'cus_1' }, expected: { route: 'auto_reply' }, metadata: { team: 'billing' }, source: 'CSV line 2' });
    expect(v2.rows[1]).toMatchObject({ input: { message: 'My webhooks stopped', customerId: 'cus_2' }, metadata: { team: 'tech' } });

    const jsonl = `${JSON.stringify({ message: 'Plain input', customerId: 'cus_3' })}\n\n${JSON.stringify({ input: { message: 'A row', customerId: 'cus_4' }, expected: { route: 'investigated' } })}\n`;
    const more = await h.call<Json>('POST', '/api/datasets/tickets/import', { format: 'jsonl', text: jsonl });
    expect(more.body).toMatchObject({ version: 3, rowCount: 4 });

    // A past run: its input, mock script and output.
    const sample = (triage().samples as Json[]).find((s) => s.name === 'routine-billing')!;
    const run = await h.call<Json>('POST', '/api/flows/support-triage/runs', { input: sample.input, mocks: sample.mocks });
    await h.runUntil(run.body.id as string, ['succeeded']);
    const added = await h.call<Json>('POST', '/api/datasets/tickets/runs', { runId: run.body.id });
    expect(added.body).toMatchObject({ version: 4, rowCount: 5, message: `added run ${run.body.id}` });
    const v4 = (await h.call<DatasetVersion>('GET', '/api/datasets/tickets/versions/4')).body;
    expect(v4.rows[4]).toMatchObject({ input: sample.input, mocks: sample.mocks, expected: { route: 'auto_reply', customerId: 'cus_1077' }, source: `run ${run.body.id}` });

    const versions = await h.call<{ items: Json[] }>('GET', '/api/datasets/tickets/versions');
    expect(versions.body.items.map((v) => [v.version, v.rowCount])).toEqual([[4, 5], [3, 4], [2, 2], [1, 0]]);
  });

  it('refuses a file with a wrong row, naming each row and field, and imports nothing', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    await h.call('POST', '/api/datasets', { id: 'tickets', name: 'Tickets' });
    const missing = await h.call<Json>('POST', '/api/datasets/tickets/import', { format: 'csv', text: 'message,customerId\nfine,cus_1\nno customer,\n', flowId: 'support-triage' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('invalid_dataset');
    expect(missing.body.error.message).toBe('the file has 1 problem; row 2, input.customerId: is required');
    const badJson = await h.call<Json>('POST', '/api/datasets/tickets/import', { format: 'jsonl', text: '{"message": "ok", "customerId": "c"}\n{not json}\n{"input": {"message": "x"}, "mocks": 3}\n' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.details.problems.map((p: Json) => p.path)).toEqual(['row 2', 'row 3, mocks']);
    expect(badJson.body.error.details.problems[0].message).toMatch(/^line 2 is not valid JSON/);
    const mapping = await h.call<Json>('POST', '/api/datasets/tickets/import', { format: 'csv', text: 'a,b\n1,2\n', columns: { c: 'input.c', a: 'nowhere' } });
    expect(mapping.body.error.details.problems.map((p: Json) => p.message)).toEqual(['the file has no column "c" (it has: "a", "b")', '"nowhere" is not a place a column can go: use input.<field>, input, expected, expected.<field>, metadata.<key> or skip']);
    expect((await h.call<Json>('GET', '/api/datasets/tickets')).body.latestVersion).toBe(1);
  });
});

describe('experiments', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('runs a flow version over a dataset offline, scores every row, and compares two versions row by row', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    expect((await h.call('POST', '/api/datasets', { id: 'routes', name: 'Routes', rows: triageRows() })).status).toBe(201);
    const scorers = [
      { type: 'exact', id: 'route', path: 'route', expectedPath: 'route' },
      { type: 'json_match' },
      { type: 'cel', expression: "output.route != 'held_for_review'" },
    ];
    const started = await h.call<Experiment>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'routes', scorers, concurrency: 3, name: 'baseline' });
    expect(started.status).toBe(202);
    expect(started.body).toMatchObject({ status: 'running', flowVersion: 1, datasetVersion: 1, rowsTotal: 5 });
    const base = await finished(h, started.body.id);
    expect(base).toMatchObject({ status: 'completed', rowsDone: 5 });
    expect(base.summary).toMatchObject({ rows: 5, succeeded: 5, failed: 0 });
    expect(base.summary!.scorers).toEqual([
      { id: 'route', type: 'exact', mean: 1, passRate: 1, scored: 5, errors: 0 },
      { id: 'json_match', type: 'json_match', mean: 1, passRate: 1, scored: 5, errors: 0 },
      { id: 'cel', type: 'cel', mean: 0.8, passRate: 0.8, scored: 5, errors: 0 },
    ]);
    expect(base.summary!.latencyMs!.p95).toBeGreaterThan(0);
    // Nothing in the runs list: an experiment's rows run in memory.
    expect((await h.call<{ items: unknown[] }>('GET', '/api/runs')).body.items).toEqual([]);

    const rows = (await h.call<{ items: ExperimentRow[] }>('GET', `/api/experiments/${base.id}/rows`)).body.items;
    expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(rows[4]).toMatchObject({ status: 'succeeded', expected: { route: 'held_for_review' }, scores: { cel: { score: 0, passed: false, reason: "output.route != 'held_for_review' is false" } } });
    const trace = (await h.call<{ items: Json[] }>('GET', `/api/experiments/${base.id}/rows/0/events`)).body.items;
    expect(trace.map((e) => e.type)).toContain('run.completed');

    // Version 2 sends routine tickets to the investigation branch: those rows regress.
    const v2 = triage();
    v2.nodes.find((n: Json) => n.id === 'route').config.branches[0].when = 'false';
    expect((await h.call('PUT', '/api/flows/support-triage', v2)).status).toBe(200);
    const next = await h.call<Experiment>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'routes', scorers });
    const candidate = await finished(h, next.body.id);
    expect(candidate.flowVersion).toBe(2);
    const compared = await h.call<ExperimentComparison>('GET', `/api/experiments/compare?base=${base.id}&candidate=${candidate.id}`);
    expect(compared.status).toBe(200);
    expect(compared.body.regressed).toBeGreaterThanOrEqual(2);
    expect(compared.body.rows.filter((r) => r.change === 'regressed').map((r) => r.index)).toEqual(expect.arrayContaining([0, 2]));
    expect(compared.body.scoreDeltas.route).toBeLessThan(0);
    const listed = await h.call<{ items: Experiment[] }>('GET', '/api/experiments?datasetId=routes');
    expect(listed.body.items.map((e) => e.id)).toEqual([candidate.id, base.id]);
  });

  it('refuses an experiment it cannot run, naming what is missing', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    await h.call('POST', '/api/datasets', { id: 'empty', name: 'Empty' });
    const exact = [{ type: 'exact' }];
    expect((await h.call<Json>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'nope', scorers: exact })).body.error.message).toContain('dataset');
    expect((await h.call<Json>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'empty', scorers: exact })).body.error.message).toBe('dataset "empty" version 1 has no rows: add some first');
    await h.call('POST', '/api/datasets', { id: 'one', name: 'One', rows: triageRows().slice(0, 1) });
    const twice = await h.call<Json>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'one', scorers: [{ type: 'exact' }, { type: 'exact', id: 'exact' }] });
    expect(twice.body.error.message).toBe('two scorers have the id "exact": give each its own id');
    const judge = await h.call<Json>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'one', scorers: [{ type: 'judge', rubric: { name: 'rubric', version: 1 }, model: 'loop:judge' }] });
    expect(judge.status).toBe(422);
    expect(judge.body.error.message).toBe('the judge\'s rubric "rubric@1" is not in the prompt library');
  });

  it('scores rows with a model judge over the OpenAI-compatible HTTP API, its rubric a pinned library prompt', async () => {
    const fake = await startFakeOpenAI();
    try {
      h = await apiHarness({ models: createModelResolver({ fallbackToTest: true, env: { TRELLIS_PROVIDER_LOOP_BASE_URL: fake.url } }) });
      expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
      expect((await h.call('POST', '/api/prompts', { name: 'reply-rubric', template: 'Does this reply answer the customer politely? Reply: {{ output.reply }} Expected route: {{ expected.route }}' })).status).toBe(201);
      await h.call('POST', '/api/datasets', { id: 'two', name: 'Two', rows: triageRows().slice(0, 2) });
      fake.enqueue({ text: '{"score": 0.9, "reason": "Polite and answers the question."}' }, { text: '{"score": 0.2, "reason": "Does not answer."}' });
      const started = await h.call<Experiment>('POST', '/api/experiments', {
        flowId: 'support-triage',
        datasetId: 'two',
        concurrency: 1,
        scorers: [{ type: 'judge', id: 'polite', rubric: { name: 'reply-rubric', version: 1 }, model: 'loop:judge-model', threshold: 0.5 }],
      });
      expect(started.status).toBe(202);
      const done = await finished(h, started.body.id);
      expect(done.summary!.scorers[0]).toEqual({ id: 'polite', type: 'judge', mean: 0.55, passRate: 0.5, scored: 2, errors: 0 });
      // Grading's own calls are counted apart from the flow's.
      expect(done.summary!.judge).toMatchObject({ modelCalls: 2 });
      const rows = (await h.call<{ items: ExperimentRow[] }>('GET', `/api/experiments/${done.id}/rows`)).body.items;
      expect(rows.map((r) => r.scores.polite)).toEqual([
        { score: 0.9, passed: true, reason: 'Polite and answers the question.' },
        { score: 0.2, passed: false, reason: 'Does not answer.' },
      ]);
      // The rubric went to the model, rendered with the row.
      const sent = JSON.stringify(fake.requests[0]!.body);
      expect(sent).toContain('Does this reply answer the customer politely?');
      expect(sent).toContain('Expected route: auto_reply');
      expect(fake.requests[0]!.body.model).toBe('judge-model');
    } finally {
      await fake.close();
    }
  });
});

describe('datasets and experiments under concurrent changes, cancels and stopped runners', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  for (const postgres of [false, true]) {
    it(`keeps every row when ten changes arrive at once, each its own version (${postgres ? 'PostgreSQL' : 'SQLite'})`, async () => {
      h = await apiHarness({ postgres });
      await h.call('POST', '/api/datasets', { id: 'busy', name: 'Busy' });
      const added = await Promise.all(Array.from({ length: 10 }, (_, i) => h!.call<Json>('POST', '/api/datasets/busy/rows', { rows: [{ input: { n: i } }] })));
      expect(added.map((a) => a.status)).toEqual(Array(10).fill(201));
      expect(new Set(added.map((a) => a.body.version)).size).toBe(10);
      const latest = (await h.call<DatasetVersion>('GET', '/api/datasets/busy/versions/11')).body;
      expect(latest.rows.map((r) => (r.input as Json).n).sort((a: number, b: number) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });
  }

  it('runs an experiment on PostgreSQL as on SQLite', async () => {
    h = await apiHarness({ postgres: true });
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    await h.call('POST', '/api/datasets', { id: 'routes', name: 'Routes', rows: triageRows() });
    const started = await h.call<Experiment>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'routes', scorers: [{ type: 'exact', path: 'route', expectedPath: 'route' }] });
    const done = await finished(h, started.body.id);
    expect(done.summary!.scorers[0]).toMatchObject({ mean: 1, scored: 5 });
    expect((await h.call<{ items: ExperimentRow[] }>('GET', `/api/experiments/${done.id}/rows?offset=3&limit=5`)).body.items.map((r) => r.index)).toEqual([3, 4]);
  });

  it('cancels a running experiment: the rows under way finish, no other starts, and it says it was cancelled', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    // Each row's model steps take 150 ms: twenty rows one at a time take seconds.
    const slow = triageRows().slice(0, 1).map((r) => ({ ...r, mocks: Object.fromEntries(Object.entries(r.mocks ?? {}).map(([id, reply]) => [id, { ...(reply as Json), delayMs: 150 }])) }));
    await h.call('POST', '/api/datasets', { id: 'slow', name: 'Slow', rows: Array.from({ length: 20 }, () => slow[0]!) });
    const started = await h.call<Experiment>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'slow', concurrency: 1, scorers: [{ type: 'exact', path: 'route', expectedPath: 'route' }] });
    await new Promise((r) => setTimeout(r, 400));
    const cancelled = await h.call<Experiment>('POST', `/api/experiments/${started.body.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const ended = await finished(h, started.body.id);
    expect(ended.status).toBe('cancelled');
    expect(ended.error).toBe('the experiment was cancelled');
    expect(ended.rowsDone).toBeGreaterThan(0);
    expect(ended.rowsDone).toBeLessThan(20);
    expect(ended.summary!.rows).toBe(ended.rowsDone);
    expect((await h.call<Json>('POST', `/api/experiments/${started.body.id}/cancel`)).status).toBe(409);
  });

  it('fails an experiment whose rows the database will not take, saying why, and stops running rows', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    await h.call('POST', '/api/datasets', { id: 'routes', name: 'Routes', rows: [...triageRows(), ...triageRows(), ...triageRows()] });
    h.store.evals.saveExperimentRows = async () => {
      throw new Error('the disk is full');
    };
    const started = await h.call<Experiment>('POST', '/api/experiments', { flowId: 'support-triage', datasetId: 'routes', concurrency: 1, scorers: [{ type: 'exact', path: 'route', expectedPath: 'route' }] });
    const ended = await finished(h, started.body.id);
    expect(ended).toMatchObject({ status: 'failed', error: "could not store the experiment's rows: the disk is full", rowsDone: 0 });
  });

  it('ends as failed an experiment whose runner stopped beating, and leaves a live one alone', async () => {
    h = await apiHarness();
    const evals = h.store.evals;
    const base = { flowId: 'f', flowVersion: 1, datasetId: 'd', datasetVersion: 1, scorers: [{ type: 'exact' as const }], concurrency: 1, live: false, rowsTotal: 3 };
    await evals.createExperiment({ ...base, id: 'dead', createdAt: new Date(Date.now() - 120_000).toISOString() });
    await evals.createExperiment({ ...base, id: 'alive', createdAt: new Date().toISOString() });
    expect(await evals.failInterrupted('the runner executing it stopped: start it again', new Date(Date.now() - 60_000).toISOString())).toBe(1);
    expect(await evals.getExperiment('dead')).toMatchObject({ status: 'failed', error: 'the runner executing it stopped: start it again' });
    expect((await evals.getExperiment('alive'))?.status).toBe('running');
  });
});

