/**
 * The form logic of an MCP tool node's tools (the `mcp-tools` widget, at the config's `mcp`):
 * which of the server's tools the agent gets (`tools`; absent: all, today's and tomorrow's) and
 * which wait for a person (`approval`). Pure, so it is tested without a browser.
 */
import type { McpToolsRequest } from '@trellis/schema';

export interface McpDraft {
  url?: string;
  server?: string;
  headers?: Record<string, string>;
  tools?: string[];
  approval?: string[];
  [key: string]: unknown;
}

const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);

/** The `mcp` object as the form reads it, whatever half-edited shape the config is in. */
export function readMcp(value: unknown): McpDraft {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const draft: McpDraft = { ...(value as Record<string, unknown>) };
  const tools = strings(draft.tools);
  const approval = strings(draft.approval);
  if (tools) draft.tools = tools;
  else delete draft.tools;
  if (approval) draft.approval = approval;
  else delete draft.approval;
  return draft;
}

/** Whether the agent gets this tool. */
export const isChosen = (mcp: McpDraft, name: string): boolean => !mcp.tools || mcp.tools.includes(name);
export const needsApproval = (mcp: McpDraft, name: string): boolean => mcp.approval?.includes(name) ?? false;

/** All tools (no `tools` key, so a tool the server adds later comes too), or exactly the ones listed now. */
export function chooseAll(mcp: McpDraft, all: boolean, listed: readonly string[]): McpDraft {
  const { tools: _tools, ...rest } = mcp;
  return all ? rest : { ...rest, tools: [...listed] };
}

/** Gives the agent a tool or takes it away; from "all", taking one away keeps every other listed one. */
export function chooseTool(mcp: McpDraft, name: string, chosen: boolean, listed: readonly string[]): McpDraft {
  const current = mcp.tools ?? [...listed];
  const tools = chosen ? (current.includes(name) ? current : [...current, name]) : current.filter((t) => t !== name);
  return { ...mcp, tools };
}

/** Marks a tool as needing approval or not; an empty list is removed. */
export function setApproval(mcp: McpDraft, name: string, on: boolean): McpDraft {
  const current = mcp.approval ?? [];
  const approval = on ? (current.includes(name) ? current : [...current, name]) : current.filter((t) => t !== name);
  const { approval: _approval, ...rest } = mcp;
  return approval.length ? { ...rest, approval } : rest;
}

/** What to ask the runner for, or why the form cannot ask yet. */
export function listRequest(mcp: McpDraft): McpToolsRequest | string {
  const url = typeof mcp.url === 'string' ? mcp.url.trim() : '';
  const server = typeof mcp.server === 'string' ? mcp.server.trim() : '';
  if (url && server) return 'Give a server URL or a stdio server, not both.';
  if (!url && !server) return 'Give a server URL or a stdio server first.';
  if (server) return { server };
  const headers = mcp.headers && typeof mcp.headers === 'object' ? Object.fromEntries(Object.entries(mcp.headers).filter(([, v]) => typeof v === 'string')) : undefined;
  return { url, ...(headers && Object.keys(headers).length ? { headers } : {}) };
}

/** Chosen tools the server no longer lists (a stale choice the run would refuse). */
export function missingTools(mcp: McpDraft, listed: readonly string[]): string[] {
  return (mcp.tools ?? []).filter((t) => !listed.includes(t));
}
