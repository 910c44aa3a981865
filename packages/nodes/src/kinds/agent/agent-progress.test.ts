/**
 * The agent kind's loop with a hand-built context (no engine): progress saved after every turn,
 * a step given saved progress going on without repeating the turns in it, a waiting run saved
 * before handoffs existed resuming, and attached agents answering from their own mock replies.
 */
import { describe, expect, it } from 'vitest';
import type { FlowNode, MockReply } from '@trellis/schema';
import { TestLanguageModel, type MockCursor } from '../../models/test-provider.js';
import type { AttachedNode, AttachedTool, ExecContext, ExecResult, NodeEmission } from '../../runtime.js';
import { AgentConfig } from './spec.js';
import { agentExecutor } from './execute.js';

interface Built {
  ctx: ExecContext<AgentConfig>;
  events: NodeEmission[];
  saved: unknown[];
  /** Model calls made, by node id. */
  calls: string[];
}

/**
 * A context for agent `id`; `attached` names the agents on its handles (built the same way,
 * sharing events and calls), `tools` the tools on its `tools`.
 */
function build(
  id: string,
  config: Partial<AgentConfig>,
  replies: Record<string, MockReply[]>,
  options: { attached?: Record<string, { tools?: string[]; handoffs?: string[] }>; configs?: Record<string, Partial<AgentConfig>>; tools?: AttachedTool[]; state?: unknown; cursors?: Record<string, MockCursor> } = {},
): Built {
  const events: NodeEmission[] = [];
  const saved: unknown[] = [];
  const calls: string[] = [];
  const cursors = options.cursors ?? {};
  const make = (nodeId: string, own: Partial<AgentConfig>): ExecContext<AgentConfig> => {
    const node: FlowNode = { id: nodeId, type: 'agent', position: { x: 0, y: 0 }, config: {} };
    const cursor = (cursors[nodeId] ??= { value: 0 });
    const attached = (handle: string): AttachedNode[] => {
      const ids = options.attached?.[nodeId]?.[handle as 'tools' | 'handoffs'] ?? [];
      const agents = ids.map((a) => {
        const context = make(a, options.configs?.[a] ?? {});
        return { nodeId: a, node: context.node, context: context as ExecContext<unknown> };
      });
      const tools = handle === 'tools' && nodeId === id ? (options.tools ?? []).map((t) => ({ nodeId: t.nodeId, node: { ...node, id: t.nodeId, type: 'tool' }, context: undefined as never, tool: t })) : [];
      return [...agents, ...tools];
    };
    return {
      runId: 'run-1',
      node,
      config: AgentConfig.parse({ instructions: `You are ${nodeId}.`, model: 'test:m', ...own }),
      scope: { input: { message: 'hi' }, nodes: {}, vars: {} },
      signal: new AbortController().signal,
      attempt: 1,
      emit: (e) => events.push(e),
      model: (m) => {
        calls.push(nodeId);
        return new TestLanguageModel(m, nodeId, replies[nodeId] ?? [], cursor);
      },
      tools: (handle) => attached(handle).flatMap((a) => (a.tool ? [a.tool] : [])),
      attached,
      promptTemplate: () => Promise.reject(new Error('no library')),
      network: { allowPrivateNetwork: false },
    };
  };
  const ctx = make(id, config);
  ctx.save = async (progress) => void saved.push(structuredClone(progress));
  if (options.state !== undefined) ctx.state = options.state;
  return { ctx, events, saved, calls };
}

const done = (r: ExecResult) => {
  if (r.status !== 'done') throw new Error(`expected done, got ${r.status}`);
  return r;
};

const lookup = (): AttachedTool => ({
  nodeId: 't',
  name: 'lookup',
  description: 'Looks an id up',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
  requiresApproval: false,
  execute: async (args) => ({ found: args.id }),
});

describe('agent: progress and resume', () => {
  it('saves its progress after every model turn, and given saved progress goes on without repeating those turns', async () => {
    const replies = { a: [{ toolCalls: [{ tool: 'lookup', args: { id: '7' } }] }, { text: 'Found 7.' }] };
    const first = build('a', {}, replies, { tools: [lookup()] });
    expect(done(await agentExecutor.execute(first.ctx)).output).toBe('Found 7.');
    expect(first.saved).toHaveLength(2);

    // As after a crash during the second turn: the first turn (and its tool call) is kept.
    const again = build('a', {}, replies, { tools: [lookup()], state: first.saved[0], cursors: { a: { value: 1 } } });
    expect(done(await agentExecutor.execute(again.ctx)).output).toBe('Found 7.');
    expect(again.calls).toEqual(['a']);
    expect(again.events.filter((e) => e.type === 'node.tool_call')).toEqual([]);
  });

  it('resumes a waiting step saved before handoffs existed', async () => {
    const legacy = {
      messages: [{ role: 'user', content: 'hi' }],
      stepsUsed: 1,
      pending: [],
      answered: [],
    };
    const b = build('a', { maxSteps: 2 }, { a: [{ text: 'Back again.' }] }, { state: legacy });
    const r = done(await agentExecutor.execute(b.ctx));
    expect(r.output).toBe('Back again.');
    expect(r.decision).toEqual({ steps: 2 });
  });
});

describe('agent: attached agents', () => {
  it('a handoff target answers from its own replies, under its own instructions, and may hand back', async () => {
    const b = build(
      'front',
      {},
      {
        front: [{ toolCalls: [{ tool: 'transfer_to_desk', args: { reason: 'desk work' } }] }, { text: 'All done, from the front.' }],
        desk: [{ toolCalls: [{ tool: 'transfer_to_front', args: { reason: 'finished' } }] }],
      },
      { attached: { front: { handoffs: ['desk'] } } },
    );
    const r = done(await agentExecutor.execute(b.ctx));
    expect(r.output).toBe('All done, from the front.');
    expect(b.calls).toEqual(['front', 'desk', 'front']);
    expect(b.events.filter((e) => e.type === 'node.handoff').map((e) => [e.data.from, e.data.to])).toEqual([['front', 'desk'], ['desk', 'front']]);
    expect(r.decision).toMatchObject({ steps: 3, agent: 'front' });
  });

  it('a worker whose own steps run out fails as a tool: the orchestrator reads the error', async () => {
    const b = build(
      'boss',
      {},
      {
        boss: [{ toolCalls: [{ tool: 'w', args: { task: 'loop forever' } }] }, { text: 'The worker gave up.' }],
        w: [{ toolCalls: [{ tool: 'w2', args: { task: 'x' } }] }],
        w2: [{ text: 'ok' }],
      },
      { attached: { boss: { tools: ['w'] }, w: { tools: ['w2'] } }, configs: { w: { maxSteps: 1 } } },
    );
    const r = done(await agentExecutor.execute(b.ctx));
    expect(r.output).toBe('The worker gave up.');
    const result = b.events.find((e) => e.type === 'node.tool_result' && e.data.tool === 'w');
    expect(result?.data).toMatchObject({ error: expect.stringMatching(/agent "w" used all 1 steps/) });
  });
});
