import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { kinds } from '@trellis/nodes';
import type { ApiClient } from '../src/api.js';
import { McpToolsField } from '../src/inspector/fields/McpToolsField.js';
import { chooseAll, chooseTool, isChosen, listRequest, missingTools, needsApproval, readMcp, setApproval } from '../src/inspector/mcp-tools.js';

const listed = ['lookup_order', 'echo', 'fail'];

describe("an MCP tool node's tools form logic", () => {
  it('reads a half-edited mcp object without throwing', () => {
    expect(readMcp(undefined)).toEqual({});
    expect(readMcp({ url: 'https://x.example/mcp', tools: ['a', 3], approval: 'junk' })).toEqual({ url: 'https://x.example/mcp', tools: ['a'] });
  });

  it('absent tools means all; taking one away from all keeps the other listed ones', () => {
    const all = readMcp({ url: 'u' });
    expect(isChosen(all, 'echo')).toBe(true);
    const without = chooseTool(all, 'echo', false, listed);
    expect(without.tools).toEqual(['lookup_order', 'fail']);
    expect(chooseTool(without, 'echo', true, listed).tools).toEqual(['lookup_order', 'fail', 'echo']);
    expect(chooseAll(without, true, listed)).toEqual({ url: 'u' });
    expect(chooseAll({ url: 'u' }, false, listed).tools).toEqual(listed);
  });

  it('marks tools for approval, removing an emptied list', () => {
    const marked = setApproval({ url: 'u' }, 'fail', true);
    expect(needsApproval(marked, 'fail')).toBe(true);
    expect(setApproval(marked, 'fail', false)).toEqual({ url: 'u' });
  });

  it('asks the runner for a URL server (with its headers) or a stdio server, and says what is missing', () => {
    expect(listRequest({ url: ' https://x.example/mcp ', headers: { authorization: 'Bearer t' } })).toEqual({ url: 'https://x.example/mcp', headers: { authorization: 'Bearer t' } });
    expect(listRequest({ server: 'files' })).toEqual({ server: 'files' });
    expect(listRequest({})).toMatch(/server URL or a stdio server/);
    expect(listRequest({ url: 'u', server: 's' })).toMatch(/not both/);
  });

  it('names chosen tools the server no longer lists', () => {
    expect(missingTools({ tools: ['echo', 'gone'] }, listed)).toEqual(['gone']);
    expect(missingTools({}, listed)).toEqual([]);
  });

  it('the tool kind draws the widget over the whole mcp object, after the fields inside it', () => {
    const paths = kinds.get('tool')!.fields.filter((f) => f.showWhen?.equals.includes('mcp')).map((f) => [f.path, f.widget]);
    expect(paths.at(-1)).toEqual(['mcp', 'mcp-tools']);
  });
});

describe('the MCP tools field', () => {
  const hint = kinds.get('tool')!.fields.find((f) => f.widget === 'mcp-tools')!;
  const render = (value: unknown) =>
    renderToStaticMarkup(createElement(McpToolsField, { hint, value, write: () => {}, problems: [], fieldId: 'f', api: {} as ApiClient }));

  it('offers "Load tools" once a server is given, and shows the saved choice until then', () => {
    const empty = render({});
    expect(empty).toMatch(/<button[^>]*disabled[^>]*>Load tools<\/button>/);
    expect(empty).toContain('Give a server URL or a stdio server first.');
    const chosen = render({ url: 'https://x.example/mcp', tools: ['echo'], approval: ['echo'] });
    expect(chosen).toMatch(/<button type="button"(?![^>]*disabled)[^>]*>Load tools<\/button>/);
    expect(chosen).toContain('Chosen: echo. Needing approval: echo.');
  });
});
