import { describe, expect, it } from 'vitest';
import { kinds } from '@trellis/nodes';
import { flow, input, output, type Json } from '@trellis/test-support/flows';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';
import { findFlowCycles, type FlowSource } from '../src/engine/subflows.js';
import { harness } from './support/harness.js';

/** Saved flows by id, each a list of versions (version n at index n-1). */
function library(flows: Record<string, Json[]>): FlowSource {
  return {
    version: async (flowId, version) => {
      const versions = flows[flowId];
      if (!versions?.length) return undefined;
      const n = version === 'latest' ? versions.length : version;
      const document = versions[n - 1];
      return document ? { version: n, document } : undefined;
    },
  };
}

/** A child flow: input {name} → transform → output { greeting }. */
const greeter = (word: string) =>
  flow(
    [input('in', { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }), { id: 'shape', type: 'tool', config: { tool: 'transform', expression: `'${word}, ' & input.name` } }, output('out', { greeting: '{{ nodes.shape.output }}' })],
    [['in', 'shape'], ['shape', 'out']],
    { id: 'greeter' },
  );

/** A parent flow: input {who} → subflow "greet" (→ greeter) → output. */
const parent = (config: Json = {}, id = 'parent') =>
  flow(
    [input(), { id: 'greet', type: 'subflow', config: { flow: 'greeter', input: { name: '{{ input.who }}' }, ...config } }, output('out', { said: '{{ nodes.greet.output.greeting }}' })],
    [['in', 'greet'], ['greet', 'out']],
    { id },
  );

/** An agent "helper" with the greeter flow as its tool greet_person. */
const withTool = flow(
  [
    input(),
    { id: 'helper', type: 'agent', config: { model: 'test:m', instructions: 'Greet people.', prompt: 'Greet {{ input.who }}' } },
    { id: 'greet', type: 'subflow', config: { flow: 'greeter', name: 'greet_person' } },
    output('out', '{{ nodes.helper.output }}'),
  ],
  [['in', 'helper'], ['greet', 'helper', 'tool', 'tools'], ['helper', 'out']],
  { id: 'tooling' },
);

describe('sub-flows', () => {
  it('runs the latest version of another flow as a child run, pinned and linked both ways', async () => {
    const store = new MemoryCheckpointStore();
    const h = harness({ store, flows: library({ greeter: [greeter('Hi'), greeter('Hello')] }) });
    const result = await h.engine.start(parent(), { input: { who: 'Ana' } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual({ said: 'Hello, Ana' });
    const started = h.of('node.subflow', 'greet');
    expect(started).toHaveLength(1);
    const childRunId = started[0]!.data.childRunId;
    expect(started[0]!.data).toMatchObject({ flowId: 'greeter', flowVersion: 2 });
    expect(h.of('node.completed', 'greet')[0]!.data.decision).toEqual({ childRunId, flowId: 'greeter' });
    const parentRun = (await store.load(result.runId))!.run;
    expect(parentRun.flows).toEqual([{ nodeId: 'greet', flowId: 'greeter', ref: 'latest', version: 2 }]);
    const child = (await store.load(childRunId))!.run;
    expect(child).toMatchObject({ status: 'succeeded', flowVersion: 2, parent: { runId: result.runId, nodeId: 'greet', depth: 2 }, output: { greeting: 'Hello, Ana' } });
    // The child's own trace is its own run's.
    expect(h.events.filter((e) => e.runId === childRunId).map((e) => e.type)).toContain('run.completed');
  });

  it('runs a pinned version when the node names one, and refuses a flow or version that does not exist, naming the node', async () => {
    const flows = library({ greeter: [greeter('Hi'), greeter('Hello')] });
    const h = harness({ flows });
    expect((await h.engine.start(parent({ version: 1 }), { input: { who: 'Bo' } })).output).toEqual({ said: 'Hi, Bo' });
    await expect(h.engine.start(parent({ version: 7 }), { input: { who: 'Bo' } })).rejects.toMatchObject({
      code: 'unresolved_flow',
      message: expect.stringContaining('node "greet" runs version 7 of the flow "greeter", which has no such version'),
    });
    await expect(h.engine.start(parent({ flow: 'nope' }), { input: {} })).rejects.toMatchObject({ code: 'unresolved_flow', message: expect.stringContaining('"nope", which does not exist') });
  });

  it('fails with the child, naming it and its error', async () => {
    const broken = flow([input(), { id: 'boom', type: 'tool', config: { tool: 'transform', expression: "$error('no greeting today')" } }, output('out', 1)], [['in', 'boom'], ['boom', 'out']], { id: 'greeter' });
    const result = await harness({ flows: library({ greeter: [broken] }) }).engine.start(parent(), { input: { who: 'x' } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'subflow_failed', nodeId: 'greet' });
    expect(result.error!.message).toMatch(/the flow "greeter" failed \(run [0-9a-f-]+\): .*no greeting today/);
  });

  it('waits while the child waits for a person, and goes on when the child ends, across a restart', async () => {
    const store = new MemoryCheckpointStore();
    const gated = flow(
      [input(), { id: 'ok', type: 'approval', config: { message: 'Greet {{ input.name }}?' } }, output('out', { greeting: 'approved {{ input.name }}' })],
      [['in', 'ok'], ['ok', 'out', 'approved']],
      { id: 'greeter' },
    );
    const flows = library({ greeter: [gated] });
    const first = harness({ store, flows });
    const waiting = await first.engine.start(parent(), { input: { who: 'Cy' } });
    expect(waiting.status).toBe('waiting');
    expect(waiting.waiting).toEqual([]); // the wait is the child's: it is answered there
    const childRunId = first.of('node.subflow', 'greet')[0]!.data.childRunId;
    const child = (await store.load(childRunId))!;
    expect(child.run.status).toBe('waiting');

    // A restarted runner takes the answer to the child; the parent goes on by itself.
    const second = harness({ store, flows });
    const childDone = await second.engine.resume(childRunId, { answer: { waitId: 'ok', approved: true, by: 'dee' } });
    expect(childDone.status).toBe('succeeded');
    await new Promise<void>((resolve) => {
      const check = () => (second.events.some((e) => e.runId === waiting.runId && e.type === 'run.completed') ? resolve() : setTimeout(check, 5));
      check();
    });
    const after = (await store.load(waiting.runId))!.run;
    expect(after).toMatchObject({ status: 'succeeded', output: { said: 'approved Cy' } });
    // It went back to the same child rather than starting another.
    expect(second.of('node.subflow', 'greet').map((e) => [e.data.childRunId, e.data.resumed])).toEqual([[childRunId, true]]);
  });

  it('cancelling a parent that waits on its child cancels the child too', async () => {
    const store = new MemoryCheckpointStore();
    const gated = flow([input(), { id: 'ok', type: 'approval', config: { message: 'Go?' } }, output('out', 1)], [['in', 'ok'], ['ok', 'out', 'approved']], { id: 'greeter' });
    const h = harness({ store, flows: library({ greeter: [gated] }) });
    const waiting = await h.engine.start(parent(), { input: { who: 'x' } });
    const childRunId = h.of('node.subflow', 'greet')[0]!.data.childRunId;
    expect((await h.engine.cancel(waiting.runId, 'not needed')).status).toBe('cancelled');
    expect((await store.load(childRunId))!.run.status).toBe('cancelled');
  });

  it('stops a flow that uses itself at the depth bound, with a message that says so', async () => {
    const selfish = parent({ flow: 'parent', input: undefined });
    const result = await harness({ flows: library({ parent: [selfish] }) }).engine.start(selfish, { input: { who: 'x' } });
    expect(result.status).toBe('failed');
    expect(result.error!.message).toContain('past the limit of 5 flows deep: does it use itself through another flow?');
  });

  it('finds cycles between saved flows before they run', async () => {
    const a = parent({ flow: 'b' }, 'a');
    const b = parent({ flow: 'c' }, 'b');
    const c = parent({ flow: 'a', version: 1 }, 'c');
    const source = library({ a: [a], b: [b], c: [c] });
    expect(await findFlowCycles(a as never, kinds, source)).toEqual([{ nodeId: 'greet', chain: ['a', 'b', 'c', 'a'] }]);
    expect(await findFlowCycles(parent() as never, kinds, library({ greeter: [greeter('Hi')] }))).toEqual([]);
  });

  it("is an agent's tool whose arguments are the flow's input schema, each call a child run", async () => {
    const store = new MemoryCheckpointStore();
    const h = harness({ store, flows: library({ greeter: [greeter('Hey')] }) });
    const result = await h.engine.start(withTool, {
      input: { who: 'Eve' },
      mocks: { helper: [{ toolCalls: [{ tool: 'greet_person', args: { name: 'Eve' } }] }, { text: 'Done: greeted Eve.' }] },
    });
    expect(result.status).toBe('succeeded');
    expect(result.output).toBe('Done: greeted Eve.');
    const call = h.of('node.tool_result', 'helper')[0]!;
    expect(call.data).toMatchObject({ tool: 'greet_person', toolNodeId: 'greet', result: { greeting: 'Hey, Eve' } });
    const started = h.of('node.subflow', 'helper');
    expect(started).toHaveLength(1);
    expect(started[0]!.data).toMatchObject({ flowId: 'greeter', key: expect.stringMatching(/^greet:/) });
    const child = (await store.load(started[0]!.data.childRunId))!.run;
    expect(child.parent).toEqual({ runId: result.runId, nodeId: 'helper', depth: 2 });
    // The model was offered the flow's input schema as the tool's arguments.
    const offered = h.of('node.tool_call', 'helper')[0]!;
    expect(offered.data.args).toEqual({ name: 'Eve' });
  });

  it("an agent's call with arguments the flow refuses gets the reason back as the tool's error", async () => {
    const h = harness({ flows: library({ greeter: [greeter('Hey')] }) });
    const result = await h.engine.start(withTool, { input: { who: 'Flo' }, mocks: { helper: [{ toolCalls: [{ tool: 'greet_person', args: { name: 7 } }] }, { text: 'Could not greet.' }] } });
    expect(result.output).toBe('Could not greet.');
    expect(h.of('node.tool_result', 'helper')[0]!.data.error).toBeTruthy();
  });

  it('runs a flow once per item of a map instead of a drawn body, its children keyed by item', async () => {
    const store = new MemoryCheckpointStore();
    const perItem = flow(
      [input(), { id: 'each', type: 'map', config: { items: 'input.names', concurrency: 2, flow: { id: 'greeter', input: { name: '{{ item }}' } } } }, output('out', '{{ nodes.each.output }}')],
      [['in', 'each'], ['each', 'out']],
      { id: 'greet-all' },
    );
    const h = harness({ store, flows: library({ greeter: [greeter('Hi')] }) });
    const result = await h.engine.start(perItem, { input: { names: ['Ann', 'Ben', 'Cat'] } });
    expect(result.status).toBe('succeeded');
    expect(result.output).toEqual([{ greeting: 'Hi, Ann' }, { greeting: 'Hi, Ben' }, { greeting: 'Hi, Cat' }]);
    expect(h.of('node.subflow', 'each').map((e) => e.data.key).sort()).toEqual(['0', '1', '2']);
    const problems = (await import('@trellis/nodes')).validateFlow({
      ...perItem,
      nodes: [...perItem.nodes, { id: 'stray', type: 'output', parent: 'each', position: { x: 0, y: 0 }, config: { value: 1 } }],
    }).problems;
    expect(problems.map((p) => p.message)).toContainEqual(expect.stringContaining('it runs the flow "greeter" for each round, so its body must be empty'));
  });
});
