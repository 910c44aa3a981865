/**
 * An agent's `ask_a_person` tool with a hand-built context (no engine): its config, the tool the
 * model gets, the question wait one tool call raises (its form, deadline, and who asked), and the
 * answer (or a timeout) coming back as the tool's result for the next model call. The engine's
 * side (the answer checked against the form, restarts, workers, the API) is in
 * apps/runner/test/ask-person.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { LanguageModelV3CallOptions, LanguageModelV3Prompt } from '@ai-sdk/provider';
import type { MockReply } from '@trellis/schema';
import { ctx as kindCtx, failure } from '../../../test/support/kind-context.js';
import { TestLanguageModel, type MockCursor } from '../../models/test-provider.js';
import type { Decision, ExecResult } from '../../runtime.js';
import { validateFlow } from '../../index.js';
import { ASK_PERSON_TOOL, AskPersonConfig, askPersonTools } from './ask-person.js';
import { agentExecutor } from './execute.js';
import { AgentConfig, agentSpec } from './spec.js';

const quantity = { type: 'object', properties: { quantity: { type: 'integer', minimum: 1 } }, required: ['quantity'] };
const asks: MockReply[] = [{ toolCalls: [{ tool: ASK_PERSON_TOOL, args: { question: 'How many widgets?' } }] }, { text: 'Ordering them.' }];

/** The agent `buyer` with its model's prompts recorded; `saved` is its progress as it saves it. */
function agent(askPerson: Record<string, unknown> | undefined, options: { replies?: MockReply[]; state?: unknown; cursor?: MockCursor; resume?: Decision } = {}) {
  const prompts: LanguageModelV3Prompt[] = [];
  const saved: unknown[] = [];
  const cursor = options.cursor ?? { value: 0 };
  const replies = options.replies ?? asks;
  const config = AgentConfig.parse({ model: 'test:m', instructions: 'You buy things.', prompt: 'Order widgets', ...(askPerson ? { askPerson } : {}) });
  const ctx = kindCtx(config, {}, {
    node: { id: 'buyer', type: 'agent' },
    cursor,
    ...(options.state === undefined ? {} : { state: options.state }),
    ...(options.resume ? { resume: { waitId: 'x', decision: options.resume } } : {}),
    save: async (progress) => void saved.push(structuredClone(progress)),
    model: (id) => {
      const inner = new TestLanguageModel(id, 'buyer', replies, cursor);
      return Object.assign(Object.create(inner) as TestLanguageModel, {
        doStream: (o: LanguageModelV3CallOptions) => (prompts.push(o.prompt), inner.doStream(o)),
        doGenerate: (o: LanguageModelV3CallOptions) => (prompts.push(o.prompt), inner.doGenerate(o)),
      });
    },
  });
  return { ctx, prompts, saved, cursor };
}

const waitOf = (r: ExecResult) => {
  if (r.status !== 'wait') throw new Error(`expected a wait, got ${r.status}`);
  return r;
};

/** The tool result the model read last. */
const lastToolResult = (prompt: LanguageModelV3Prompt) => {
  const tool = prompt.filter((m) => m.role === 'tool').at(-1);
  return tool?.content.find((p) => p.type === 'tool-result');
};

describe('agent: ask a person (config)', () => {
  it('is off unless enabled; on, the model gets ask_a_person taking a question', () => {
    expect(askPersonTools(AgentConfig.parse({ instructions: 'x' }))).toEqual([]);
    expect(askPersonTools({ askPerson: AskPersonConfig.parse({}) })).toEqual([]);
    const [tool] = askPersonTools({ askPerson: AskPersonConfig.parse({ enabled: true, description: 'Ask the buyer' }) });
    expect(tool).toMatchObject({ name: 'ask_a_person', description: 'Ask the buyer', inputSchema: { required: ['question'] } });
    expect(AskPersonConfig.parse({ enabled: true }).onTimeout).toBe('tell-agent');
  });

  it('asks for a default answer when a timeout takes it, and has inspector fields', () => {
    const check = (askPerson: Record<string, unknown>) =>
      agentSpec.check!(AgentConfig.parse({ instructions: 'x', askPerson }), { nodeId: 'a', upstream: { has: () => true }, vars: new Set(), extraRoots: new Set() });
    expect(check({ enabled: true, timeoutMs: 5_000, onTimeout: 'default' })).toEqual([expect.objectContaining({ path: ['askPerson', 'defaultAnswer'] })]);
    expect(check({ enabled: true, timeoutMs: 5_000, onTimeout: 'default', defaultAnswer: { answer: 'no' } })).toEqual([]);
    expect(agentSpec.fields.map((f) => f.path)).toEqual(expect.arrayContaining(['askPerson.enabled', 'askPerson.schema', 'askPerson.onTimeout']));
    expect(AgentConfig.safeParse({ instructions: 'x', askPerson: { enabled: true, onTimeout: 'route' } }).success).toBe(false);
  });

  it('is a valid flow config', () => {
    const result = validateFlow({
      schema: 'trellis.flow/v1',
      id: 'f',
      name: 'f',
      nodes: [
        { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: {} },
        { id: 'buyer', type: 'agent', position: { x: 0, y: 0 }, config: { model: 'test:m', instructions: 'x', askPerson: { enabled: true, schema: quantity } } },
      ],
      edges: [{ id: 'e', source: 'in', sourceHandle: 'out', target: 'buyer', targetHandle: 'in' }],
    });
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
  });
});

describe('agent: ask a person (the loop)', () => {
  it('waits on a question per tool call, with the form, the deadline and who asked', async () => {
    const { ctx, saved } = agent({ enabled: true, schema: quantity, timeoutMs: 60_000, defaultAnswer: { quantity: 1 } });
    const result = waitOf(await agentExecutor.execute(ctx));
    expect(result.wait).toEqual({
      id: 'buyer:buyer-call-1-1',
      kind: 'question',
      message: 'How many widgets?',
      schema: { ...quantity, default: { quantity: 1 } },
      timeoutMs: 60_000,
      payload: { tool: 'ask_a_person', agent: 'buyer' },
    });
    expect(saved.at(-1)).toMatchObject({ asked: [{ toolCallId: 'buyer-call-1-1', question: 'How many widgets?' }] });
    expect(ctx.events.filter((e) => e.type === 'node.tool_call')).toEqual([expect.objectContaining({ data: expect.objectContaining({ tool: 'ask_a_person', args: { question: 'How many widgets?' } }) })]);
  });

  it('gives the answer to the model as the tool result, once, and goes on to the answer', async () => {
    const first = agent({ enabled: true, schema: quantity });
    const waiting = waitOf(await agentExecutor.execute(first.ctx));
    const resumed = agent({ enabled: true, schema: quantity }, { state: waiting.state, cursor: first.cursor, resume: { approved: true, answer: { quantity: 12 }, by: 'ana' } });
    const done = await agentExecutor.execute(resumed.ctx);
    expect(done).toMatchObject({ status: 'done', output: 'Ordering them.' });
    expect(resumed.prompts).toHaveLength(1);
    expect(lastToolResult(resumed.prompts[0]!)).toMatchObject({ toolCallId: 'buyer-call-1-1', toolName: 'ask_a_person', output: { type: 'json', value: { quantity: 12 } } });
    expect(resumed.ctx.events.find((e) => e.type === 'node.tool_result')).toMatchObject({ data: { tool: 'ask_a_person', result: { quantity: 12 } } });
    // The progress saved after the answer holds it: run again from there (no resume), it is not asked or given twice.
    const again = agent({ enabled: true, schema: quantity }, { state: resumed.saved[0], cursor: { value: 1 } });
    expect(await agentExecutor.execute(again.ctx)).toMatchObject({ status: 'done', output: 'Ordering them.' });
    expect(again.prompts[0]!.filter((m) => m.role === 'tool').flatMap((m) => m.content)).toHaveLength(1);
  });

  it('asks two questions of one turn one after the other', async () => {
    const replies: MockReply[] = [{ toolCalls: [{ tool: ASK_PERSON_TOOL, args: { question: 'Which colour?' } }, { tool: ASK_PERSON_TOOL, args: { question: 'How many?' } }] }, { text: 'Done.' }];
    const first = agent({ enabled: true }, { replies });
    const one = waitOf(await agentExecutor.execute(first.ctx));
    expect(one.wait.message).toBe('Which colour?');
    const second = agent({ enabled: true }, { replies, state: one.state, cursor: first.cursor, resume: { approved: true, answer: { answer: 'red' } } });
    const two = waitOf(await agentExecutor.execute(second.ctx));
    expect(two.wait).toMatchObject({ id: 'buyer:buyer-call-1-2', message: 'How many?' });
    const third = agent({ enabled: true }, { replies, state: two.state, cursor: first.cursor, resume: { approved: true, answer: { answer: '3' } } });
    expect(await agentExecutor.execute(third.ctx)).toMatchObject({ status: 'done', output: 'Done.' });
    const results = third.prompts[0]!.filter((m) => m.role === 'tool').flatMap((m) => m.content);
    expect(results.map((p) => p.type === 'tool-result' && p.output)).toEqual([{ type: 'json', value: { answer: 'red' } }, { type: 'json', value: { answer: '3' } }]);
  });

  it('at a timeout tells the agent nobody answered, takes the default answer, or fails, as configured', async () => {
    const timedOut = { approved: false, timedOut: true };
    const run = async (askPerson: Record<string, unknown>) => {
      const first = agent(askPerson);
      const waiting = waitOf(await agentExecutor.execute(first.ctx));
      const resumed = agent(askPerson, { state: waiting.state, cursor: first.cursor, resume: timedOut });
      return { result: agentExecutor.execute(resumed.ctx), resumed };
    };
    const told = await run({ enabled: true, timeoutMs: 5_000 });
    expect(await told.result).toMatchObject({ status: 'done', output: 'Ordering them.' });
    expect(lastToolResult(told.resumed.prompts[0]!)).toMatchObject({ output: { type: 'text', value: 'No answer in time: nobody answered within 5000 ms. Go on without it.' } });

    const taken = await run({ enabled: true, timeoutMs: 5_000, onTimeout: 'default', defaultAnswer: { answer: 'ten' } });
    expect(await taken.result).toMatchObject({ status: 'done' });
    expect(lastToolResult(taken.resumed.prompts[0]!)).toMatchObject({ output: { type: 'json', value: { answer: 'ten' } } });

    const failed = await run({ enabled: true, timeoutMs: 5_000, onTimeout: 'fail' });
    const error = await failure(failed.result);
    expect(error.code).toBe('question_timed_out');
    expect(error.message).toMatch(/no answer to the question of agent "buyer": nobody answered within 5000 ms/);
    expect(failed.resumed.prompts).toHaveLength(0);
  });
});
