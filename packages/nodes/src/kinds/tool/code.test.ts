/**
 * The code tool (`tool: "code"`): as a step (args from the scope or its `args` templates, console
 * in the decision), as an agent's tool (the model's args in, the return value out), and its checks.
 * The sandbox's own limits and escape attempts are tested in lib/sandbox.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { MockReply } from '@trellis/schema';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { loadSandbox } from '../../lib/sandbox.js';
import type { AttachedTool, Scope } from '../../runtime.js';
import { validateFlow } from '../../index.js';
import { AgentConfig } from '../agent/spec.js';
import { agentExecutor } from '../agent/execute.js';
import { ToolConfig, toolSpec } from './spec.js';
import { toolExecutor } from './execute.js';

const node = (id: string) => ({ id, type: 'tool', position: { x: 0, y: 0 }, config: {} });
const asTool = (config: ToolConfig, id = 'code') =>
  toolExecutor.asTool!({ runId: 'r', node: node(id), config, scope: { input: {}, nodes: {}, vars: {} }, network: { allowPrivateNetwork: false } })!;

describe('tool: code as a step', () => {
  it('reads the scope as args by default, returns JSON, and puts console lines in the decision', async () => {
    const config = ToolConfig.parse({
      tool: 'code',
      code: "console.log('pricing', args.input.items.length, 'items');\nreturn { total: args.input.items.reduce((s, i) => s + i.price, 0), plan: args.nodes.account.output.plan };",
    });
    const r = done(await toolExecutor.execute(ctx(config, { input: { items: [{ price: 2 }, { price: 3.5 }] }, nodes: { account: { output: { plan: 'pro' } } } })));
    expect(r.output).toEqual({ total: 5.5, plan: 'pro' });
    expect(r.decision).toEqual({ console: [{ level: 'log', text: 'pricing 2 items' }] });
  });

  it('takes its args from `args` templates when given, each keeping its type', async () => {
    const config = ToolConfig.parse({ tool: 'code', args: { body: '{{ nodes.fetch.output.body }}', greeting: 'Hi {{ input.name }}' }, code: 'return [args.greeting, args.body.n + 1]' });
    const r = done(await toolExecutor.execute(ctx(config, { input: { name: 'Ana' }, nodes: { fetch: { output: { body: { n: 41 } } } } })));
    expect(r.output).toEqual(['Hi Ana', 42]);
    expect(r.decision).toBeUndefined(); // nothing printed, nothing to show
  });

  it('fails with the sandbox error: the error, its line and what the code printed', async () => {
    const config = ToolConfig.parse({ tool: 'code', code: "console.log('about to fail');\nthrow new Error('no plan for ' + args.input.id)" });
    const e = await failure(toolExecutor.execute(ctx(config, { input: { id: 7 } })));
    expect(e.code).toBe('code_error');
    expect(e.message).toBe('the code threw Error: no plan for 7 (line 2)');
    expect(e.details).toEqual({ console: [{ level: 'log', text: 'about to fail' }] });
  });

  it('an endless loop is stopped at the configured time limit', async () => {
    const config = ToolConfig.parse({ tool: 'code', code: 'while (true) {}', timeoutMs: 100 });
    const e = await failure(toolExecutor.execute(ctx(config)));
    expect(e.code).toBe('code_timeout');
    expect(e.message).toBe('the code ran longer than 100 ms and was stopped');
  });
});

describe('tool: code as an agent tool', () => {
  it('gets the arguments the model passes and returns exactly what the code returned', async () => {
    const parameters = { type: 'object', properties: { amount: { type: 'number' }, rate: { type: 'number' } }, required: ['amount', 'rate'] };
    const def = asTool(ToolConfig.parse({ tool: 'code', name: 'add_tax', description: 'Adds tax', parameters, code: "console.log('taxing'); return { total: Math.round(args.amount * (1 + args.rate) * 100) / 100 }" }));
    expect(def).toMatchObject({ name: 'add_tax', description: 'Adds tax', inputSchema: parameters, requiresApproval: false });
    await expect(def.execute({ amount: 10, rate: 0.2 }, new AbortController().signal)).resolves.toEqual({ total: 12 });
  });

  it('without parameters, takes any object', () => {
    expect(asTool(ToolConfig.parse({ tool: 'code', code: 'return args' })).inputSchema).toEqual({ type: 'object', additionalProperties: true });
  });

  it("a failing call's error carries the code's last console lines", async () => {
    const def = asTool(ToolConfig.parse({ tool: 'code', code: "console.warn('id was', args.id); return args.id.toUpperCase()" }));
    const e = await failure(def.execute({ id: 5 }, new AbortController().signal));
    expect(e.code).toBe('code_error');
    expect(e.message).toMatch(/^the code threw TypeError: .+; its last console output: warn: id was 5$/);
  });

  it('an agent calls it, reads its result and answers', async () => {
    const config = ToolConfig.parse({
      tool: 'code',
      name: 'word_count',
      description: 'Counts the words of a text',
      parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] },
      code: 'return { words: args.text.split(/\\s+/).filter(Boolean).length }',
    });
    const def = asTool(config, 'counter');
    const tool: AttachedTool = { nodeId: 'counter', ...def };
    const replies: MockReply[] = [{ toolCalls: [{ tool: 'word_count', args: { text: 'one two  three' } }] }, { text: 'It has 3 words.' }];
    const agent = AgentConfig.parse({ model: 'test:m', instructions: 'Count the words.', prompt: '{{ input.text }}' });
    const scope: Partial<Scope> = { input: { text: 'one two  three' } };
    const c = ctx(agent, scope, { node: { id: 'a' }, replies, tools: () => [tool] });
    const r = done(await agentExecutor.execute(c));
    expect(r.output).toBe('It has 3 words.');
    const result = c.events.find((e) => e.type === 'node.tool_result');
    expect(result?.data).toMatchObject({ tool: 'word_count', toolNodeId: 'counter', result: { words: 3 } });
  });
});

describe('tool: code config and checks', () => {
  const flow = (config: Record<string, unknown>) => ({
    schema: 'trellis.flow/v1',
    id: 'f',
    name: 'f',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
      { id: 'code', type: 'tool', position: { x: 0, y: 0 }, config },
    ],
    edges: [{ id: 'e', source: 'in', sourceHandle: 'out', target: 'code', targetHandle: 'in' }],
  });
  const errors = (config: Record<string, unknown>) => validateFlow(flow(config)).problems.filter((p) => p.severity === 'error');

  it('defaults its limits and bounds them', () => {
    expect(ToolConfig.parse({ tool: 'code', code: 'return 1' })).toMatchObject({ timeoutMs: 1_000, memoryMb: 32, maxOutputBytes: 1_000_000 });
    expect(ToolConfig.safeParse({ tool: 'code', code: 'return 1', timeoutMs: 60_000 }).success).toBe(false);
    expect(ToolConfig.safeParse({ tool: 'code', code: 'return 1', memoryMb: 1_024 }).success).toBe(false);
    expect(ToolConfig.safeParse({ tool: 'code', code: 'x'.repeat(50_001) }).success).toBe(false);
    expect(ToolConfig.safeParse({ tool: 'code', code: '' }).success).toBe(false);
  });

  it('a body that does not parse is a problem naming its line (checked on the server, never run)', async () => {
    await loadSandbox();
    expect(errors({ tool: 'code', code: 'const a = 1;\nreturn a' })).toEqual([]);
    expect(errors({ tool: 'code', code: 'const a = 1;\nreturn a +;' })).toEqual([
      expect.objectContaining({ code: 'invalid_expression', nodeId: 'code', message: expect.stringMatching(/^the code does not parse: .+ \(line 2\)$/) }),
    ]);
    // Compiling is not running: a body that would loop forever parses at once.
    expect(errors({ tool: 'code', code: 'while (true) {}' })).toEqual([]);
  });

  it('checks its `args` templates', () => {
    const problems = validateFlow(flow({ tool: 'code', code: 'return args', args: { x: '{{ nodes.nope.output }}' } })).problems;
    expect(problems).toEqual([expect.objectContaining({ code: 'unknown_variable', path: expect.arrayContaining(['args', 'x']) })]);
  });

  it('shows its fields only for code tools', () => {
    const fields = toolSpec.fields.filter((f) => ['code', 'args', 'timeoutMs', 'memoryMb', 'maxOutputBytes'].includes(f.path));
    expect(fields.map((f) => f.path)).toEqual(['code', 'args', 'timeoutMs', 'memoryMb', 'maxOutputBytes']);
    expect(fields.every((f) => f.showWhen?.equals.includes('code'))).toBe(true);
    expect(toolSpec.fields.find((f) => f.path === 'tool')?.options).toContain('code');
  });
});
