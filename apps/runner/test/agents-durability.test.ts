/**
 * Agents attached to agents (handoffs and workers) in the real runner process, over a real
 * provider: every model call leaves the runner over loopback HTTP to a gate in front of the fake
 * OpenAI-compatible server, which answers each agent from its own script and can hold a call
 * back (never answering it), so a SIGKILL lands while that call is in flight. The gate records
 * every request, so what the runner made again after the kill is counted, not guessed.
 *
 * One runner process starts three runs, each with a call held; it is SIGKILLed and a second
 * process on the same data directory finishes them (a handoff chain, two parallel workers, and
 * a cost budget across the kill); the second process then cancels a run while a worker's call is
 * in flight.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI, type FakeOpenAI, type FakeReply } from '@trellis/test-support/fake-openai';
import { startRunnerProcess, type RunnerProcess } from '@trellis/test-support/runner-process';
import { type Body, call, eventsOf, until } from './support/process.js';

type Json = Record<string, unknown>;

const HOLD = 'hold' as const;
/** Streams the first `frames` SSE frames of the reply, then holds the rest back. */
type Partial = { partial: FakeReply; frames: number };
type Scripted = FakeReply | typeof HOLD | Partial;

interface GateRequest {
  /** The agent whose call it is, read from its system message ("You are <id>."). */
  agent: string;
  body: Body;
  held: boolean;
  /** A held call whose connection the runner closed (killed, or the call aborted). */
  dropped: boolean;
}

/**
 * A proxy in front of the fake: each agent answers from its own script, whatever order parallel
 * calls arrive in; a HOLD entry keeps that call open, unanswered.
 */
class Gate {
  readonly requests: GateRequest[] = [];
  private readonly scripts = new Map<string, Scripted[]>();
  private forwarding: Promise<void> = Promise.resolve();
  private server!: Server;
  url = '';

  constructor(private readonly fake: FakeOpenAI) {}

  script(agent: string, ...replies: Scripted[]): void {
    this.scripts.set(agent, replies);
  }

  callsOf(...agents: string[]): string[] {
    return this.requests.filter((r) => agents.includes(r.agent)).map((r) => r.agent);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const text = await readAll(req);
        const body = JSON.parse(text) as Body;
        const system = (body.messages as Body[] | undefined)?.find((m) => m.role === 'system')?.content;
        const agent = /^You are (\S+)\./.exec(typeof system === 'string' ? system : '')?.[1] ?? '?';
        const entry: GateRequest = { agent, body, held: false, dropped: false };
        this.requests.push(entry);
        const next = this.scripts.get(agent)?.shift();
        if (next === HOLD) {
          entry.held = true;
          res.on('close', () => (entry.dropped = true));
          return;
        }
        // One call at a time through the fake, so its reply queue pairs the reply with this call.
        const partial = next !== undefined && 'partial' in next ? next : undefined;
        const forwarded = this.forwarding.then(async () => {
          if (next) this.fake.enqueue(partial ? partial.partial : (next as FakeReply));
          const upstream = await fetch(this.fake.url + req.url!.replace(/^\/v1/, ''), { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
          const bytes = Buffer.from(await upstream.arrayBuffer());
          res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
          if (!partial) return void res.end(bytes);
          entry.held = true;
          res.on('close', () => (entry.dropped = true));
          res.write(bytes.toString('utf8').split('\n\n').slice(0, partial.frames).map((f) => `${f}\n\n`).join(''));
        });
        this.forwarding = forwarded.catch(() => {});
        await forwarded;
      })().catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------------------
// Flows

const MODEL = 'fake:m';
/** $1 a token each way: a call answering with `usage(5, 5)` costs $10. */
const PRICES = JSON.stringify({ [MODEL]: [1_000_000, 1_000_000] });
const usage = (prompt: number, completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion });

const at = { x: 0, y: 0 };
const agent = (id: string, config: Json = {}): Json => ({
  id,
  type: 'agent',
  position: at,
  config: { model: MODEL, instructions: `You are ${id}.`, prompt: '{{ input.message }}', description: `The ${id} agent`, ...config },
});
const edge = (id: string, source: string, target: string, sourceHandle = 'out', targetHandle = 'in'): Json => ({ id, source, sourceHandle, target, targetHandle });

/** in → `step` → out, with `attached` on the step's `handle`; `extra` adds top-level fields. */
function agentFlow(id: string, step: string, attached: string[], handle: 'tools' | 'handoffs', extra: Json = {}) {
  return {
    schema: 'trellis.flow/v1',
    id,
    name: id,
    nodes: [
      { id: 'in', type: 'input', position: at, config: { schema: { type: 'object' } } },
      agent(step),
      ...attached.map((a) => agent(a)),
      { id: 'out', type: 'output', position: at, config: { value: `{{ nodes.${step}.output }}` } },
    ],
    edges: [edge('e1', 'in', step), edge('e2', step, 'out'), ...attached.map((a, i) => edge(`a${i}`, a, step, 'agent', handle))],
    ...extra,
  };
}

// ---------------------------------------------------------------------------
// The runner over HTTP

const settled = (url: string, runId: string) =>
  until(`run ${runId} to settle`, async () => {
    const { body } = await call(url, 'GET', `/api/runs/${runId}`);
    return ['succeeded', 'failed', 'cancelled'].includes(body.status as string) ? body : undefined;
  });
const ofType = (events: Body[], type: string) => events.filter((e) => e.type === type);

async function startRun(url: string, flow: Json, message: string): Promise<string> {
  expect((await call(url, 'POST', '/api/flows', flow)).status).toBe(201);
  const started = await call(url, 'POST', `/api/flows/${flow.id as string}/runs`, { input: { message } });
  expect(started.status).toBeLessThan(300);
  return started.body.id as string;
}

// ---------------------------------------------------------------------------

describe('agents with agents across a SIGKILLed runner process', () => {
  let dataDir: string;
  let fake: FakeOpenAI;
  let gate: Gate;
  let runner: RunnerProcess;
  /** The events of each run in the first process, as stored when it was killed. */
  const beforeKill = new Map<string, Body[]>();
  const runs = { handoff: '', workers: '', budget: '' };

  const start = () =>
    startRunnerProcess({ TRELLIS_DATA: dataDir, TRELLIS_SHUTDOWN_TIMEOUT_MS: '5000', TRELLIS_LEASE_MS: '1000', TRELLIS_PROVIDER_FAKE_BASE_URL: gate.url, TRELLIS_MODEL_PRICES: PRICES }, ['--no-examples']);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'trellis-agents-durable-'));
    fake = await startFakeOpenAI();
    gate = new Gate(fake);
    await gate.start();

    // 1. triage → billing → triage: billing's call is held when the runner dies.
    gate.script('triage', { toolCalls: [{ name: 'transfer_to_billing', arguments: { reason: 'a charge question' } }] }, { text: 'Billing refunded you. Anything else?' });
    gate.script('billing', HOLD, { toolCalls: [{ name: 'transfer_to_triage', arguments: { reason: 'refund issued' } }] });
    // 2. boss asks researcher and writer in one turn: writer answers, researcher's call streams
    //    its first words ("Tea is ") and is held there.
    gate.script('boss', { toolCalls: [{ name: 'researcher', arguments: { task: 'find tea facts' } }, { name: 'writer', arguments: { task: 'draft a line' } }] }, { text: 'Tea, in short.' });
    gate.script('researcher', { partial: { text: 'Tea is a leaf.' }, frames: 3 }, { text: 'Tea is a leaf.' });
    gate.script('writer', { text: 'A line on tea.' });
    // 4. The same shape under a $25 budget: $10 per call, $20 spent before the kill, the held call is the third.
    gate.script('chief', { toolCalls: [{ name: 'analyst', arguments: { task: 'analyse' } }, { name: 'scribe', arguments: { task: 'note' } }], usage: usage(5, 5) }, { text: 'never: over budget', usage: usage(5, 5) });
    gate.script('analyst', HOLD, { text: 'Analysed.', usage: usage(5, 5) });
    gate.script('scribe', { text: 'Noted.', usage: usage(5, 5) });

    runner = await start();
    runs.handoff = await startRun(runner.url, agentFlow('handoff-chain', 'triage', ['billing'], 'handoffs'), 'I was charged twice');
    runs.workers = await startRun(runner.url, agentFlow('two-workers', 'boss', ['researcher', 'writer'], 'tools'), 'write about tea');
    runs.budget = await startRun(runner.url, agentFlow('worker-budget', 'chief', ['analyst', 'scribe'], 'tools', { settings: { budget: { maxCostUsd: 25 } } }), 'go');

    // Kill once each run has stored its progress and its held call is out.
    const heldBy = (a: string) => gate.requests.some((r) => r.agent === a && r.held);
    await until('the held calls', () => (['billing', 'researcher', 'analyst'].every(heldBy) ? true : undefined));
    await until('the progress stored before the kill', async () => {
      const [handoff, workers, budget] = (await Promise.all([runs.handoff, runs.workers, runs.budget].map((id) => eventsOf(runner.url, id)))) as [Body[], Body[], Body[]];
      const workerDone = (events: Body[], tool: string) => ofType(events, 'node.tool_result').some((e) => e.data.tool === tool);
      const streamed = ofType(workers, 'node.delta').some((e) => e.data.agent === 'researcher');
      if (ofType(handoff, 'node.handoff').length !== 1 || !workerDone(workers, 'writer') || !streamed || !workerDone(budget, 'scribe')) return undefined;
      beforeKill.set(runs.handoff, handoff).set(runs.workers, workers).set(runs.budget, budget);
      return true;
    });
    runner.child.kill('SIGKILL');
    await runner.exited;
    runner = await start();
  }, 150_000);

  afterAll(async () => {
    runner?.child.kill('SIGTERM');
    await runner?.exited;
    await gate?.close();
    await fake?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  /** What every recovered run's trace shares: one recovery, the step started again as the same attempt, no gap in seqs. */
  function expectRecovered(events: Body[], step: string) {
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'run.resumed' && e.data.reason === 'recovered')).toHaveLength(1);
    const starts = events.filter((e) => e.type === 'node.started' && e.nodeId === step);
    expect(starts.map((e) => e.data.recovered)).toEqual([undefined, true]);
    expect(starts[1]!.data.attempt).toBe(starts[0]!.data.attempt);
  }

  it('a handoff chain killed mid-way repeats only the call in flight: not triage\'s first call, not the handoff', async () => {
    const run = await settled(runner.url, runs.handoff);
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe('Billing refunded you. Anything else?');

    // The model calls as the provider saw them: triage's first call once; billing's held call, cut
    // off by the kill, made again with the very same conversation; then triage's answer.
    const calls = gate.requests.filter((r) => r.agent === 'triage' || r.agent === 'billing');
    expect(calls.map((r) => r.agent)).toEqual(['triage', 'billing', 'billing', 'triage']);
    expect(calls[1]!).toMatchObject({ held: true, dropped: true });
    expect(calls[2]!.body.messages).toEqual(calls[1]!.body.messages);
    expect(JSON.stringify(calls[3]!.body.messages)).toContain('refund issued');

    const events = await eventsOf(runner.url, runs.handoff);
    expectRecovered(events, 'triage');
    // Everything stored before the kill is kept as it was, and nothing of it is said again.
    expect(events.slice(0, beforeKill.get(runs.handoff)!.length)).toEqual(beforeKill.get(runs.handoff));
    expect(ofType(events, 'node.handoff').map((e) => e.data)).toEqual([
      { from: 'triage', to: 'billing', reason: 'a charge question', count: 1, history: 'full' },
      { from: 'billing', to: 'triage', reason: 'refund issued', count: 2, history: 'full', agent: 'billing', path: ['billing'] },
    ]);
    expect(ofType(events, 'node.tool_call').map((e) => [e.data.tool, e.data.agent])).toEqual([['transfer_to_billing', undefined], ['transfer_to_triage', 'billing']]);
    const [completed] = ofType(events, 'node.completed').filter((e) => e.nodeId === 'triage');
    expect(completed!.data.decision).toEqual({
      steps: 3,
      agent: 'triage',
      handoffs: [{ from: 'triage', to: 'billing', reason: 'a charge question' }, { from: 'billing', to: 'triage', reason: 'refund issued' }],
    });
    // The call cut off is not counted: three calls, the three that answered.
    expect(completed!.data.usage.modelCalls).toBe(3);
    expect(run.usage.modelCalls).toBe(3);
  }, 60_000);

  it('a worker finished before the kill is not run again; the one in flight is, and the results go back in the order asked', async () => {
    const run = await settled(runner.url, runs.workers);
    expect(run.status).toBe('succeeded');
    expect(run.output).toBe('Tea, in short.');

    expect(gate.callsOf('writer')).toEqual(['writer']);
    expect(gate.callsOf('boss')).toEqual(['boss', 'boss']);
    const researcher = gate.requests.filter((r) => r.agent === 'researcher');
    expect(researcher.map((r) => [r.held, r.dropped])).toEqual([[true, true], [false, false]]);
    expect(researcher[1]!.body.messages).toEqual(researcher[0]!.body.messages);
    // boss's second call was made after both workers, with both results in the order it asked.
    const last = gate.requests.filter((r) => r.agent === 'boss')[1]!;
    expect(gate.requests.indexOf(last)).toBeGreaterThan(gate.requests.indexOf(researcher[1]!));
    const results = (last.body.messages as Body[]).filter((m) => m.role === 'tool').map((m) => m.content);
    expect(results).toEqual(['Tea is a leaf.', 'A line on tea.']);

    const events = await eventsOf(runner.url, runs.workers);
    expectRecovered(events, 'boss');
    expect(events.slice(0, beforeKill.get(runs.workers)!.length)).toEqual(beforeKill.get(runs.workers));
    expect(ofType(events, 'node.tool_call').map((e) => e.data.tool).sort()).toEqual(['researcher', 'writer']);
    expect(ofType(events, 'node.tool_result').map((e) => [e.data.tool, e.data.result])).toEqual([['writer', 'A line on tea.'], ['researcher', 'Tea is a leaf.']]);
    // What the trace does repeat: the text the cut-off call had streamed stays in it, and the call
    // made again streams its answer whole, after the recovery.
    const recoveredAt = events.findIndex((e) => e.type === 'run.resumed');
    const textOf = (agentId: string, from: number, to: number) =>
      events.slice(from, to).filter((e) => e.type === 'node.delta' && e.data.agent === agentId).map((e) => e.data.text as string).join('');
    expect([textOf('researcher', 0, recoveredAt), textOf('researcher', recoveredAt, events.length)]).toEqual(['Tea is ', 'Tea is a leaf.']);
    expect([textOf('writer', 0, recoveredAt), textOf('writer', recoveredAt, events.length)]).toEqual(['A line on tea.', '']);
    const [completed] = ofType(events, 'node.completed').filter((e) => e.nodeId === 'boss');
    expect(completed!.data.decision).toEqual({ steps: 2 });
    // The usage counts a call when it is made: the writer's result was saved while the researcher's
    // call was in flight, so that call is counted, and the one made again too. Five calls for the
    // four that answered (a cut-off call with nothing saved during it, as in the handoff chain
    // above, is not counted); the tokens are only ever those of answered calls.
    expect({ step: completed!.data.usage.modelCalls, run: run.usage.modelCalls }).toEqual({ step: 5, run: 5 });
  }, 60_000);

  it("a run's cost budget holds across nested agents and across the kill: the worker's call that goes over it ends the run", async () => {
    const run = await settled(runner.url, runs.budget);
    expect(run.status).toBe('failed');
    // $20 spent in the first process (chief, scribe) counts: the analyst's call, made again, is the one over.
    expect(run.error).toMatchObject({ code: 'budget_exceeded', nodeId: 'chief', message: expect.stringContaining('the run cost $30.0000, over its budget of $25') });
    expect(gate.callsOf('chief', 'analyst', 'scribe').sort()).toEqual(['analyst', 'analyst', 'chief', 'scribe']);
    expect(run.usage.costUsd).toBe(30);
    const events = await eventsOf(runner.url, runs.budget);
    expectRecovered(events, 'chief');
    expect(ofType(events, 'node.failed').map((e) => [e.nodeId, e.data.error.code, e.data.willRetry])).toEqual([['chief', 'budget_exceeded', false]]);
    expect(events.at(-1)!.type).toBe('run.failed');
  }, 60_000);

  it('cancelling a run while a worker\'s call is in flight aborts that call and makes no other', async () => {
    gate.script('lead', { toolCalls: [{ name: 'digger', arguments: { task: 'dig' } }] }, { text: 'never: cancelled' });
    gate.script('digger', HOLD, { text: 'never: cancelled' });
    const runId = await startRun(runner.url, agentFlow('cancel-worker', 'lead', ['digger'], 'tools'), 'dig');
    const held = await until('the worker\'s call', () => gate.requests.find((r) => r.agent === 'digger'));
    expect(held.held).toBe(true);

    const cancelled = await call(runner.url, 'POST', `/api/runs/${runId}/cancel`);
    expect(cancelled.status).toBe(200);
    const run = await settled(runner.url, runId);
    expect(run.status).toBe('cancelled');
    // The runner dropped the call it was waiting on, and asked nothing more of any model.
    await until('the held call to be dropped', () => (held.dropped ? true : undefined), 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(gate.callsOf('lead', 'digger')).toEqual(['lead', 'digger']);
    const events = await eventsOf(runner.url, runId);
    expect(events.at(-1)!.type).toBe('run.cancelled');
    expect(ofType(events, 'node.completed').map((e) => e.nodeId)).toEqual(['in']);
  }, 60_000);
});
