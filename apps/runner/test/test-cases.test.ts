import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Assertion, CaseAnswer, Flow, Sample } from '@trellis/schema';
import { createModelResolver, validateFlowText } from '@trellis/nodes/server';
import { Engine } from '../src/engine/engine.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { siblingFlows } from '../src/cli/flows.js';
import { flowCaseRunner, runCase, type CaseResult } from '../src/testing/run-case.js';

/*
 * A flow's test cases (its samples with `expect`), run offline as `trellis test` runs them, on the
 * bundled examples: each kind of assertion passing, and failing with a message that says what
 * was expected and what the run did instead.
 */

const example = (name: string) => fileURLToPath(new URL(`../../../examples/${name}.flow.json`, import.meta.url));

function load(name: string): Flow {
  const loaded = validateFlowText(readFileSync(example(name), 'utf8'));
  if (!loaded.flow) throw new Error(`examples/${name} does not load`);
  return loaded.flow;
}

/** Runs a sample of an example with these assertions (and answers) in place of its own. */
async function check(flowName: string, sampleName: string, expectations: Assertion[], answers?: Record<string, CaseAnswer>): Promise<CaseResult> {
  const flow = load(flowName);
  const sample = flow.samples!.find((s) => s.name === sampleName)!;
  const store = new MemoryCheckpointStore();
  const engine = new Engine({ store, models: createModelResolver({ offline: true }), flows: siblingFlows(example(flowName)) });
  const { answers: _own, ...rest } = sample;
  const testCase: Sample = { ...rest, expect: expectations, ...(answers ? { answers } : {}) };
  return runCase(flow, testCase, { engine, store, events: (runId) => store.events(runId), timeoutMs: 30_000 });
}

/** Each assertion's verdict and message, in the case's order (the implicit success check left out). */
function verdicts(result: CaseResult): [boolean, string][] {
  return result.results.filter((r) => r.index !== undefined).map((r) => [r.passed, r.message]);
}

describe('test cases: assertions on the output', () => {
  it('equals, contains, JSON subset, JSON Schema and CEL pass on what the run gave and fail naming the difference', async () => {
    const result = await check('support-triage', 'routine-billing', [
      { type: 'equals', path: 'route', value: 'auto_reply' },
      { type: 'equals', path: 'route', value: 'investigated' },
      { type: 'contains', path: 'reply', value: 'INV-2025-0502' },
      { type: 'contains', path: 'reply', value: 'refunded' },
      { type: 'contains', value: 'x' },
      { type: 'json_subset', value: { route: 'auto_reply', category: 'billing' } },
      { type: 'json_subset', value: { category: 'technical' } },
      { type: 'json_subset', value: { priority: 'high' } },
      { type: 'json_schema', schema: { type: 'object', required: ['route', 'reply'], properties: { route: { enum: ['auto_reply', 'investigated'] } } } },
      { type: 'json_schema', path: 'reply', schema: { type: 'string', maxLength: 10 } },
      { type: 'cel', expression: "output.route == 'auto_reply' && size(output.reply) > 20" },
      { type: 'cel', expression: "output.category == 'technical'" },
      { type: 'cel', expression: 'output.route' },
      { type: 'cel', expression: 'output.route ==' },
      { type: 'equals', path: 'account.plan', value: 'team' },
    ]);
    expect(result.passed).toBe(false);
    const got = verdicts(result);
    expect(got.map(([passed]) => passed)).toEqual([true, false, true, false, false, true, false, false, true, false, true, false, false, false, false]);
    expect(got[1]![1]).toBe('output.route is not the expected value');
    expect(result.results.find((r) => r.index === 1)).toMatchObject({ expected: 'investigated', actual: 'auto_reply' });
    expect(got[3]![1]).toBe('output.reply does not contain "refunded"');
    expect(got[4]![1]).toBe('the output is an object, neither text nor a list, so it contains nothing');
    expect(got[6]![1]).toBe('the output differs: at category: expected "technical", got "billing"');
    expect(got[7]![1]).toBe('the output differs: priority is missing');
    expect(got[9]![1]).toMatch(/^output\.reply does not match the schema: .*10/);
    expect(got[11]![1]).toBe("output.category == 'technical' is false");
    expect(got[12]![1]).toBe('output.route gave "auto_reply", not true or false');
    expect(got[13]![1]).toMatch(/^output\.route ==: /);
    expect(got[14]![1]).toBe('the output has nothing at "account"');
  });

  it('a failed run has no output to check: the case says how the run ended', async () => {
    const result = await check('support-triage', 'routine-billing', [{ type: 'equals', path: 'route', value: 'auto_reply' }, { type: 'status', status: 'failed' }]);
    // No answer for the approval is needed here; a wrong expected status is the failure.
    expect(verdicts(result)).toEqual([[true, 'output.route equals the expected value'], [false, 'expected the run to fail, but it succeeded']]);
  });
});

describe('test cases: assertions on the path', () => {
  it('ran, skipped and branch name the steps that ran, the branch taken, and why a step did not run', async () => {
    const result = await check('support-triage', 'routine-billing', [
      { type: 'ran', nodes: ['classify', 'draft_reply'] },
      { type: 'ran', nodes: ['investigate'] },
      { type: 'skipped', nodes: ['investigate', 'approve_reply'] },
      { type: 'skipped', nodes: ['draft_reply'] },
      { type: 'branch', node: 'route', port: 'routine' },
      { type: 'branch', node: 'route', port: 'else' },
      { type: 'branch', node: 'approve_reply', port: 'approved' },
    ]);
    const got = verdicts(result);
    expect(got.map(([passed]) => passed)).toEqual([true, false, true, false, true, false, false]);
    expect(got[1]![1]).toMatch(/^step "investigate" did not run \(skipped: /);
    expect(got[3]![1]).toBe('step "draft_reply" ran, though the case expects it skipped');
    expect(got[5]![1]).toBe('step "route" took "routine", not "else"');
    expect(got[6]![1]).toMatch(/^step "approve_reply" did not run \(skipped: .*\), so it took no branch$/);
  });

  it('handoff checks which agent handed the conversation to which', async () => {
    const result = await check('support-handoffs', 'billing-handoff', [
      { type: 'handoff', from: 'desk', to: 'billing' },
      { type: 'handoff', from: 'desk', to: 'technical' },
    ]);
    expect(verdicts(result)).toEqual([
      [true, '"desk" handed off to "billing"'],
      [false, '"desk" never handed off to "technical" (handoffs made: desk → billing)'],
    ]);
  });
});

describe('test cases: assertions on tool calls', () => {
  it('tool_called matches the tool, the calling step, a subset of the arguments and the count', async () => {
    const result = await check('research-agent', 'with-sources', [
      { type: 'tool_called', tool: 'search_notes' },
      { type: 'tool_called', tool: 'get_note', node: 'research', args: { id: 'n-101' }, count: 1 },
      { type: 'tool_called', tool: 'get_note', args: { id: 'n-999' } },
      { type: 'tool_called', tool: 'fetch_url', count: 0 },
      { type: 'tool_called', tool: 'search_notes', count: 2 },
    ]);
    const got = verdicts(result);
    expect(got.map(([passed]) => passed)).toEqual([true, true, false, true, false]);
    expect(got[2]![1]).toBe('get_note with {"id":"n-999"} was called 0 times, not at least once; its calls had: {"id":"n-101"}');
    expect(got[4]![1]).toBe('search_notes was called once, not 2 times');
  });
});

describe('test cases: waits for a person', () => {
  it('answers an approval from the case, and checks the wait and the branch the answer took', async () => {
    const approved = await check('support-triage', 'refund-over-limit', [{ type: 'waited', node: 'approve_reply', kind: 'approval' }, { type: 'ran', nodes: ['send_approved'] }], { approve_reply: { approved: true } });
    expect(approved.passed).toBe(true);
    const rejected = await check('support-triage', 'refund-over-limit', [{ type: 'ran', nodes: ['hand_to_billing'] }, { type: 'waited', node: 'draft_reply' }], { approve_reply: { approved: false, comment: 'Needs billing' } });
    expect(verdicts(rejected)).toEqual([
      [true, '"hand_to_billing" ran'],
      [false, 'the run never waited at "draft_reply" (it waited at "approve_reply")'],
    ]);
  });

  it('a wait the case gives no answer for fails the case, saying which step waits and how to answer it; a `status: waiting` case expects it', async () => {
    const unanswered = await check('support-triage', 'refund-over-limit', []);
    expect(unanswered.passed).toBe(false);
    expect(unanswered.results[0]!.message).toBe('expected the run to succeed, but it waits at "approve_reply" for approval, and the case gives none (add one to its answers, under "approve_reply")');
    const expected = await check('support-triage', 'refund-over-limit', [{ type: 'status', status: 'waiting' }, { type: 'waited', node: 'approve_reply' }]);
    expect(expected.passed).toBe(true);
  });

  it("a question's answer that does not fit its form stops the case, naming the key and the problem", async () => {
    const result = await check('support-handoffs', 'follow-up-question', [], { technical: { answer: 'just text' } });
    expect(result.passed).toBe(false);
    expect(result.results[0]!.message).toBe('the case could not run: the case\'s answer for "technical" does not fit its question\'s form: must be an object, not a string');
    const fits = await check('support-handoffs', 'follow-up-question', [{ type: 'waited', node: 'desk', kind: 'question' }], { technical: { answer: { answer: 'App 4.12.0, Android 15' } } });
    expect(fits.passed).toBe(true);
  });
});

describe('test cases: bounds', () => {
  it('max bounds model calls, tokens and duration; a cost no model priced is said to be unknown', async () => {
    const result = await check('content-pipeline', 'needs-work-after-three-rounds', [
      { type: 'max', metric: 'model_calls', value: 6 },
      { type: 'max', metric: 'model_calls', value: 5 },
      { type: 'max', metric: 'tokens', value: 1_000_000 },
      { type: 'max', metric: 'duration_ms', value: 60_000 },
    ]);
    const got = verdicts(result);
    expect(got.map(([passed]) => passed)).toEqual([true, false, true, true]);
    expect(got[1]![1]).toBe('model calls was 6, more than 5');
    const cost = await check('support-triage', 'secret-in-message', [{ type: 'max', metric: 'model_calls', value: 0 }, { type: 'max', metric: 'cost_usd', value: 1 }]);
    // No model ran, so the cost is known: nothing.
    expect(verdicts(cost).map(([passed]) => passed)).toEqual([true, true]);
  });
});

describe('test cases: the bundled examples', () => {
  it('every sample of every example is a case that passes offline', async () => {
    for (const name of ['content-pipeline', 'research-agent', 'research-orchestrator', 'support-handoffs', 'support-triage']) {
      const flow = load(name);
      for (const sample of flow.samples ?? []) {
        const store = new MemoryCheckpointStore();
        const engine = new Engine({ store, models: createModelResolver({ offline: true }), flows: siblingFlows(example(name)) });
        const result = await runCase(flow, sample, { engine, store, events: (runId) => store.events(runId), timeoutMs: 30_000 });
        expect(result.results.filter((r) => !r.passed).map((r) => `${name} › ${sample.name}: ${r.message}`)).toEqual([]);
        // Each checks more than that it succeeds.
        expect(sample.expect?.length, `${name} › ${sample.name}`).toBeGreaterThan(0);
      }
    }
  });
});

describe('test cases: what a case leaves behind', () => {
  it('lets go of a case\'s run and of the sub-flow runs it started, once the case is checked', async () => {
    const child = { schema: 'trellis.flow/v1', id: 'child', name: 'Child', nodes: [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} }, { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: 'hello {{ input.name }}' } }], edges: [{ id: 'e', source: 'in', target: 'out' }] };
    const parent = validateFlowText(JSON.stringify({
      schema: 'trellis.flow/v1',
      id: 'parent',
      name: 'Parent',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'greet', type: 'subflow', position: { x: 0, y: 0 }, config: { flow: 'child', version: 'latest', input: { name: '{{ input.name }}' } } },
        { id: 'out', type: 'output', position: { x: 0, y: 0 }, config: { value: '{{ nodes.greet.output }}' } },
      ],
      edges: [{ id: 'e1', source: 'in', target: 'greet' }, { id: 'e2', source: 'greet', target: 'out' }],
    })).flow!;
    const store = new MemoryCheckpointStore();
    const run = flowCaseRunner(parent, { store, flows: { version: async (id) => (id === 'child' ? { version: 1, document: child } : undefined) }, timeoutMs: 10_000 });
    const result = await run({ name: 'greets', input: { name: 'Ada' }, expect: [{ type: 'equals', value: 'hello Ada' }] });
    expect(result.passed).toBe(true);
    const started = result.outcome.events.find((e) => e.type === 'node.subflow');
    const childRunId = (started?.data as { childRunId?: string } | undefined)?.childRunId;
    expect(childRunId).toBeDefined();
    expect(await store.load(result.outcome.runId)).toBeUndefined();
    expect(await store.load(childRunId!)).toBeUndefined();
  });
});

