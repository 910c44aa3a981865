/** An agent gathers the tools of attached nodes that offer several (`toolset`: an MCP server's) once per step. */
import { describe, expect, it } from 'vitest';
import type { AttachedNode, AttachedTool } from '../../runtime.js';
import { ctx, done, failure } from '../../../test/support/kind-context.js';
import { AgentConfig } from './spec.js';
import { agentExecutor } from './execute.js';

const config = AgentConfig.parse({ model: 'test:m', instructions: 'Help.', prompt: 'Where is order 7?', maxSteps: 5 });

function tool(nodeId: string, name: string, calls: string[]): AttachedTool {
  return {
    nodeId,
    name,
    description: name,
    inputSchema: { type: 'object', properties: { id: { type: 'string' } } },
    requiresApproval: false,
    execute: async (args) => (calls.push(`${name}:${String(args.id)}`), { ok: name }),
  };
}

function attachedWith(toolset: () => Promise<AttachedTool[]>, own?: AttachedTool): AttachedNode[] {
  return [
    { nodeId: 'mcp', node: { id: 'mcp', type: 'tool', position: { x: 0, y: 0 }, config: {} }, context: undefined as never, toolset },
    ...(own ? [{ nodeId: own.nodeId, node: { id: own.nodeId, type: 'tool', position: { x: 0, y: 0 }, config: {} }, context: undefined as never, tool: own }] : []),
  ];
}

describe('agent: toolsets', () => {
  it("offers a toolset's tools beside plain tools, and asks for the toolset once per step", async () => {
    const calls: string[] = [];
    let asked = 0;
    const toolset = async () => (asked++, [tool('mcp', 'lookup_order', calls), tool('mcp', 'echo', calls)]);
    const c = ctx(config, {}, {
      node: { id: 'a' },
      replies: [{ toolCalls: [{ tool: 'lookup_order', args: { id: '7' } }] }, { toolCalls: [{ tool: 'http_get', args: { id: '8' } }] }, { text: 'Shipped.' }],
      attached: (handle) => (handle === 'tools' ? attachedWith(toolset, tool('h', 'http_get', calls)) : []),
    });
    expect(done(await agentExecutor.execute(c)).output).toBe('Shipped.');
    expect(calls).toEqual(['lookup_order:7', 'http_get:8']);
    expect(asked).toBe(1);
    expect(c.events.find((e) => e.type === 'node.tool_result')?.data).toMatchObject({ tool: 'lookup_order', toolNodeId: 'mcp', result: { ok: 'lookup_order' } });
  });

  it('a toolset that fails fails the step with its error', async () => {
    const c = ctx(config, {}, {
      node: { id: 'a' },
      replies: [{ text: 'never' }],
      attached: (handle) => (handle === 'tools' ? attachedWith(() => Promise.reject(new Error('the MCP server is down'))) : []),
    });
    await expect(agentExecutor.execute(c)).rejects.toThrow('the MCP server is down');
  });

  it('a toolset tool named like another tool is refused, naming both nodes', async () => {
    const calls: string[] = [];
    const c = ctx(config, {}, {
      node: { id: 'a' },
      replies: [{ text: 'never' }],
      attached: (handle) => (handle === 'tools' ? attachedWith(async () => [tool('mcp', 'lookup', calls)], tool('h', 'lookup', calls)) : []),
    });
    const e = await failure(agentExecutor.execute(c));
    expect(e.message).toMatch(/two tools named "lookup" \(node "mcp" and node "h"\)/);
  });
});
