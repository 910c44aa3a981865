/**
 * Agents attached to agents: handoff targets on `handoffs` (the conversation moves, may come back,
 * bounded by maxHandoffs), workers on `tools` (run their own loop, in parallel), their turns in the
 * step's trace, the run's budget across them, and a step cut off mid-chain by a crash.
 */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3Prompt } from '@ai-sdk/provider';
import { RunEvent, type EventOf, type RunEventType } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes/server';
import type { CheckpointStore, Commit } from '../src/engine/checkpoint.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { TracePrinter } from '../src/cli/trace.js';
import { agent, eventually, harness, recording } from './support/harness.js';
import { edge, flow, input, output, type Json } from '@trellis/test-support/flows';

/** Records every model call's prompt by the node whose mocks answered it. */

const attach = (id: string, source: string, target: string, handle: 'tools' | 'handoffs') => edge(id, source, target, handle === 'tools' && source.startsWith('t_') ? 'tool' : 'agent', handle);

/** in → triage → out, with billing and tech as triage's handoff targets. */
function supportFlow(triage: Json = {}, billing: Json = {}) {
  return flow(
    [input(), agent('triage', { description: 'Front desk', ...triage }), agent('billing', { description: 'Billing questions', ...billing }), agent('tech', { description: 'Technical problems' }), output('out', '{{ nodes.triage.output }}')],
    [['in', 'triage'], ['triage', 'out'], attach('h1', 'billing', 'triage', 'handoffs'), attach('h2', 'tech', 'triage', 'handoffs')],
  );
}

const events = <T extends RunEventType>(all: RunEvent[], type: T) => all.filter((e): e is EventOf<T> => e.type === type);
const systemOf = (prompt: LanguageModelV3Prompt) => prompt.find((m) => m.role === 'system')?.content;

describe('engine: handoffs', () => {
  it('moves the conversation to a target and back; the step answers with the last agent, the trace names who took each turn', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const result = await h.engine.start(supportFlow(), {
      input: { message: 'I was charged twice' },
      mocks: {
        triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'a charge question' } }] }, { text: 'Anything else? Billing refunded you.' }],
        billing: [{ text: 'Refund issued.', toolCalls: [{ tool: 'transfer_to_triage', args: { reason: 'done here' } }] }],
      },
    });
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'succeeded', output: 'Anything else? Billing refunded you.' });

    // Each agent answered from its own mock script, under its own instructions.
    expect(calls.map((c) => [c.nodeId, systemOf(c.prompt)])).toEqual([
      ['triage', 'You are triage.'],
      ['billing', 'You are billing.'],
      ['triage', 'You are triage.'],
    ]);
    // The whole history went along (the default).
    expect(calls[1]!.prompt.some((m) => m.role === 'user' && JSON.stringify(m.content).includes('charged twice'))).toBe(true);

    expect(events(h.events, 'node.handoff').map((e) => e.data)).toEqual([
      { from: 'triage', to: 'billing', reason: 'a charge question', count: 1, history: 'full' },
      { from: 'billing', to: 'triage', reason: 'done here', count: 2, history: 'full', agent: 'billing', path: ['billing'] },
    ]);
    // billing's turn is tagged with it; triage's (the step's own agent) is not.
    const toolCalls = events(h.events, 'node.tool_call').map((e) => [e.data.tool, e.data.agent]);
    expect(toolCalls).toEqual([['transfer_to_billing', undefined], ['transfer_to_triage', 'billing']]);
    const deltas = events(h.events, 'node.delta').map((e) => [e.data.agent, e.data.text]);
    expect(deltas).toContainEqual(['billing', 'Refund issued.']);
    const [completed] = events(h.events, 'node.completed').filter((e) => e.nodeId === 'triage');
    expect(completed!.data.decision).toEqual({
      steps: 3,
      agent: 'triage',
      handoffs: [{ from: 'triage', to: 'billing', reason: 'a charge question' }, { from: 'billing', to: 'triage', reason: 'done here' }],
    });
    expect(completed!.data.usage.modelCalls).toBe(3);
    h.events.forEach((e) => expect(RunEvent.safeParse(e).success, `${e.type} matches the schema`).toBe(true));
    // Attached agents are not steps.
    expect(h.events.filter((e) => e.type === 'node.started').map((e) => e.nodeId)).toEqual(['in', 'triage', 'out']);
  });

  it('refuses a transfer past maxHandoffs: the agent holding the conversation answers itself', async () => {
    const h = harness();
    const result = await h.engine.start(supportFlow({ maxHandoffs: 1 }), {
      input: { message: 'charged twice' },
      mocks: {
        triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'billing' } }] }],
        billing: [{ toolCalls: [{ tool: 'transfer_to_triage', args: { reason: 'back' } }] }, { text: 'I will handle it myself.' }],
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'I will handle it myself.' });
    expect(events(h.events, 'node.handoff')).toHaveLength(1);
    const refused = events(h.events, 'node.tool_result').find((e) => e.data.tool === 'transfer_to_triage');
    expect(refused!.data).toMatchObject({ agent: 'billing', error: expect.stringMatching(/handoff refused.*all 1 handoffs.*maxHandoffs of "triage"/) });
  });

  it('hands over the whole history or a summary, as the target says', async () => {
    for (const history of ['full', 'summary'] as const) {
      const { models, calls } = recording();
      const h = harness({ models });
      const result = await h.engine.start(supportFlow({}, { handoffHistory: history }), {
        input: { message: 'charged twice' },
        mocks: {
          triage: [{ text: 'Let me pass you on.', toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'money' } }] }],
          billing: [{ text: 'Refunded.' }],
        },
      });
      expect(result).toMatchObject({ status: 'succeeded', output: 'Refunded.' });
      const billing = calls.find((c) => c.nodeId === 'billing')!.prompt.filter((m) => m.role !== 'system');
      if (history === 'full') {
        expect(billing.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
      } else {
        expect(billing).toHaveLength(1);
        const text = JSON.stringify(billing[0]!.content);
        expect(text).toContain('summarised');
        expect(text).toContain('money');
        expect(text).toContain('charged twice');
        expect(text).toContain('Let me pass you on.');
      }
      expect(events(h.events, 'node.handoff')[0]!.data.history).toBe(history);
    }
  });

  it('offers one transfer tool per target, with its description', async () => {
    const { models, calls } = recording();
    const base = models;
    const seen: string[][] = [];
    const h = harness({
      models: (request) => {
        const resolved = base(request);
        const inner = resolved.model;
        return {
          ...resolved,
          model: Object.assign(Object.create(inner) as LanguageModelV3, {
            doStream: (options: LanguageModelV3CallOptions) => {
              seen.push((options.tools ?? []).map((t) => `${t.name}: ${'description' in t ? t.description : ''}`));
              return inner.doStream(options);
            },
          }),
        };
      },
    });
    await h.engine.start(supportFlow(), { input: { message: 'x' }, mocks: { triage: [{ text: 'ok' }] } });
    expect(calls).toHaveLength(1);
    expect(seen[0]).toEqual(['transfer_to_billing: Hand the conversation to agent "billing": Billing questions', 'transfer_to_tech: Hand the conversation to agent "tech": Technical problems']);
  });
});

/** in → boss → out, researcher and writer as boss's workers; checker as researcher's worker. */
function workersFlow(extra: { checker?: boolean; writer?: Json; budget?: Json } = {}) {
  const nodes = [input(), agent('boss'), agent('researcher', { description: 'Finds facts', instructions: 'Research: {{ args.task }}' }), agent('writer', { description: 'Writes', ...extra.writer }), output('out', '{{ nodes.boss.output }}')];
  const edges: Json[] = [edge('e1', 'in', 'boss'), edge('e2', 'boss', 'out'), attach('w1', 'researcher', 'boss', 'tools'), attach('w2', 'writer', 'boss', 'tools')];
  if (extra.checker) {
    nodes.push(agent('checker'));
    edges.push(attach('w3', 'checker', 'researcher', 'tools'));
  }
  return flow(nodes, edges, extra.budget ? { settings: { budget: extra.budget } } : {});
}

describe('engine: workers (agents as tools)', () => {
  it('refuses a tool named like a worker, naming both, before any model call', async () => {
    const { models, calls } = recording();
    const workers = workersFlow();
    const doc = {
      ...workers,
      nodes: [...workers.nodes, { id: 't_lookup', type: 'tool', config: { tool: 'transform', name: 'researcher', description: 'Also a researcher', expression: '$' } }],
      edges: [...workers.edges, attach('w9', 't_lookup', 'boss', 'tools')],
    };
    const result = await harness({ models }).engine.start(doc, { input: { message: 'tea' } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'invalid_wiring', message: expect.stringContaining('agent "boss" has two tools named "researcher" (node "t_lookup" and node "researcher"): rename one') });
    expect(calls).toEqual([]);
  });

  it('runs the workers one model turn asks for in parallel and returns their results in the order asked', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const result = await h.engine.start(workersFlow(), {
      input: { message: 'write about tea' },
      mocks: {
        boss: [{ toolCalls: [{ tool: 'researcher', args: { task: 'find tea facts' } }, { tool: 'writer', args: { task: 'draft a line' } }] }, { text: 'Tea, in short.' }],
        researcher: [{ text: 'Tea is a leaf.', delayMs: 300 }],
        writer: [{ text: 'A line on tea.', delayMs: 150 }],
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'Tea, in short.' });
    // The writer, asked second and quicker, finished first: they ran side by side (one after the
    // other, the researcher would have). The results still go back in the order the model asked.
    const results = events(h.events, 'node.tool_result').map((e) => [e.data.tool, e.data.result]);
    expect(results).toEqual([['writer', 'A line on tea.'], ['researcher', 'Tea is a leaf.']]);
    const last = calls[calls.length - 1]!;
    expect(last.nodeId).toBe('boss');
    const toolMessage = last.prompt.find((m) => m.role === 'tool')!;
    expect(toolMessage.content.map((p) => (p.type === 'tool-result' ? [p.toolName, p.output] : []))).toEqual([
      ['researcher', { type: 'text', value: 'Tea is a leaf.' }],
      ['writer', { type: 'text', value: 'A line on tea.' }],
    ]);
    // The worker got the task as its message, and its instructions saw it as args.task.
    const researcher = calls.find((c) => c.nodeId === 'researcher')!;
    expect(systemOf(researcher.prompt)).toBe('Research: find tea facts');
    expect(researcher.prompt.filter((m) => m.role === 'user').map((m) => JSON.stringify(m.content))).toEqual([expect.stringContaining('find tea facts')]);
    // Each worker's text is tagged with it and with the call that started it.
    const deltas = events(h.events, 'node.delta').filter((e) => e.data.agent);
    expect(deltas.map((e) => [e.data.agent, e.data.path, e.data.call, e.data.text]).sort()).toEqual([
      ['researcher', ['researcher'], 'boss-call-1-1', 'Tea is a leaf.'],
      ['writer', ['writer'], 'boss-call-1-2', 'A line on tea.'],
    ]);
    const [completed] = events(h.events, 'node.completed').filter((e) => e.nodeId === 'boss');
    expect(completed!.data.usage.modelCalls).toBe(4);
  });

  it("nests a worker's worker in the trace, and a worker's failure is the model's to read", async () => {
    const h = harness();
    const result = await h.engine.start(workersFlow({ checker: true }), {
      input: { message: 'x' },
      mocks: {
        boss: [{ toolCalls: [{ tool: 'researcher', args: { task: 'dig' } }, { tool: 'writer', args: { task: 'write' } }] }, { text: 'Done.' }],
        researcher: [{ toolCalls: [{ tool: 'checker', args: { task: 'check' } }] }, { text: 'Checked facts.' }],
        checker: [{ text: 'All true.' }],
        writer: [{ error: { message: 'writer exploded', status: 400 } }],
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'Done.' });
    const checkerCall = events(h.events, 'node.tool_call').find((e) => e.data.tool === 'checker')!;
    expect(checkerCall.data).toMatchObject({ agent: 'researcher', path: ['researcher'], call: 'boss-call-1-1' });
    const checkerText = events(h.events, 'node.delta').find((e) => e.data.agent === 'checker')!;
    expect(checkerText.data).toMatchObject({ path: ['researcher', 'checker'], call: 'researcher-call-1-1', text: 'All true.' });
    const writer = events(h.events, 'node.tool_result').find((e) => e.data.tool === 'writer')!;
    expect(writer.data.error).toMatch(/writer exploded/);
  });

  it("counts nested model calls against the run's budget", async () => {
    const h = harness();
    const result = await h.engine.start(workersFlow({ budget: { maxModelCalls: 2 } }), {
      input: { message: 'x' },
      mocks: {
        boss: [{ toolCalls: [{ tool: 'researcher', args: { task: 'dig' } }] }, { text: 'never' }],
        researcher: [{ text: 'facts' }],
      },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'budget_exceeded', nodeId: 'boss' });
    expect(result.error!.message).toMatch(/2 allowed model calls/);
  });

  it("asks a person about a worker's tool that needs approval, naming the worker, and goes on once approved", async () => {
    const h = harness();
    const f = workersFlow();
    (f.nodes as Json[]).push({ id: 't_refund', type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'transform', name: 'refund', expression: "{ 'refunded': true }", requiresApproval: true } });
    f.edges.push(attach('w4', 't_refund', 'writer', 'tools'));
    const mocks = {
      boss: [{ toolCalls: [{ tool: 'writer', args: { task: 'refund it' } }] }, { text: 'Refund done.' }],
      writer: [{ toolCalls: [{ tool: 'refund', args: {} }] }, { text: 'Refunded.' }],
    };
    const waiting = await h.engine.start(f, { input: { message: 'x' }, mocks });
    expect(waiting.status).toBe('waiting');
    const asked = events(h.events, 'run.waiting')[0]!;
    expect(asked.data.message).toContain('Agent "writer" wants to call refund');
    expect(asked.data.payload).toMatchObject({ tool: 'refund', agent: 'writer', path: ['writer'] });
    const done = await h.engine.resume(waiting.runId, { answer: { waitId: asked.data.waitId, approved: true } });
    expect(done).toMatchObject({ status: 'succeeded', output: 'Refund done.' });
    expect(events(h.events, 'node.tool_result').find((e) => e.data.tool === 'refund')!.data).toMatchObject({ agent: 'writer', result: { refunded: true } });
  });
});

/** A store whose writes stop landing once `dead` is set, as a process that died would. */
class CrashableStore implements CheckpointStore {
  dead = false;
  constructor(readonly inner: MemoryCheckpointStore) {}
  createRun = (run: Parameters<CheckpointStore['createRun']>[0]) => this.inner.createRun(run);
  load = (runId: string) => this.inner.load(runId);
  commit(runId: string, commit: Commit): Promise<void> {
    return this.dead ? new Promise(() => {}) : this.inner.commit(runId, commit);
  }
}

describe('engine: an agent step cut off by a crash mid-chain', () => {
  it('goes on from its last saved turn: completed model calls are not made again, the one in flight is', async () => {
    const mocks = {
      triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'money' } }] }, { text: 'never: billing answers' }],
      billing: [{ text: 'Refund issued.', delayMs: 400 }],
    };
    const memory = new MemoryCheckpointStore();
    const crashable = new CrashableStore(memory);
    const first = recording();
    const one = harness({ store: crashable, models: first.models });
    const abandoned = new AbortController();
    void one.engine.start(supportFlow(), { input: { message: 'charged twice' }, mocks, runId: 'run-crash', signal: abandoned.signal });
    await eventually(one.events, (e) => e.type === 'node.handoff');
    await eventually(one.events, () => first.calls.some((c) => c.nodeId === 'billing')); // billing's call is out
    await new Promise((r) => setTimeout(r, 50)); // the saved progress is stored
    crashable.dead = true;

    const second = recording();
    const two = harness({ store: memory, models: second.models });
    const result = await two.engine.resume('run-crash');
    abandoned.abort();
    expect(result).toMatchObject({ status: 'succeeded', output: 'Refund issued.' });
    // triage's first turn and the handoff were saved: only billing's call, cut off, is made again.
    expect(second.calls.map((c) => c.nodeId)).toEqual(['billing']);
    expect(two.of('node.started', 'triage').map((e) => e.data)).toEqual([{ kind: 'agent', attempt: 1, recovered: true }]);
    expect(events(two.events, 'node.handoff')).toHaveLength(0); // not handed over twice
    const [completed] = events(two.events, 'node.completed').filter((e) => e.nodeId === 'triage');
    expect(completed!.data.decision).toMatchObject({ agent: 'billing', handoffs: [{ from: 'triage', to: 'billing', reason: 'money' }] });
    // The step's usage: triage's saved call, and billing's made again (the cut-off one is not counted in the step).
    expect(completed!.data.usage.modelCalls).toBe(2);
  });
});

describe('validation: attached agents', () => {
  it('only agents can be handoff targets', () => {
    const f = supportFlow();
    (f.nodes as Json[]).push({ id: 't_lookup', type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'transform', expression: '1' } });
    f.edges.push(edge('h9', 't_lookup', 'triage', 'tool', 'handoffs'));
    const result = validateFlow(f);
    expect(result.ok).toBe(false);
    expect(result.problems).toContainEqual(expect.objectContaining({
      edgeId: 'h9',
      nodeId: 't_lookup',
      message: 'node "t_lookup" (tool) cannot be attached at "triage".handoffs: only agents can be handoff targets',
    }));
  });

  it('a worker or handoff target cannot also be a step; handoffs may go back and forth between attached agents', () => {
    const f = supportFlow();
    f.edges.push(edge('d1', 'in', 'billing'));
    const result = validateFlow(f);
    expect(result.problems).toContainEqual(expect.objectContaining({ nodeId: 'billing', code: 'invalid_wiring', message: expect.stringMatching(/cannot also be a step.*"d1"/) }));

    const cycle = supportFlow();
    cycle.edges.push(attach('h3', 'tech', 'billing', 'handoffs'), attach('h4', 'billing', 'tech', 'handoffs'));
    expect(validateFlow(cycle).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('the terminal trace of attached agents', () => {
  it("shows each handoff and indents the turns under the agent that took them", async () => {
    const h = harness();
    const f = workersFlow({ checker: true });
    await h.engine.start(f, {
      input: { message: 'x' },
      mocks: {
        boss: [{ toolCalls: [{ tool: 'researcher', args: { task: 'dig' } }] }, { text: 'Done.' }],
        researcher: [{ toolCalls: [{ tool: 'checker', args: { task: 'check' } }] }, { text: 'Checked.' }],
        checker: [{ text: 'All true.' }],
      },
    });
    const handoffs = harness();
    await handoffs.engine.start(supportFlow({}, { handoffHistory: 'summary' }), {
      input: { message: 'x' },
      mocks: { triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'money' } }] }], billing: [{ text: 'Refunded.' }] },
    });
    let text = '';
    const out = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WriteStream;
    // One printer a run, as the CLI has (another run's events would print as a sub-flow's).
    for (const events of [h.events, handoffs.events]) {
      const printer = new TracePrinter(out, f as never);
      for (const e of events) printer.print(e);
    }
    const lines = text.split('\n');
    expect(lines).toContain('  ⚙ boss calls researcher {"task":"dig"}');
    expect(lines).toContain('    ⚙ boss › researcher calls checker {"task":"check"}');
    expect(lines).toContain('      boss › researcher › checker │');
    expect(lines).toContain('        All true.');
    expect(lines.some((l) => l.startsWith('    ↳ checker All true.'))).toBe(true);
    expect(lines).toContain('    boss › researcher │');
    expect(lines).toContain('  ⇄ triage hands over to billing: money (handoff 1, history summarised)');
    expect(lines).toContain('    triage › billing │');
  });
});

describe('engine: an agent step retried after a failed model call', () => {
  it('goes on from its saved turns: only the failed turn is made again, by the next attempt', async () => {
    const { models, calls } = recording();
    const h = harness({ models });
    const f = supportFlow();
    (f.nodes as Json[])[1] = { ...(f.nodes[1] as Json), policy: { retries: 1, backoffMs: 1 } };
    const result = await h.engine.start(f, {
      input: { message: 'x' },
      mocks: {
        triage: [{ toolCalls: [{ tool: 'transfer_to_billing', args: { reason: 'money' } }] }],
        billing: [{ error: { message: 'upstream down', status: 500 } }, { text: 'Refunded.' }],
      },
    });
    expect(result).toMatchObject({ status: 'succeeded', output: 'Refunded.' });
    expect(calls.map((c) => c.nodeId)).toEqual(['triage', 'billing', 'billing']);
    expect(h.of('node.started', 'triage').map((e) => (e.data as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(events(h.events, 'node.handoff')).toHaveLength(1);
  });
});
