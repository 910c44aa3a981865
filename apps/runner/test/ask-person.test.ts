/**
 * An agent asking a person from inside its loop (its `ask_a_person` tool), through the engine and
 * the API: the run waits on a question with the agent's form, the answer is checked against it
 * (400 naming the field over HTTP), the agent goes on with the answer as the tool's result, the
 * wait survives a new engine and a killed runner process, a deadline resolves as configured, a
 * worker and a handoff target ask naming themselves,
 * a published endpoint's 202 names the question and where to answer it, and `trellis run` takes
 * `--answers` by the agent that asked.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { trellis } from '@trellis/test-support/cli';
import { startRunnerProcess } from '@trellis/test-support/runner-process';
import type { LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { MockReply, RunEvent } from '@trellis/schema';
import { TrellisError } from '@trellis/nodes/server';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { agent, countingExecutors, harness, recording } from './support/harness.js';
import { apiHarness } from './support/api.js';
import { edge, flow, input, output, type Json } from '@trellis/test-support/flows';

const quantity = { type: 'object', properties: { quantity: { type: 'integer', minimum: 1, title: 'How many?' } }, required: ['quantity'] };

/** Every model call's prompt, by the node whose mocks answered it; `scripted` plays for runs that carry no mocks (a published endpoint's). */


/** in → buyer (may ask a person) → out. */
const buyerFlow = (askPerson: Json = {}, extra: Json = {}) =>
  flow([input(), agent('buyer', { askPerson: { enabled: true, schema: quantity, ...askPerson } }), output('out', { reply: '{{ nodes.buyer.output }}' })], [['in', 'buyer'], ['buyer', 'out']], extra);

const asks = (question = 'How many widgets should I order?'): MockReply[] => [{ toolCalls: [{ tool: 'ask_a_person', args: { question } }] }, { text: 'Ordered.' }];

const toolResults = (prompt: LanguageModelV3Prompt) => prompt.filter((m) => m.role === 'tool').flatMap((m) => m.content).filter((p) => p.type === 'tool-result');
const waitingOf = (events: RunEvent[]) => events.filter((e): e is Extract<RunEvent, { type: 'run.waiting' }> => e.type === 'run.waiting');

/** in → boss (orchestrator) → out, with the worker clerk, which may ask a person. */
const workerFlow = () =>
  flow(
    [input(), agent('boss'), agent('clerk', { description: 'Orders things', askPerson: { enabled: true } }), output('out', '{{ nodes.boss.output }}')],
    [edge('e1', 'in', 'boss'), edge('e2', 'boss', 'out'), edge('w1', 'clerk', 'boss', 'agent', 'tools')],
  );
const workerMocks = { boss: [{ toolCalls: [{ tool: 'clerk', args: { task: 'order widgets' } }] }, { text: 'The clerk ordered.' }], clerk: asks('Which supplier?') };

describe('engine: an agent asks a person', () => {
  it('waits on its question with the form, refuses an answer off the form, and goes on with the answer as the tool result', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const waiting = await h.engine.start(buyerFlow(), { input: { message: 'Order widgets' }, mocks: { buyer: asks() } });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting).toEqual([
      { nodeId: 'buyer', waitId: 'buyer:buyer-call-1-1', kind: 'question', message: 'How many widgets should I order?', schema: quantity, payload: { tool: 'ask_a_person', agent: 'buyer' } },
    ]);
    expect(waitingOf(h.events)[0]).toMatchObject({ nodeId: 'buyer', data: { kind: 'question', schema: quantity } });

    const refused = h.engine.resume(waiting.runId, { answer: { waitId: 'buyer:buyer-call-1-1', approved: true, answer: { quantity: 'a dozen' } } });
    await expect(refused).rejects.toThrow(/answer\.quantity: must be a whole number, not a string/);
    await refused.catch((error: unknown) => expect(TrellisError.isInstance(error) && error.code).toBe('invalid_input'));

    const done = await h.engine.resume(waiting.runId, { answer: { waitId: 'buyer:buyer-call-1-1', approved: true, answer: { quantity: 12 }, by: 'ana' } });
    expect(done).toMatchObject({ status: 'succeeded', output: { reply: 'Ordered.' } });
    expect(calls.map((c) => c.nodeId)).toEqual(['buyer', 'buyer']);
    expect(toolResults(calls[1]!.prompt)).toEqual([expect.objectContaining({ toolCallId: 'buyer-call-1-1', toolName: 'ask_a_person', output: { type: 'json', value: { quantity: 12 } } })]);
    expect(h.of('node.tool_result', 'buyer')).toEqual([expect.objectContaining({ data: expect.objectContaining({ tool: 'ask_a_person', result: { quantity: 12 } }) })]);
    expect((h.store as MemoryCheckpointStore).wait(waiting.runId, 'buyer:buyer-call-1-1')).toMatchObject({ status: 'answered', by: 'ana' });
  });

  it('asks again in a later turn with a wait of its own', async () => {
    const h = harness();
    const mocks = { buyer: [asks('Which colour?')[0]!, asks('How many?')[0]!, { text: 'Done.' }] };
    const first = await h.engine.start(buyerFlow({ schema: undefined }), { input: { message: 'x' }, mocks });
    const second = await h.engine.resume(first.runId, { answer: { waitId: first.waiting[0]!.waitId, approved: true, answer: { answer: 'red' } } });
    expect(second.waiting[0]).toMatchObject({ waitId: 'buyer:buyer-call-2-1', message: 'How many?' });
    const done = await h.engine.resume(first.runId, { answer: { waitId: 'buyer:buyer-call-2-1', approved: true, answer: { answer: '3' } } });
    expect(done).toMatchObject({ status: 'succeeded', output: { reply: 'Done.' } });
  });

  it('keeps waiting across a restart: a new process answers, and no model call is made twice', async () => {
    const store = new MemoryCheckpointStore();
    const { models, calls } = recording();
    const before = harness({ store, models });
    const waiting = await before.engine.start(buyerFlow(), { input: { message: 'x' }, mocks: { buyer: asks() } });
    const counts = new Map<string, number>();
    const after = harness({ store, models, executors: countingExecutors(counts) }); // a new process
    expect((await after.engine.resume(waiting.runId)).status).toBe('waiting');
    const done = await after.engine.resume(waiting.runId, { answer: { waitId: waiting.waiting[0]!.waitId, approved: true, answer: { quantity: 5 } } });
    expect(done).toMatchObject({ status: 'succeeded', output: { reply: 'Ordered.' } });
    expect(calls).toHaveLength(2);
    expect(toolResults(calls[1]!.prompt)[0]).toMatchObject({ output: { type: 'json', value: { quantity: 5 } } });
    expect(counts.get('buyer')).toBe(1); // only its resume
  });

  it('at the deadline tells the agent nobody answered (it goes on), or fails the run, as configured', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const waiting = await h.engine.start(buyerFlow({ timeoutMs: 60_000 }), { input: { message: 'x' }, mocks: { buyer: asks() } });
    expect(waiting.waiting[0]?.deadline).toBeDefined();
    const done = await h.engine.expireWaits(waiting.runId, new Date(Date.now() + 120_000));
    expect(done).toMatchObject({ status: 'succeeded', output: { reply: 'Ordered.' } });
    expect(toolResults(calls[1]!.prompt)[0]).toMatchObject({ output: { type: 'text', value: expect.stringMatching(/^No answer in time/) } });

    const failing = await h.engine.start(buyerFlow({ timeoutMs: 60_000, onTimeout: 'fail' }), { input: { message: 'x' }, mocks: { buyer: asks() } });
    const failed = await h.engine.expireWaits(failing.runId, new Date(Date.now() + 120_000));
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'question_timed_out', nodeId: 'buyer' } });
  });

  it('asks from a worker, naming the worker and its path; the orchestrator gets the worker\'s answer', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const waiting = await h.engine.start(workerFlow(), { input: { message: 'x' }, mocks: workerMocks });
    expect(waiting.waiting[0]).toMatchObject({ nodeId: 'boss', waitId: 'boss:clerk-call-1-1', kind: 'question', message: 'Which supplier?', payload: { tool: 'ask_a_person', agent: 'clerk', path: ['clerk'] } });
    const done = await h.engine.resume(waiting.runId, { answer: { waitId: 'boss:clerk-call-1-1', approved: true, answer: { answer: 'ACME' } } });
    expect(done).toMatchObject({ status: 'succeeded', output: 'The clerk ordered.' });
    const clerkTurn = calls.filter((c) => c.nodeId === 'clerk')[1]!;
    expect(toolResults(clerkTurn.prompt)[0]).toMatchObject({ toolName: 'ask_a_person', output: { type: 'json', value: { answer: 'ACME' } } });
    expect(toolResults(calls.at(-1)!.prompt)[0]).toMatchObject({ toolName: 'clerk', output: { type: 'text', value: 'Ordered.' } });
    expect(h.of('node.tool_result', 'boss').find((e) => 'data' in e && (e.data as Json).tool === 'ask_a_person')).toMatchObject({ data: { agent: 'clerk', path: ['clerk'] } });
  });
});

describe('engine: a handoff target asks a person', () => {
  it('waits naming the target and its path, and the target goes on with the answer', async () => {
    const h = harness();
    const f = flow(
      [input(), agent('triage'), agent('billing', { description: 'Billing', askPerson: { enabled: true, schema: quantity } }), output('out', '{{ nodes.triage.output }}')],
      [edge('e1', 'in', 'triage'), edge('e2', 'triage', 'out'), edge('h1', 'billing', 'triage', 'agent', 'handoffs')],
    );
    const mocks = { triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'money' } }] }], billing: asks('How many refunds?') };
    const waiting = await h.engine.start(f, { input: { message: 'refund' }, mocks });
    expect(waiting.waiting[0]).toMatchObject({ nodeId: 'triage', waitId: 'triage:billing-call-1-1', payload: { agent: 'billing', path: ['billing'] }, schema: quantity });
    const done = await h.engine.resume(waiting.runId, { answer: { waitId: 'triage:billing-call-1-1', approved: true, answer: { quantity: 2 } } });
    expect(done).toMatchObject({ status: 'succeeded', output: 'Ordered.' });
  });
});

describe('API: an agent asks a person', () => {
  type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('lists the question, refuses an answer off the form with 400 naming the field, and the agent finishes with a valid one', async () => {
    const h = await apiHarness();
    close = h.close;
    expect((await h.call('POST', '/api/flows', buyerFlow({}, { id: 'buyer' }))).status).toBe(201);
    const runId = (await h.call<Body>('POST', '/api/flows/buyer/runs', { input: { message: 'x' }, mocks: { buyer: asks() } })).body.id as string;
    await h.runUntil(runId, ['waiting']);
    const [question] = (await h.call<Body>('GET', `/api/approvals?runId=${runId}`)).body.items as Body[];
    expect(question).toMatchObject({ nodeId: 'buyer', kind: 'question', status: 'pending', message: 'How many widgets should I order?', schema: quantity, payload: { agent: 'buyer' } });

    const refused = await h.call<Body>('POST', `/api/approvals/${question!.id}`, { answer: { quantity: 0 } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_input', details: { problems: [{ path: 'answer.quantity', message: 'must be at least 1' }] } });
    expect((await h.call('POST', `/api/approvals/${question!.id}`, { answer: { quantity: 4 }, by: 'ana' })).status).toBe(200);
    expect((await h.runUntil(runId, ['succeeded'])).output).toEqual({ reply: 'Ordered.' });
  });

  it("answers a published endpoint's call with 202 naming the agent's question, its form and where to answer it", async () => {
    const { models } = recording({ buyer: asks() });
    const h = await apiHarness({ models });
    close = h.close;
    await h.call('POST', '/api/flows', buyerFlow({}, { id: 'buyer' }));
    await h.call('POST', '/api/flows/buyer/publish', { slug: 'buy' });
    const { body: key } = await h.call<Body>('POST', '/api/keys', { name: 'k' });
    const auth = { Authorization: `Bearer ${key.secret}` };
    const accepted = await h.call<Body>('POST', '/v1/flows/buy', { message: 'Order widgets' }, auth);
    expect(accepted.status).toBe(202);
    const [question] = (await h.call<Body>('GET', `/api/approvals?runId=${accepted.body.runId}`)).body.items as Body[];
    expect(accepted.body.waiting).toEqual([
      {
        id: question!.id,
        nodeId: 'buyer',
        waitId: 'buyer:buyer-call-1-1',
        kind: 'question',
        message: 'How many widgets should I order?',
        payload: { tool: 'ask_a_person', agent: 'buyer' },
        schema: quantity,
        answerUrl: `/v1/flows/buy/runs/${accepted.body.runId}/questions/${question!.id}`,
      },
    ]);
    expect((await h.call('POST', accepted.body.waiting[0].answerUrl, { answer: { quantity: 40 } }, auth)).status).toBe(200);
    await h.runUntil(accepted.body.runId, ['succeeded']);
    expect((await h.call<Body>('GET', accepted.body.statusUrl, undefined, auth)).body).toMatchObject({ status: 'succeeded', output: { reply: 'Ordered.' } });
  });
});

describe('a runner process killed while an agent waits on a person', () => {
  it('lists the question again after the restart and the agent finishes with the answer', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trellis-ask-durable-'));
    const start = () => startRunnerProcess({ TRELLIS_DATA: dataDir, TRELLIS_SHUTDOWN_TIMEOUT_MS: '5000', TRELLIS_LEASE_MS: '1000' }, ['--no-examples']);
    const call = async (url: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(url + path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json()) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field
    };
    const until = async <T>(check: () => Promise<T | undefined>): Promise<T> => {
      for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((r) => setTimeout(r, 25))) {
        const value = await check();
        if (value !== undefined) return value;
      }
      throw new Error('timed out');
    };
    let runner = await start();
    try {
      await call(runner.url, 'POST', '/api/flows', buyerFlow({}, { id: 'buyer' }));
      const runId = (await call(runner.url, 'POST', '/api/flows/buyer/runs', { input: { message: 'x' }, mocks: { buyer: asks() } })).body.id as string;
      await until(async () => ((await call(runner.url, 'GET', `/api/runs/${runId}`)).body.status === 'waiting' ? true : undefined));
      runner.child.kill('SIGKILL');
      await runner.exited;

      runner = await start();
      const pending = (await call(runner.url, 'GET', `/api/approvals?runId=${runId}`)).body.items as Record<string, unknown>[];
      expect(pending).toEqual([expect.objectContaining({ kind: 'question', waitId: 'buyer:buyer-call-1-1', message: 'How many widgets should I order?', schema: quantity })]);
      expect((await call(runner.url, 'POST', `/api/approvals/${String(pending[0]!.id)}`, { answer: { quantity: 'lots' } })).status).toBe(400);
      expect((await call(runner.url, 'POST', `/api/approvals/${String(pending[0]!.id)}`, { answer: { quantity: 7 } })).status).toBe(200);
      const run = await until(async () => {
        const { body } = await call(runner.url, 'GET', `/api/runs/${runId}`);
        return body.status === 'succeeded' ? body : undefined;
      });
      expect(run.output).toEqual({ reply: 'Ordered.' });
      const events = (await call(runner.url, 'GET', `/api/runs/${runId}/events`)).body.items as { type: string; data: Record<string, unknown> }[];
      expect(events.filter((e) => e.type === 'node.tool_result')).toEqual([expect.objectContaining({ data: expect.objectContaining({ tool: 'ask_a_person', result: { quantity: 7 } }) })]);
    } finally {
      runner.child.kill('SIGTERM');
      await runner.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('trellis run: an agent asks a person', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'trellis-ask-person-'));
  const file = join(scratch, 'workers.flow.json');
  writeFileSync(file, JSON.stringify(workerFlow()));
  const run = (...extra: string[]) => trellis(['run', file, '--input', '{"message":"x"}', '--mocks', JSON.stringify(workerMocks), ...extra]);

  it('with no terminal stops at the question as waiting, naming the agent to answer with --answers', async () => {
    const { code, stdout, stderr } = await run();
    expect(code).toBe(3);
    expect(stdout).toContain('asks: Which supplier?');
    expect(stderr).toMatch(/waiting for an answer at "boss".*--answers '\{"clerk": …\}'/);
  });

  it("takes --answers by the agent that asked (or the step), checked against the agent's form", async () => {
    const ok = await run('--answers', '{"clerk":{"answer":"ACME"}}');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/answered by cli:.* \(--answers\): \{"answer":"ACME"\}/);
    expect(ok.stdout).toContain('The clerk ordered.');
    expect((await run('--answers', '{"boss":{"answer":"ACME"}}')).code).toBe(0);
    const wrong = await run('--answers', '{"clerk":{"answer":""}}');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--answers: the answer for "clerk" does not match its form: clerk\.answer: /);
  });
});
