/** The agent kind's executor, run with a hand-built ExecContext (test/support/kind-context.ts). */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV3, LanguageModelV3CallOptions } from '@ai-sdk/provider';
import type { MockReply } from '@trellis/schema';
import { TestLanguageModel } from '../../models/test-provider.js';
import type { AttachedTool, Scope } from '../../runtime.js';
import { checkpoint, ctx, done, failure, waiting } from '../../../test/support/kind-context.js';
import { AgentConfig } from './spec.js';
import { agentExecutor } from './execute.js';

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
