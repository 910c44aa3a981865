/**
 * The `mcp` variant of the tool kind, as the editor and the loader see it: its config, its checks
 * and its fields. The client that talks to the server lives in ./mcp.ts (server side only).
 */
import type { CheckContext } from '@trellis/schema';
import { z } from 'zod';
import type { FieldHint, KindProblem } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { common } from './common.js';

/** An MCP tool's name as the server gives it (the spec allows letters, digits, `_`, `-`, `.`; some servers use more). */
const McpToolName = z.string().min(1).max(128);

export const McpToolConfig = z.object({
  tool: z.literal('mcp'),
  /**
   * `name`, when set, prefixes every tool of the server (`<name>_<tool>`), so two servers with a
   * tool of one name can serve one agent; `requiresApproval` makes every call wait for a person.
   */
  ...common,
  mcp: z.object({
    /** A streamable HTTP server; reached through the same private-address guard as the HTTP tool. */
    url: z.string().max(8_000).optional(),
    /**
     * A stdio server by its name in the runner's configuration (TRELLIS_MCP_SERVERS). A flow
     * never carries a command: the operator decides what the runner may start.
     */
    server: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _, . or -').optional(),
    /** Sent with every request to a `url` server; values are templates over the run scope. */
    headers: z.record(z.string(), z.string().max(8_000)).optional(),
    /** The server's tools an agent gets; absent: all of them. */
    tools: z.array(McpToolName).max(500).optional(),
    /** The tools (by the server's names) whose every call waits for a person's approval. */
    approval: z.array(McpToolName).max(500).optional(),
    /** As a step of its own (not wired to an agent): the one tool the node calls, and its arguments (string leaves are templates). */
    call: z.object({ tool: McpToolName, args: z.unknown().optional() }).optional(),
    /** Bound on connecting, and on each request to the server. */
    timeoutMs: z.number().int().min(1_000).max(600_000).default(30_000),
  }),
});
export type McpToolConfig = z.infer<typeof McpToolConfig>;

export function checkMcp(config: McpToolConfig, ctx: CheckContext): KindProblem[] {
  const { mcp } = config;
  const problems: KindProblem[] = [];
  if ((mcp.url === undefined) === (mcp.server === undefined)) {
    problems.push({ code: 'invalid_config', path: ['mcp'], message: 'an MCP tool needs exactly one of `url` (a streamable HTTP server) or `server` (a stdio server the runner lists)' });
  }
  if (mcp.url !== undefined && !/^https?:\/\/[^\s]+$/i.test(mcp.url)) {
    problems.push({ code: 'invalid_config', path: ['mcp', 'url'], message: `"${mcp.url}" is not an http(s) URL` });
  }
  const chosen = mcp.tools ? new Set(mcp.tools) : undefined;
  (mcp.approval ?? []).forEach((name, i) => {
    if (chosen && !chosen.has(name)) {
      problems.push({ code: 'invalid_config', path: ['mcp', 'approval', i], severity: 'warning', message: `"${name}" needs approval but is not among the chosen tools` });
    }
  });
  if (!mcp.call && !ctx.attachedTo?.length) {
    problems.push({
      code: 'invalid_wiring',
      path: ['mcp', 'call'],
      message: "an MCP tool gives its server's tools to an agent: wire its \"As tool\" handle to an agent's tools, or set `mcp.call` to call one tool as a step",
    });
  }
  problems.push(...templateLeaves(mcp.headers, ['mcp', 'headers']).flatMap(([t, path]) => checkTemplate(t, ctx, path)));
  problems.push(...templateLeaves(mcp.call?.args, ['mcp', 'call', 'args']).flatMap(([t, path]) => checkTemplate(t, ctx, path)));
  return problems;
}

const onlyMcp = { path: 'tool', equals: ['mcp'] } as const;

// The tools widget edits the whole `mcp` object, so it comes last: a problem inside `mcp` shows at
// the first field whose path it is under.
export const mcpFields: readonly FieldHint[] = [
  { path: 'mcp.url', label: 'Server URL', widget: 'text', help: 'A streamable HTTP MCP server. Leave empty to use a stdio server.', showWhen: onlyMcp },
  { path: 'mcp.server', label: 'Stdio server', widget: 'text', help: "A server named in the runner's TRELLIS_MCP_SERVERS file.", showWhen: onlyMcp },
  { path: 'mcp.headers', label: 'Headers', widget: 'template-json', showWhen: onlyMcp },
  { path: 'mcp.call', label: 'Call as a step', widget: 'json', help: 'Only when not wired to an agent: { "tool": "…", "args": { … } }.', showWhen: onlyMcp },
  { path: 'mcp.timeoutMs', label: 'Timeout (ms)', widget: 'number', showWhen: onlyMcp },
  { path: 'mcp', label: 'Tools', widget: 'mcp-tools', help: "Load the server's tools, choose the ones the agent gets, and which need approval. A Tool name, when set, prefixes each (name_tool).", showWhen: onlyMcp },
];
