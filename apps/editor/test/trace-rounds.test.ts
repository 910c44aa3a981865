import { FLOW_SCHEMA_V1, type Flow, type RunEvent } from '@trellis/schema';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ROUND_PAGE, RoundList, roundLabel, roundSummary } from '../src/run/RoundList.js';
import { waitStepName } from '../src/run/WaitForms.js';
import { applyEvent, emptyTrace, roundStatus, statusByNode, testProviderSteps, type RoundTally, type Trace } from '../src/run/trace.js';

const flow: Flow = { schema: FLOW_SCHEMA_V1, id: 'f', name: 'F', nodes: [{ id: 'each', type: 'map', position: { x: 0, y: 0 }, config: {} }], edges: [] };
const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: null };
let seq = 0;
const ev = (e: Record<string, unknown>) => ({ runId: 'r', ts: '2026-01-01T00:00:00Z', seq: ++seq, ...e }) as unknown as RunEvent;
const fold = (events: RunEvent[], from: Trace = emptyTrace()) => events.reduce(applyEvent, from);
const started = (nodeId: string, kind: string, path?: unknown[]) => ev({ type: 'node.started', nodeId, ...(path ? { path } : {}), data: { kind, attempt: 1 } });
const done = (nodeId: string, output: unknown, path?: unknown[]) => ev({ type: 'node.completed', nodeId, ...(path ? { path } : {}), data: { output, durationMs: 1, usage, ports: ['out'] } });

describe('the trace groups body steps under their container, by round', () => {
  it('puts each item of a map in its own round, in item order even when they start out of order', () => {
    seq = 0;
    const trace = fold([
      ev({ type: 'run.started', data: { flowId: 'f', input: { words: ['a', 'b'] } } }),
      started('in', 'input'),
      done('in', {}),
      started('each', 'map'),
      started('shout', 'tool', ['each', 1, 'shout']),
      started('shout', 'tool', ['each', 0, 'shout']),
      done('shout', 'B!', ['each', 1, 'shout']),
      done('shout', 'A!', ['each', 0, 'shout']),
      started('item_out', 'output', ['each', 0, 'item_out']),
      done('item_out', { word: 'A!' }, ['each', 0, 'item_out']),
      started('item_out', 'output', ['each', 1, 'item_out']),
      ev({ type: 'node.failed', nodeId: 'item_out', path: ['each', 1, 'item_out'], data: { error: { code: 'x', message: 'bad' }, willRetry: false, attempt: 1, durationMs: 1 } }),
    ]);
    // The body steps are not steps of the run's own level.
    expect(trace.steps.map((s) => s.nodeId)).toEqual(['in', 'each']);
    const each = trace.steps[1]!;
    expect(each.rounds!.map((r) => [r.key, r.steps.map((s) => `${s.nodeId}:${s.status}`)])).toEqual([
      [0, ['shout:succeeded', 'item_out:succeeded']],
      [1, ['shout:succeeded', 'item_out:failed']],
    ]);
    expect(each.rounds!.map(roundStatus)).toEqual(['succeeded', 'failed']);
    expect(each.rounds![1]!.steps[0]!.output).toBe('B!');
    expect(roundSummary('map', each.rounds!)).toBe('2 items: 1 succeeded, 1 failed');
    expect(roundLabel('map', 0)).toBe('item 0');
    expect(roundLabel('loop', 1)).toBe('round 1');

    // On the canvas a body node shows the worst of its rounds, and how many are done.
    const tally = new Map<string, RoundTally>();
    const status = statusByNode(trace, tally);
    expect(status.get('item_out')).toBe('failed');
    expect(status.get('shout')).toBe('succeeded');
    expect(status.get('each')).toBe('running');
    expect(tally.get('shout')).toEqual({ done: 2, total: 2 });
    expect(tally.get('item_out')).toEqual({ done: 1, total: 2 });
    expect(tally.has('each')).toBe(false);
  });

  it('nests a loop inside a map, and keys a wait inside a body by its wait id', () => {
    seq = 0;
    let trace = fold([
      ev({ type: 'run.started', data: { flowId: 'f', input: {} } }),
      started('each', 'map'),
      started('again', 'loop', ['each', 2, 'again']),
      started('check', 'approval', ['each', 2, 'again', 1, 'check']),
      ev({ type: 'run.waiting', nodeId: 'check', path: ['each', 2, 'again', 1, 'check'], data: { waitId: 'each.2.again.1.check', kind: 'approval', message: 'OK?' } }),
    ]);
    expect(trace.waiting).toMatchObject({ nodeId: 'check', waitId: 'each.2.again.1.check', path: ['each', 2, 'again', 1, 'check'] });
    const check = () => trace.steps[0]!.rounds![0]!.steps[0]!.rounds![0]!.steps[0]!;
    expect(trace.steps[0]!.rounds![0]!.key).toBe(2);
    expect(check().status).toBe('waiting');
    // The resume names no path: the answer still lands on the step that waited.
    trace = fold([
      ev({ type: 'run.resumed', nodeId: 'check', path: ['each', 2, 'again', 1, 'check'], data: { reason: 'decision', waitId: 'each.2.again.1.check', decision: { approved: true } } }),
      ev({ type: 'node.started', nodeId: 'check', path: ['each', 2, 'again', 1, 'check'], data: { kind: 'approval', attempt: 1, resumed: true } }),
      ev({ type: 'run.cancelled', data: {} }),
    ], trace);
    expect(trace.waiting).toBeUndefined();
    expect(check().answers).toEqual([{ approved: true }]);
    expect(check().status).toBe('cancelled');
    expect(trace.steps[0]!.status).toBe('cancelled');
  });

  it('keeps every wait of a map whose items wait at once, and answers each by its wait id', () => {
    seq = 0;
    const wait = (i: number) => ev({ type: 'run.waiting', nodeId: 'check', path: ['each', i, 'check'], data: { waitId: `each.${i}.check`, kind: 'approval', message: `item ${i}?` } });
    let trace = fold([ev({ type: 'run.started', data: { flowId: 'f', input: {} } }), started('each', 'map'), started('check', 'approval', ['each', 0, 'check']), wait(0), started('check', 'approval', ['each', 1, 'check']), wait(1)]);
    expect(trace.waits!.map((w) => w.waitId)).toEqual(['each.0.check', 'each.1.check']);
    expect(trace.waiting!.waitId).toBe('each.0.check');
    expect(waitStepName(flow, trace.waits![1]!)).toBe('check (item 1 of each)');
    // As the runner tells it: the resume names the wait id where a node id would be, and no path.
    trace = applyEvent(trace, ev({ type: 'run.resumed', nodeId: 'check', path: ['each', 1, 'check'], data: { reason: 'decision', waitId: 'each.1.check', decision: { approved: false } } }));
    expect(trace.waits!.map((w) => w.waitId)).toEqual(['each.0.check']);
    // The answer lands in item 1, where that wait was.
    expect(trace.steps[0]!.rounds!.map((r) => r.steps[0]!.answers)).toEqual([[], [{ approved: false }]]);
    trace = applyEvent(trace, ev({ type: 'run.resumed', nodeId: 'check', path: ['each', 0, 'check'], data: { reason: 'decision', waitId: 'each.0.check', decision: { approved: true } } }));
    expect(trace.waits).toBeUndefined();
    expect(trace.waiting).toBeUndefined();
  });

  it('names a body step the test provider answered once, however many rounds it ran', () => {
    seq = 0;
    const models = [{ requested: 'openai:x', provider: 'test', modelId: 'x', testReason: 'no key' }];
    const events = [started('each', 'map')];
    for (let i = 0; i < 3; i++) {
      events.push(started('draft', 'prompt', ['each', i, 'draft']));
      events.push(ev({ type: 'node.completed', nodeId: 'draft', path: ['each', i, 'draft'], data: { output: 'x', durationMs: 1, usage, ports: ['out'], models } }));
    }
    expect(testProviderSteps(fold(events)).map(({ step }) => step.nodeId)).toEqual(['draft']);
  });
});

describe('a container with many rounds in the trace', () => {
  it('draws a page of closed rounds, a way to show more and a picker, not a thousand rounds of steps', () => {
    seq = 0;
    const events = [started('each', 'map')];
    for (let i = 0; i < 1000; i++) {
      events.push(started('shout', 'tool', ['each', i, 'shout']));
      events.push(done('shout', i, ['each', i, 'shout']));
    }
    const started0 = performance.now();
    const trace = fold(events);
    // Folding a thousand rounds stays quick (a live run folds each event as it comes).
    expect(performance.now() - started0).toBeLessThan(2_000);
    const each = trace.steps[0]!;
    expect(each.rounds).toHaveLength(1000);
    const html = renderToStaticMarkup(createElement(RoundList, { container: each, renderSteps: (steps: unknown[], label: string) => createElement('ol', { 'aria-label': label }, `${steps.length} steps`) }));
    expect(html.match(/class="round /g)).toHaveLength(ROUND_PAGE);
    // Past a handful, rounds start closed: no round's steps are drawn.
    expect(html).not.toContain('Steps of item');
    expect(html).toContain('Show 20 more items (980 not shown)');
    expect(html).toContain('aria-label="item number of each"');
    expect(html).toContain('1000 items: 1000 succeeded');
  });
});
