import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlowTestReport } from '@trellis/schema';
import { apiHarness } from './support/api.js';

/* POST /api/flows/:id/tests: a flow's test cases run offline by the runner (the editor's Tests tab, CI). */

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- flow documents are edited field by field

const triage = () => JSON.parse(readFileSync(new URL('../../../examples/support-triage.flow.json', import.meta.url), 'utf8')) as Json;

describe('POST /api/flows/:id/tests', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("runs the saved version's cases offline, stores no run, and says how each went", async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    const res = await h.call<FlowTestReport>('POST', '/api/flows/support-triage/tests', {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ flowId: 'support-triage', version: 1, passed: 6, failed: 0 });
    const refund = res.body.cases.find((c) => c.name === 'refund-over-limit')!;
    expect(refund).toMatchObject({ passed: true, status: 'succeeded' });
    expect(refund.checks.map((c) => c.message)).toContain('the run waited at "approve_reply" for approval');
    // Nothing stored: no run, no approval waiting in the inbox.
    expect((await h.call<{ items: unknown[] }>('GET', '/api/runs?flowId=support-triage')).body.items).toEqual([]);
    expect((await h.call<{ items: unknown[] }>('GET', '/api/approvals')).body.items).toEqual([]);
  });

  it('runs a draft sent by the editor, and a change that breaks a case fails it with what was expected and what came', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    const draft = triage();
    // The route now sends routine tickets to the investigation branch.
    const route = draft.nodes.find((n: Json) => n.id === 'route');
    route.config.branches[0].when = 'false';
    const res = await h.call<FlowTestReport>('POST', '/api/flows/support-triage/tests', { document: draft, cases: ['routine-billing'] });
    expect(res.status).toBe(200);
    expect(res.body.version).toBeUndefined();
    expect(res.body).toMatchObject({ passed: 0, failed: 1 });
    const [routine] = res.body.cases;
    expect(routine!.checks.filter((c) => !c.passed).map((c) => c.message)).toContain('step "route" took "else", not "routine"');
    const subset = routine!.checks.find((c) => c.assertion.type === 'json_subset')!;
    expect(subset).toMatchObject({ passed: false, expected: { route: 'auto_reply', category: 'billing' } });
    expect(subset.actual).toMatchObject({ route: 'investigated' });
  });

  it('refuses a case that does not exist, a draft of another flow, and a flow that does not exist, naming each', async () => {
    h = await apiHarness();
    expect((await h.call('POST', '/api/flows', triage())).status).toBe(201);
    const unknown = await h.call<Json>('POST', '/api/flows/support-triage/tests', { cases: ['nope'] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/^flow "support-triage" has no case "nope" \(it has: "routine-billing", /);
    const other = await h.call<Json>('POST', '/api/flows/support-triage/tests', { document: { ...triage(), id: 'other' } });
    expect(other.status).toBe(400);
    expect(other.body.error.code).toBe('id_mismatch');
    expect((await h.call<Json>('POST', '/api/flows/missing/tests', {})).status).toBe(404);
    const extra = await h.call<Json>('POST', '/api/flows/support-triage/tests', { live: true });
    expect(extra.status).toBe(400);
  });
});

describe('the publish gate', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('refuses to publish a version whose cases fail, with the report; an override needs a reason, and the publish log keeps it', async () => {
    h = await apiHarness();
    const gated = triage();
    gated.settings = { ...gated.settings, gate: { cases: true } };
    // A regression: routine tickets now go to the investigation branch.
    gated.nodes.find((n: Json) => n.id === 'route').config.branches[0].when = 'false';
    expect((await h.call('POST', '/api/flows', gated)).status).toBe(201);

    const refused = await h.call<Json>('POST', '/api/flows/support-triage/publish', { slug: 'triage' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('gate_failed');
    expect(refused.body.error.message).toMatch(/^version 1 of flow "support-triage" fails its publish gate: 4 of 6 cases fail: "routine-billing" \(step "route" took "else", not "routine"\); .*; and 1 more\. Fix it, or publish with an override and a reason$/);
    const report = refused.body.error.details.report as FlowTestReport;
    expect(report).toMatchObject({ version: 1, passed: 2, failed: 4 });
    expect((await h.call<{ items: unknown[] }>('GET', '/api/published')).body.items).toEqual([]);

    const noReason = await h.call<Json>('POST', '/api/flows/support-triage/publish', { slug: 'triage', override: { reason: '' } });
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body.error)).toContain('say why');

    const overridden = await h.call<Json>('POST', '/api/flows/support-triage/publish', { slug: 'triage', override: { reason: 'Hotfix for the outage; cases fixed tomorrow', by: 'Ana Lima' } });
    expect(overridden.status).toBe(201);
    const log = await h.call<{ items: Json[] }>('GET', '/api/flows/support-triage/publishes');
    expect(log.body.items).toEqual([
      expect.objectContaining({ version: 1, slug: 'triage', gate: 'overridden', reason: 'Hotfix for the outage; cases fixed tomorrow', by: 'Ana Lima', failedCases: ['routine-billing', 'refund-over-limit', 'card-number-redacted', 'reply-held'] }),
    ]);
  });

  it('publishes a version whose cases pass, logging that the gate passed; a flow without a gate logs none', async () => {
    h = await apiHarness();
    const gated = triage();
    gated.settings = { ...gated.settings, gate: { cases: true } };
    expect((await h.call('POST', '/api/flows', gated)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/support-triage/publish', { slug: 'triage' })).status).toBe(201);
    const plain = { ...triage(), id: 'plain' };
    expect((await h.call('POST', '/api/flows', plain)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/plain/publish', { slug: 'plain' })).status).toBe(201);
    expect((await h.call<{ items: Json[] }>('GET', '/api/flows/support-triage/publishes')).body.items).toMatchObject([{ gate: 'passed', slug: 'triage' }]);
    expect((await h.call<{ items: Json[] }>('GET', '/api/flows/plain/publishes')).body.items).toMatchObject([{ gate: 'none', slug: 'plain' }]);
    expect((await h.call('GET', '/api/flows/missing/publishes')).status).toBe(404);
  });

  it('gates on an experiment: a score under the minimum, or too far below the version the slug serves, refuses the publish', async () => {
    h = await apiHarness();
    const routes: Record<string, string> = { 'routine-billing': 'auto_reply', 'unusual-technical': 'investigated', 'card-number-redacted': 'auto_reply', 'reply-held': 'held_for_review' };
    const rows = (triage().samples as Json[]).filter((s) => routes[s.name]).map((s) => ({ input: s.input, mocks: s.mocks, expected: { route: routes[s.name] } }));
    expect((await h.call('POST', '/api/datasets', { id: 'routes', name: 'Routes', rows })).status).toBe(201);
    const gated = triage();
    gated.settings = { ...gated.settings, gate: { experiment: { dataset: 'routes', scorers: [{ type: 'exact', id: 'route', path: 'route', expectedPath: 'route' }], minScore: 0.6, maxDrop: 0.1 } } };
    expect((await h.call('POST', '/api/flows', gated)).status).toBe(201);
    expect((await h.call('POST', '/api/flows/support-triage/publish', { slug: 'triage' })).status).toBe(201);

    // Version 2 loses the routine route: half the rows go wrong.
    gated.nodes.find((n: Json) => n.id === 'route').config.branches[0].when = 'false';
    expect((await h.call('PUT', '/api/flows/support-triage', gated)).status).toBe(200);
    const refused = await h.call<Json>('POST', '/api/flows/support-triage/publish', { slug: 'triage' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toBe(
      'version 2 of flow "support-triage" fails its publish gate: it scores 0.250 on dataset "routes" (route), under the minimum of 0.6; and it scores 0.250 on dataset "routes" (route), 0.750 below version 1 that /v1/flows/triage serves now (1.000), more than the 0.1 allowed. Fix it, or publish with an override and a reason',
    );
    expect(refused.body.error.details.experiment).toMatchObject({ dataset: 'routes', scorer: 'route', candidate: { version: 2, score: 0.25 }, published: { version: 1, score: 1 } });
    // Both runs are experiments of their own, to look at row by row.
    const experiments = (await h.call<{ items: Json[] }>('GET', '/api/experiments?flowId=support-triage')).body.items;
    expect(experiments.map((e) => e.name)).toEqual(['publish gate: published version 1 of support-triage', 'publish gate: candidate version 2 of support-triage', 'publish gate: candidate version 1 of support-triage']);
    expect(((await h.call<{ items: Json[] }>('GET', '/api/published')).body.items[0] as Json).version).toBe(1);
  });
});

