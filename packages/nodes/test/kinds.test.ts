/**
 * Each kind's executor, run directly with a hand-built ExecContext (no engine): configs go
 * through the kind's configSchema first so defaults apply, models are the deterministic test
 * provider, and HTTP goes to a local server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { FlowNode, MockReply } from '@trellis/schema';
import { TrellisError } from '../src/errors.js';
import { TestLanguageModel, type MockCursor } from '../src/models/test-provider.js';
import { validateJson } from '../src/lib/json-schema-validate.js';
import type { AttachedTool, Decision, ExecContext, ExecResult, NodeEmission, Scope } from '../src/runtime.js';
import { InputConfig } from '../src/kinds/input/spec.js';
import { inputExecutor } from '../src/kinds/input/execute.js';
import { OutputConfig } from '../src/kinds/output/spec.js';
import { outputExecutor } from '../src/kinds/output/execute.js';
import { ConditionConfig } from '../src/kinds/condition/spec.js';
import { conditionExecutor } from '../src/kinds/condition/execute.js';
import { ApprovalConfig } from '../src/kinds/approval/spec.js';
import { approvalExecutor } from '../src/kinds/approval/execute.js';
import { PromptConfig } from '../src/kinds/prompt/spec.js';
import { promptExecutor } from '../src/kinds/prompt/execute.js';
import { ToolConfig } from '../src/kinds/tool/spec.js';
import { toolExecutor } from '../src/kinds/tool/execute.js';
import { AgentConfig } from '../src/kinds/agent/spec.js';
import { agentExecutor } from '../src/kinds/agent/execute.js';

// ---------------------------------------------------------------------------------------------
// The hand-built context

interface CtxOverrides<C> extends Partial<Omit<ExecContext<C>, 'config' | 'scope' | 'node'>> {
  node?: Partial<FlowNode>;
  /** Replies the test model plays, one per model call. */
  replies?: MockReply[];
  /** Where in `replies` the model is; share it between a first run and its resume. */
  cursor?: MockCursor;
}

type TestCtx<C> = ExecContext<C> & { events: NodeEmission[]; cursor: MockCursor; aborter: AbortController };

function ctx<C>(config: C, scope: Partial<Scope> = {}, overrides: CtxOverrides<C> = {}): TestCtx<C> {
  const { node: nodeOverride, replies = [], cursor = { value: 0 }, ...rest } = overrides;
  const node: FlowNode = { id: 'n', type: 'test', position: { x: 0, y: 0 }, config: {}, ...nodeOverride };
  const events: NodeEmission[] = [];
  const aborter = new AbortController();
  return {
    runId: 'run-1',
    node,
    config,
    scope: { input: {}, nodes: {}, vars: {}, ...scope },
    signal: aborter.signal,
    attempt: 1,
    emit: (e) => events.push(e),
    model: (id) => new TestLanguageModel(id || 'm', node.id, replies, cursor),
    tools: () => [],
    // Tools given by `tools` are attached nodes too, as the engine gives them.
    attached: (handle) =>
      (handle === 'tools' ? (rest.tools?.(handle) ?? []) : []).map((t) => ({
        nodeId: t.nodeId,
        node: { id: t.nodeId, type: 'tool', position: { x: 0, y: 0 }, config: {} },
        context: undefined as never,
        tool: t,
      })),
    promptTemplate: (ref) => Promise.reject(new TrellisError('unresolved_prompt', `no library in this test for "${ref}"`)),
    network: { allowPrivateNetwork: false },
    ...rest,
    events,
    cursor,
    aborter,
  };
}

/** Runs a promise expected to reject, and returns the TrellisError it rejected with. */
async function failure(promise: Promise<unknown>): Promise<TrellisError> {
  try {
    await promise;
  } catch (error) {
    expect(TrellisError.isInstance(error), `expected a TrellisError, got ${String(error)}`).toBe(true);
    return error as TrellisError;
  }
  throw new Error('expected a failure, but it succeeded');
}

function done(result: ExecResult) {
  expect(result.status).toBe('done');
  if (result.status !== 'done') throw new Error('not done');
  return result;
}

function waiting(result: ExecResult) {
  expect(result.status).toBe('wait');
  if (result.status !== 'wait') throw new Error('not waiting');
  return result;
}

/** What the engine does between a wait and its resume: the state goes through JSON. */
const checkpoint = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

// ---------------------------------------------------------------------------------------------

describe('input', () => {
  const config = InputConfig.parse({
    schema: {
      type: 'object',
      properties: { message: { type: 'string', minLength: 1 }, count: { type: 'integer' } },
      required: ['message'],
    },
  });

  it('passes a matching input through as its output', async () => {
    const r = done(await inputExecutor.execute(ctx(config, { input: { message: 'hi', count: 2 } })));
    expect(r.output).toEqual({ message: 'hi', count: 2 });
  });

  it('refuses a missing field with invalid_input, naming the field', async () => {
    const e = await failure(inputExecutor.execute(ctx(config, { input: { count: 2 } })));
    expect(e.code).toBe('invalid_input');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('message');
  });

  it('refuses a field of the wrong type, naming the field', async () => {
    const e = await failure(inputExecutor.execute(ctx(config, { input: { message: 'hi', count: 'two' } })));
    expect(e.code).toBe('invalid_input');
    expect(e.message).toContain('count');
  });

  it('the default schema accepts any object', async () => {
    const r = done(await inputExecutor.execute(ctx(InputConfig.parse({}), { input: { anything: [1] } })));
    expect(r.output).toEqual({ anything: [1] });
  });
});

describe('output', () => {
  const scope: Partial<Scope> = {
    input: { message: 'hello', n: 42, flags: { vip: true } },
    nodes: { draft: { output: { text: 'Dear customer', score: 0.9 } } },
    vars: { team: 'billing' },
  };

  it('renders nested templates, keeping types for single-expression leaves', async () => {
    const config = OutputConfig.parse({
      value: {
        reply: 'Re: {{ input.message }} ({{ vars.team }})',
        n: '{{ input.n }}',
        draft: '{{ nodes.draft.output }}',
        nested: { list: ['{{ input.flags }}', '{{input.flags.vip}}', 'n={{ input.n }}', 7, null, false] },
      },
    });
    const r = done(await outputExecutor.execute(ctx(config, scope)));
    expect(r.output).toEqual({
      reply: 'Re: hello (billing)',
      n: 42,
      draft: { text: 'Dear customer', score: 0.9 },
      nested: { list: [{ vip: true }, true, 'n=42', 7, null, false] },
    });
  });

  it('defaults to the run input', async () => {
    const r = done(await outputExecutor.execute(ctx(OutputConfig.parse({}), scope)));
    expect(r.output).toEqual(scope.input);
  });

  it('fails on an unknown variable, naming it', async () => {
    const config = OutputConfig.parse({ value: { a: 'fine', b: 'Hi {{ nodes.missing.output }}' } });
    await expect(outputExecutor.execute(ctx(config, scope))).rejects.toThrow(/nodes\.missing/);
    const single = OutputConfig.parse({ value: '{{ input.nope }}' });
    await expect(outputExecutor.execute(ctx(single, scope))).rejects.toThrow(/input\.nope/);
  });

  it('holds the result to its schema, when it declares one', async () => {
    const promised = OutputConfig.parse({ value: { score: '{{ nodes.draft.output.text }}' }, schema: { type: 'object', properties: { score: { type: 'number' } } } });
    await expect(outputExecutor.execute(ctx(promised, scope))).rejects.toThrow(/output schema: score: .*number/);
    const kept = OutputConfig.parse({ value: { score: '{{ nodes.draft.output.score }}' }, schema: { type: 'object', properties: { score: { type: 'number' } } } });
    expect(done(await outputExecutor.execute(ctx(kept, scope))).output).toEqual({ score: 0.9 });
  });
});

describe('condition', () => {
  const config = ConditionConfig.parse({
    branches: [
      { id: 'billing', when: "nodes.classify.output.category == 'billing'" },
      { id: 'urgent', when: 'input.priority > 3' },
      { id: 'also_urgent', when: 'input.priority > 1' },
    ],
  });
  const scopeFor = (category: string, priority: number): Partial<Scope> => ({
    input: { priority },
    nodes: { classify: { output: { category } } },
  });

  it('takes the first true branch in order and records the decision', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('tech', 5))));
    expect(r.ports).toEqual(['urgent']);
    expect(r.output).toEqual({ branch: 'urgent' });
    expect(r.decision).toEqual({
      branch: 'urgent',
      evaluated: [
        { branch: 'billing', when: "nodes.classify.output.category == 'billing'", value: false },
        { branch: 'urgent', when: 'input.priority > 3', value: true },
      ],
    });
  });

  it('stops at the first true branch even when later ones are true too', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('billing', 5))));
    expect(r.ports).toEqual(['billing']);
    expect((r.decision as { evaluated: unknown[] }).evaluated).toHaveLength(1);
  });

  it('falls to else when no branch is true, with every expression evaluated', async () => {
    const r = done(await conditionExecutor.execute(ctx(config, scopeFor('tech', 0))));
    expect(r.ports).toEqual(['else']);
    expect(r.output).toEqual({ branch: 'else' });
    const decision = r.decision as { branch: string; evaluated: { branch: string; value: unknown }[] };
    expect(decision.branch).toBe('else');
    expect(decision.evaluated.map((e) => [e.branch, e.value])).toEqual([
      ['billing', false],
      ['urgent', false],
      ['also_urgent', false],
    ]);
  });

  it('fails clearly on a non-boolean result', async () => {
    const c = ConditionConfig.parse({ branches: [{ id: 'count', when: 'size(input.items)' }] });
    const e = await failure(conditionExecutor.execute(ctx(c, { input: { items: [1, 2] } })));
    expect(e.code).toBe('expression_failed');
    expect(e.message).toContain('"count"');
    expect(e.message).toContain('size(input.items)');
    expect(e.message).toContain('2');
    expect(e.message).toMatch(/not true or false/);
  });

  it('fails clearly on a missing key, naming the branch and the key', async () => {
    const c = ConditionConfig.parse({ branches: [{ id: 'vip', when: 'input.customer.vip == true' }] });
    const e = await failure(conditionExecutor.execute(ctx(c, { input: { name: 'x' } })));
    expect(e.code).toBe('expression_failed');
    expect(e.message).toContain('"vip"');
    expect(e.message).toContain('customer');
  });
});

describe('approval', () => {
  const config = ApprovalConfig.parse({
    message: 'Send this reply to {{ input.customer }}? {{ nodes.draft.output }}',
    payload: { reply: '{{ nodes.draft.output }}', count: '{{ input.count }}' },
  });
  const scope: Partial<Scope> = { input: { customer: 'Ada', count: 3 }, nodes: { draft: { output: 'Hello Ada' } } };

  async function ask(c = config) {
    const context = ctx(c, scope, { node: { id: 'ok' } });
    return waiting(await approvalExecutor.execute(context));
  }

  async function answer(decision: Decision, c = config) {
    const first = await ask(c);
    return done(
      await approvalExecutor.execute(ctx(c, scope, { node: { id: 'ok' }, state: checkpoint(first.state), resume: { waitId: first.wait.id, decision } })),
    );
  }

  it('first asks: a wait with the rendered message and payload', async () => {
    const r = await ask();
    expect(r.wait.kind).toBe('approval');
    expect(r.wait.id).toBe('ok');
    expect(r.wait.message).toBe('Send this reply to Ada? Hello Ada');
    expect(r.wait.payload).toEqual({ reply: 'Hello Ada', count: 3 });
    expect(r.wait.timeoutMs).toBeUndefined();
  });

  it('approved, with an edited payload: port approved and the edit as output', async () => {
    const r = await answer({ approved: true, by: 'lin', comment: 'tweaked', payload: { reply: 'Hello Ada!', count: 3 } });
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toEqual({ approved: true, payload: { reply: 'Hello Ada!', count: 3 }, comment: 'tweaked', by: 'lin' });
    expect(r.decision).toMatchObject({ approved: true, edited: true, by: 'lin' });
  });

  it('approved as is keeps the rendered payload, not edited', async () => {
    const r = await answer({ approved: true });
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toEqual({ approved: true, payload: { reply: 'Hello Ada', count: 3 } });
    expect(r.decision).toMatchObject({ edited: false });
  });

  it('rejected: port rejected', async () => {
    const r = await answer({ approved: false, comment: 'too curt' });
    expect(r.ports).toEqual(['rejected']);
    expect(r.output).toMatchObject({ approved: false, comment: 'too curt' });
  });

  it('timed out with onTimeout "approve": approved', async () => {
    const c = ApprovalConfig.parse({ message: 'Go?', timeoutMs: 60_000, onTimeout: 'approve' });
    const first = await ask(c);
    expect(first.wait.timeoutMs).toBe(60_000);
    const r = await answer({ approved: false, timedOut: true }, c);
    expect(r.ports).toEqual(['approved']);
    expect(r.output).toMatchObject({ approved: true, timedOut: true });
  });

  it('timed out with the default onTimeout: rejected', async () => {
    const c = ApprovalConfig.parse({ message: 'Go?', timeoutMs: 60_000 });
    const r = await answer({ approved: false, timedOut: true }, c);
    expect(r.ports).toEqual(['rejected']);
    expect(r.output).toMatchObject({ approved: false, timedOut: true });
  });
});

describe('prompt', () => {
  const schema = {
    type: 'object',
    properties: { category: { type: 'string', enum: ['billing', 'tech', 'other'] }, confidence: { type: 'number', minimum: 0 } },
    required: ['category', 'confidence'],
    additionalProperties: false,
  };
  const scope: Partial<Scope> = { input: { message: 'My card was charged twice' } };

  it('with a mock text: outputs the text and streams deltas that add up to it', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Reply to: {{ input.message }}' } });
    const c = ctx(config, scope, { node: { id: 'reply' }, replies: [{ text: 'Sorry about that, we will refund the extra charge.' }] });
    const r = done(await promptExecutor.execute(c));
    expect(r.output).toBe('Sorry about that, we will refund the extra charge.');
    const deltas = c.events.filter((e) => e.type === 'node.delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => (e.data as { text: string }).text).join('')).toBe(r.output);
    expect(c.cursor.value).toBe(1);
  });

  it('with no mock and no schema: a deterministic echo of the rendered prompt', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Reply to: {{ input.message }}' } });
    const a = done(await promptExecutor.execute(ctx(config, scope)));
    const b = done(await promptExecutor.execute(ctx(config, scope)));
    expect(a.output).toEqual(b.output);
    expect(String(a.output)).toContain('My card was charged twice');
  });

  it('with a mock object and an output schema: outputs the object', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify: {{ input.message }}' }, output: { schema } });
    const c = ctx(config, scope, { replies: [{ object: { category: 'billing', confidence: 0.9 } }] });
    const r = done(await promptExecutor.execute(c));
    expect(r.output).toEqual({ category: 'billing', confidence: 0.9 });
  });

  it('with an object that violates the schema: invalid_model_output', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify' }, output: { schema } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ object: { category: 'weather', confidence: 0.5 } }] })));
    expect(e.code).toBe('invalid_model_output');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('category');
  });

  it('with text that is not JSON for a schema: invalid_model_output', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify' }, output: { schema } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ text: 'billing, I think' }] })));
    expect(e.code).toBe('invalid_model_output');
  });

  it('with no mock and a schema: a deterministic object valid for the schema', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Classify: {{ input.message }}' }, output: { schema } });
    const a = done(await promptExecutor.execute(ctx(config, scope)));
    const b = done(await promptExecutor.execute(ctx(config, scope)));
    expect(a.output).toEqual(b.output);
    expect(typeof a.output).toBe('object');
    expect(validateJson(a.output, schema)).toEqual([]);
  });

  it('a scripted model error fails the node', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Hi' } });
    const e = await failure(promptExecutor.execute(ctx(config, scope, { replies: [{ error: { status: 503, message: 'overloaded' } }] })));
    expect(e.message).toContain('overloaded');
    expect(e.retryable).toBe(true);
  });

  it('with library prompts: renders the pinned templates the engine hands it, for the prompt and the system text', async () => {
    const library: Record<string, string> = { 'triage@2': 'Triage v2: {{ input.message }}', 'tone@latest': 'Be brief about {{ input.message }}.' };
    const seen: string[] = [];
    const config = PromptConfig.parse({ model: 'test:m', system: { ref: 'tone@latest' }, prompt: { ref: 'triage@2' } });
    const c = ctx(config, scope, {
      promptTemplate: async (ref) => {
        seen.push(ref);
        return library[ref]!;
      },
    });
    const r = done(await promptExecutor.execute(c));
    expect(String(r.output)).toBe('Test reply to: Triage v2: My card was charged twice');
    expect(seen.sort()).toEqual(['tone@latest', 'triage@2']);
  });

  it('a library prompt that cannot be had fails the node before any model call', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { ref: 'triage@9' } });
    const c = ctx(config, scope, { replies: [{ text: 'x' }] });
    const e = await failure(promptExecutor.execute(c));
    expect(e.message).toContain('triage@9');
    expect(c.cursor.value).toBe(0);
  });

  it('an unknown template variable fails before any model call, naming it', async () => {
    const config = PromptConfig.parse({ model: 'test:m', prompt: { template: 'Hi {{ input.nmae }}' } });
    const c = ctx(config, scope, { replies: [{ text: 'x' }] });
    await expect(promptExecutor.execute(c)).rejects.toThrow(/input\.nmae/);
    expect(c.cursor.value).toBe(0);
  });
});

describe('tool: transform', () => {
  it('evaluates a JSONata expression over the scope', async () => {
    const config = ToolConfig.parse({ tool: 'transform', expression: "{ 'total': $sum(input.items.price), 'count': $count(input.items) }" });
    const r = done(await toolExecutor.execute(ctx(config, { input: { items: [{ price: 2 }, { price: 3.5 }] } })));
    expect(r.output).toEqual({ total: 5.5, count: 2 });
  });

  it('`source` picks what the expression reads', async () => {
    const config = ToolConfig.parse({ tool: 'transform', source: '{{ nodes.fetch.output.body }}', expression: '$sum(items.price)' });
    const r = done(await toolExecutor.execute(ctx(config, { nodes: { fetch: { output: { body: { items: [{ price: 1 }, { price: 4 }] } } } } })));
    expect(r.output).toBe(5);
  });

  /** Runs a transform step; returns how it ended and how long it took. */
  async function timed(expression: string) {
    const config = ToolConfig.parse({ tool: 'transform', expression });
    const started = Date.now();
    try {
      const r = await toolExecutor.execute(ctx(config, {}));
      return { ms: Date.now() - started, output: r.status === 'done' ? r.output : undefined, error: undefined };
    } catch (error) {
      return { ms: Date.now() - started, output: undefined, error: error as TrellisError };
    }
  }

  // Finite expressions that run past the limits (≈0.2 s and ≈4 s with no limits at all), so a
  // missing limit shows up as a failing test rather than a hung process.
  const DEEP = '($f := function($x){ $x >= 2000 ? 0 : 1 + $f($x + 1) }; $f(0))';
  const LONG = '($f := function($x){ $x >= 400000 ? $x : $f($x + 1) }; $f(0))';

  it('a deep (finite) recursion stops at the depth limit', async () => {
    const r = await timed(DEEP);
    expect(r.output, 'the expression ran to the end: no depth limit applied').toBeUndefined();
    expect(r.error?.code).toBe('transform_failed');
    expect(r.ms).toBeLessThan(3_000);
  });

  it('a long (finite) loop stops at the time limit', async () => {
    const r = await timed(LONG);
    expect(r.output, 'the expression ran to the end: no time limit applied').toBeUndefined();
    expect(r.error?.code).toBe('transform_failed');
    expect(r.ms).toBeLessThan(3_000);
  });

  it('infinite recursion fails with a bounded-time error', async () => {
    // JSONata evaluates on promises alone: an unbounded expression starves the event loop, so no
    // timer (not even the test's own timeout) could stop it. Only run it once the limits are seen to work.
    for (const canary of [DEEP, LONG]) {
      const r = await timed(canary);
      if (r.error === undefined) throw new Error(`transform limits do not apply (${canary} completed), so an infinite expression would hang the process`);
    }
    for (const expression of ['($f := function($x){ $f($x) }; $f(1))', '($f := function($x){ 1 + $f($x) }; $f(1))']) {
      const r = await timed(expression);
      expect(r.error?.code).toBe('transform_failed');
      expect(r.error?.message).toMatch(/deep|long|time|stack|depth/i);
      expect(r.ms).toBeLessThan(3_000);
    }
  });
});

describe('tool: asTool', () => {
  it('derives the arguments schema of an http tool from {{ args.x }}', () => {
    const config = ToolConfig.parse({
      tool: 'http',
      name: 'lookup_account',
      description: 'Looks up an account',
      http: { method: 'POST', url: 'https://api.example.com/accounts/{{ args.id }}', headers: { 'x-region': '{{args.region}}' }, body: { note: '{{ args.note }}' } },
    });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 't', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } });
    expect(def.name).toBe('lookup_account');
    expect(def.description).toBe('Looks up an account');
    expect(def.requiresApproval).toBe(false);
    expect(def.inputSchema).toMatchObject({ type: 'object', additionalProperties: false });
    const props = (def.inputSchema as { properties: Record<string, unknown> }).properties;
    expect(Object.keys(props).sort()).toEqual(['id', 'note', 'region']);
    expect(props.id).toEqual({ type: 'string' });
    expect([...(def.inputSchema as { required: string[] }).required].sort()).toEqual(['id', 'note', 'region']);
  });

  it('a declared parameters schema wins, and the name defaults to the node id', () => {
    const parameters = { type: 'object', properties: { id: { type: 'integer' } } };
    const config = ToolConfig.parse({ tool: 'http', parameters, requiresApproval: true, http: { url: 'https://x.example/{{ args.id }}' } });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 'fetch', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } });
    expect(def.name).toBe('fetch');
    expect(def.inputSchema).toEqual(parameters);
    expect(def.requiresApproval).toBe(true);
  });

  it('a transform tool run by an agent sees its arguments as `args`', async () => {
    const config = ToolConfig.parse({ tool: 'transform', expression: 'args.a + args.b' });
    const def = toolExecutor.asTool!({ runId: 'r', node: { id: 'add', type: 'tool', position: { x: 0, y: 0 }, config: {} }, config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } });
    await expect(def.execute({ a: 2, b: 3 }, new AbortController().signal)).resolves.toBe(5);
  });
});

describe('tool: http', () => {
  let server: http.Server;
  let base = '';
  const seen: { method: string; url: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '' });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/accounts/')) {
        res.setHeader('content-type', 'application/json');
        return res.end(JSON.stringify({ id: path.slice('/accounts/'.length), plan: 'pro' }));
      }
      if (path === '/boom') {
        res.statusCode = 500;
        res.setHeader('content-type', 'text/plain');
        return res.end('internal trouble');
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const allow = { network: { allowPrivateNetwork: true } };

  it('GET JSON returns {status, body}', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/accounts/{{ input.id }}` } });
    const r = done(await toolExecutor.execute(ctx(config, { input: { id: '42' } }, allow)));
    expect(r.output).toMatchObject({ status: 200, ok: true, body: { id: '42', plan: 'pro' } });
    expect(seen.at(-1)).toEqual({ method: 'GET', url: '/accounts/42' });
  });

  it('a 500 with failOnHttpError fails, retryable', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/boom`, failOnHttpError: true } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, allow)));
    expect(e.code).toBe('http_status');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('500');
    expect(e.message).toContain('internal trouble');
  });

  it('a 500 without failOnHttpError is an output', async () => {
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/boom`, failOnHttpError: false } });
    const r = done(await toolExecutor.execute(ctx(config, {}, allow)));
    expect(r.output).toMatchObject({ status: 500, ok: false, body: 'internal trouble' });
  });

  it('without allowPrivateNetwork the same URL is refused', async () => {
    const before = seen.length;
    const config = ToolConfig.parse({ tool: 'http', http: { url: `${base}/accounts/1` } });
    const e = await failure(toolExecutor.execute(ctx(config, {}, { network: { allowPrivateNetwork: false } })));
    expect(e.code).toBe('http_forbidden_address');
    expect(seen.length).toBe(before); // never reached the server
  });
});

describe('agent', () => {
  const config = AgentConfig.parse({ model: 'test:m', instructions: 'Find the account, then answer.', prompt: 'Account {{ input.id }}?' });
  const scope: Partial<Scope> = { input: { id: '7' } };

  function lookupTool(requiresApproval: boolean, calls: Record<string, unknown>[]): AttachedTool {
    return {
      nodeId: 't',
      name: 'lookup',
      description: 'Looks up an account by id',
      inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
      requiresApproval,
      execute: async (args) => {
        calls.push(args);
        return { found: args.id };
      },
    };
  }

  const script = (): MockReply[] => [{ toolCalls: [{ tool: 'lookup', args: { id: '7' } }] }, { text: 'done' }];

  it('calls a tool, reads its result and answers', async () => {
    const calls: Record<string, unknown>[] = [];
    const c = ctx(config, scope, { node: { id: 'a' }, replies: script(), tools: () => [lookupTool(false, calls)] });
    const r = done(await agentExecutor.execute(c));
    expect(r.output).toBe('done');
    expect(calls).toEqual([{ id: '7' }]);
    const call = c.events.find((e) => e.type === 'node.tool_call');
    expect(call?.data).toMatchObject({ tool: 'lookup', toolNodeId: 't', args: { id: '7' } });
    const result = c.events.find((e) => e.type === 'node.tool_result');
    expect(result?.data).toMatchObject({ tool: 'lookup', toolNodeId: 't', result: { found: '7' } });
    expect((result?.data as { toolCallId: string }).toolCallId).toBe((call?.data as { toolCallId: string }).toolCallId);
    expect(r.decision).toEqual({ steps: 2 });
    expect(c.cursor.value).toBe(2);
  });

  it('takes its instructions from a library prompt, rendered over the run scope', async () => {
    const withRef = AgentConfig.parse({ model: 'test:m', instructions: { ref: 'researcher@3' }, prompt: 'Account {{ input.id }}?' });
    const calls: LanguageModelV3CallOptions[] = [];
    const inner = new TestLanguageModel('m', 'a', [{ text: 'done' }], { value: 0 });
    const recording: LanguageModelV3 = Object.assign(Object.create(inner) as LanguageModelV3, {
      doGenerate: (options: LanguageModelV3CallOptions) => (calls.push(options), inner.doGenerate(options)),
      doStream: (options: LanguageModelV3CallOptions) => (calls.push(options), inner.doStream(options)),
    });
    const c = ctx(withRef, scope, {
      node: { id: 'a' },
      model: () => recording,
      promptTemplate: async (ref) => (ref === 'researcher@3' ? 'Research account {{ input.id }} carefully.' : 'wrong prompt'),
    });
    expect(done(await agentExecutor.execute(c)).output).toBe('done');
    expect(calls[0]?.prompt[0]).toEqual({ role: 'system', content: 'Research account 7 carefully.' });
  });

  it('asks for approval before a tool that needs it, and runs it once approved', async () => {
    const calls: Record<string, unknown>[] = [];
    const tools = () => [lookupTool(true, calls)];
    const cursor = { value: 0 };
    const first = waiting(await agentExecutor.execute(ctx(config, scope, { node: { id: 'a' }, replies: script(), cursor, tools })));
    expect(first.wait.kind).toBe('tool_approval');
    expect(first.wait.payload).toMatchObject({ tool: 'lookup', toolNodeId: 't', args: { id: '7' } });
    expect(first.wait.message).toContain('lookup');
    expect(calls).toEqual([]); // not before the approval

    const c = ctx(config, scope, {
      node: { id: 'a' },
      replies: script(),
      cursor,
      tools,
      state: checkpoint(first.state),
      resume: { waitId: first.wait.id, decision: { approved: true } },
    });
    const r = done(await agentExecutor.execute(c));
    expect(calls).toEqual([{ id: '7' }]);
    expect(r.output).toBe('done');
    expect(c.events.find((e) => e.type === 'node.tool_result')?.data).toMatchObject({ tool: 'lookup', result: { found: '7' } });
  });

  it('a rejected tool call is not executed, and the agent still finishes', async () => {
    const calls: Record<string, unknown>[] = [];
    const tools = () => [lookupTool(true, calls)];
    const cursor = { value: 0 };
    const replies: MockReply[] = [{ toolCalls: [{ tool: 'lookup', args: { id: '7' } }] }, { text: 'I could not look it up.' }];
    const first = waiting(await agentExecutor.execute(ctx(config, scope, { node: { id: 'a' }, replies, cursor, tools })));
    const c = ctx(config, scope, {
      node: { id: 'a' },
      replies,
      cursor,
      tools,
      state: checkpoint(first.state),
      resume: { waitId: first.wait.id, decision: { approved: false, comment: 'not this one' } },
    });
    const r = done(await agentExecutor.execute(c));
    expect(calls).toEqual([]);
    expect(r.output).toBe('I could not look it up.');
    const denied = c.events.find((e) => e.type === 'node.tool_result');
    expect(denied?.data).toMatchObject({ tool: 'lookup', error: expect.stringMatching(/denied/) });
  });

  it('maxSteps 1 with a tool call reply fails with agent_max_steps', async () => {
    const c1 = AgentConfig.parse({ ...config, maxSteps: 1 });
    const calls: Record<string, unknown>[] = [];
    const e = await failure(agentExecutor.execute(ctx(c1, scope, { node: { id: 'a' }, replies: script(), tools: () => [lookupTool(false, calls)] })));
    expect(e.code).toBe('agent_max_steps');
    expect(e.message).toContain('"a"');
    expect(e.message).toContain('maxSteps');
  });

  it('with a structured output schema, answers an object', async () => {
    const schema = { type: 'object', properties: { plan: { type: 'string' } }, required: ['plan'] };
    const c1 = AgentConfig.parse({ ...config, output: { schema } });
    const calls: Record<string, unknown>[] = [];
    const replies: MockReply[] = [{ toolCalls: [{ tool: 'lookup', args: { id: '7' } }] }, { object: { plan: 'pro' } }];
    const r = done(await agentExecutor.execute(ctx(c1, scope, { node: { id: 'a' }, replies, tools: () => [lookupTool(false, calls)] })));
    expect(r.output).toEqual({ plan: 'pro' });
  });
});
