import { describe, expect, it } from 'vitest';
import { nodePreview, oneLine, PREVIEW_MAX } from '../src/canvas/node-preview.js';

describe('nodePreview', () => {
  it('names a prompt’s model and the start of its prompt, or the library prompt it uses', () => {
    expect(nodePreview('prompt', { model: 'openai:gpt-4.1-mini', prompt: { template: 'Classify   this\nticket: {{ input.message }}' } })).toBe('gpt-4.1-mini · Classify this ticket: {{ input.message }}');
    expect(nodePreview('prompt', { model: 'anthropic:claude-x', prompt: { ref: 'triage-classifier@3' } })).toBe('claude-x · prompt triage-classifier@3');
  });

  it('names an agent’s model and the start of its instructions, or their library prompt', () => {
    expect(nodePreview('agent', { model: 'openai:gpt-4.1', instructions: 'You lead a team.' })).toBe('gpt-4.1 · You lead a team.');
    expect(nodePreview('agent', { model: 'openai:gpt-4.1', instructions: { ref: 'researcher@latest' } })).toBe('gpt-4.1 · prompt researcher@latest');
  });

  it('shows a condition’s branch expressions and a guardrail’s rule count', () => {
    expect(nodePreview('condition', { branches: [{ id: 'a', when: 'x > 1' }, { id: 'b', when: "y == 'z'" }] })).toBe("x > 1 | y == 'z'");
    expect(nodePreview('guardrail', { value: '{{ input.message }}', rules: [{}, {}] })).toBe('2 rules · {{ input.message }}');
    expect(nodePreview('guardrail', { rules: [{}] })).toBe('1 rule');
  });

  it('shows a tool’s method and host, or its kind and name', () => {
    expect(nodePreview('tool', { tool: 'http', name: 'status', http: { method: 'POST', url: 'https://status.example.com/api/v2/summary.json' } })).toBe('POST · status.example.com · status');
    expect(nodePreview('tool', { tool: 'http', http: { url: '{{ vars.api }}/items' } })).toBe('GET · {{ vars.api }}/items');
    expect(nodePreview('tool', { tool: 'code', name: 'score' })).toBe('code · score');
    expect(nodePreview('tool', { tool: 'mcp', mcp: { server: 'fake', tool: 'echo' } })).toBe('MCP · fake · echo');
    expect(nodePreview('subflow', { flow: 'enrich', version: 3 })).toBe('flow enrich · v3');
  });

  it('shows what a person is asked, what a container goes over, and what an output returns', () => {
    expect(nodePreview('approval', { message: 'Sign off the refund' })).toBe('Sign off the refund');
    expect(nodePreview('human-input', { question: 'Which plan?' })).toBe('Which plan?');
    expect(nodePreview('map', { items: 'input.documents' })).toBe('over input.documents');
    expect(nodePreview('loop', { until: "output.verdict == 'pass'", maxIterations: 3 })).toBe("until output.verdict == 'pass' · max 3");
    expect(nodePreview('output', { value: { route: 'x', reply: 'y' } })).toBe('{ route, reply }');
    expect(nodePreview('output', { value: 'Hello {{ input.name }}' })).toBe('Hello {{ input.name }}');
    expect(nodePreview('input', { schema: { properties: { message: {}, customerId: {} } } })).toBe('message, customerId');
  });

  it('cuts long text with an ellipsis', () => {
    const long = nodePreview('approval', { message: 'word '.repeat(100) });
    expect(long.length).toBe(PREVIEW_MAX);
    expect(long.endsWith('…')).toBe(true);
    expect(oneLine('abcdef', 4)).toBe('abc…');
  });

  it('never throws on a half-edited config', () => {
    for (const type of ['prompt', 'agent', 'condition', 'guardrail', 'tool', 'subflow', 'approval', 'human-input', 'map', 'loop', 'output', 'input', 'nonesuch']) {
      for (const config of [undefined, null, 42, 'text', [], {}, { branches: 'x', rules: 3, http: null, prompt: [1], schema: { properties: 7 }, value: () => 1 }]) {
        expect(typeof nodePreview(type, config)).toBe('string');
      }
    }
    expect(nodePreview('condition', { branches: [null, { when: 3 }, { when: 'ok' }] })).toBe('ok');
  });
});
