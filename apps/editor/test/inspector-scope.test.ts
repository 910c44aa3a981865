import { FLOW_SCHEMA_V1, type Flow, type ModelCatalog } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { branchIdProblem, danglingBranchEdges, moveItem, readBranches, uniqueBranchId } from '../src/inspector/branches.js';
import { adviseModel } from '../src/inspector/model-choice.js';
import { renderTemplate } from '@trellis/nodes/server';
import { checkTemplateLeaves, checkTemplateText, templateEnv, templateScope } from '../src/inspector/scope.js';

/** in → classify → route (condition) → draft; an agent after route with a tool wired to it. */
function flow(): Flow {
  return {
    schema: FLOW_SCHEMA_V1,
    id: 'f',
    name: 'F',
    vars: { company: 'Parcelo' },
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object', properties: { message: { type: 'string' } } } } },
      { id: 'classify', type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:echo', prompt: { template: '{{ input.message }}' }, output: { schema: { type: 'object', properties: { category: { type: 'string' } } } } } },
      { id: 'route', type: 'condition', position: { x: 0, y: 0 }, config: { branches: [{ id: 'billing', when: "nodes.classify.output.category == 'billing'" }] } },
      { id: 'draft', type: 'prompt', position: { x: 0, y: 0 }, config: { model: 'test:echo', prompt: { template: 'x' } } },
      { id: 'agent', type: 'agent', position: { x: 0, y: 0 }, config: { model: 'test:echo', instructions: 'Help', prompt: '{{ input }}', maxSteps: 4 } },
      { id: 'lookup', type: 'tool', position: { x: 0, y: 0 }, config: { tool: 'transform', expression: 'args' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'classify', targetHandle: 'in' },
      { id: 'e2', source: 'classify', sourceHandle: 'out', target: 'route', targetHandle: 'in' },
      { id: 'e3', source: 'route', sourceHandle: 'billing', target: 'draft', targetHandle: 'in' },
      { id: 'e4', source: 'route', sourceHandle: 'else', target: 'agent', targetHandle: 'in' },
      { id: 'e5', source: 'lookup', sourceHandle: 'tool', target: 'agent', targetHandle: 'tools' },
    ],
  };
}

describe('what a template may read', () => {
  it('knows the steps that run before a node, the vars, and the input', () => {
    const scope = templateScope(flow(), 'draft');
    const check = checkTemplateText('{{ input.message }} {{ nodes.classify.output.category }} {{ vars.company }}', scope);
    expect(check.variables).toEqual(['input.message', 'nodes.classify.output.category', 'vars.company']);
    expect(check.unknown).toEqual([]);
  });

  it('warns about a later step, the node itself, a missing var and an unknown root', () => {
    const scope = templateScope(flow(), 'classify');
    const check = checkTemplateText('{{ nodes.draft.output }} {{ nodes.classify.output }} {{ vars.nope }} {{ user.name }}', scope);
    expect(check.unknown).toEqual([
      '{{nodes.draft.output}}: "draft" is not a step that runs before this node',
      "{{nodes.classify.output}} refers to this node's own output",
      '{{vars.nope}}: the flow has no var "nope"',
      '{{user.name}}: unknown name "user" (use input, nodes.<id>.output or vars)',
    ]);
  });

  it("gives a tool wired to an agent the agent's scope plus args", () => {
    const scope = templateScope(flow(), 'lookup');
    expect(scope.extraRoots.has('args')).toBe(true);
    expect(checkTemplateText('{{ args.id }} {{ nodes.classify.output }}', scope).unknown).toEqual([]);
    expect(checkTemplateText('{{ args.id }}', templateScope(flow(), 'draft')).unknown).toHaveLength(1);
  });

  it('reports a template that does not parse', () => {
    const check = checkTemplateText('{{ input.message ', templateScope(flow(), 'draft'));
    expect(check.syntaxError).toBeTruthy();
    expect(check.variables).toEqual([]);
  });

  it("says a template does not parse in the runner's own words", async () => {
    const source = 'Hi {{ input.message | upcsae }}';
    const check = checkTemplateText(source, templateScope(flow(), 'draft'));
    expect(check.syntaxError).toBe('template does not parse: unknown filter "upcsae" (did you mean "upcase"?), line:1, col:4');
    await expect(renderTemplate(source, { input: { message: 'x' } })).rejects.toThrow(check.syntaxError!);
  });

  it('checks every string leaf of a template-json value', () => {
    const check = checkTemplateLeaves({ reply: '{{ nodes.classify.output }}', meta: ['{{ nodes.ghost.output }}', 3] }, templateScope(flow(), 'draft'));
    expect(check.variables).toEqual(['nodes.classify.output', 'nodes.ghost.output']);
    expect(check.unknown).toEqual(['{{nodes.ghost.output}}: "ghost" is not a step that runs before this node']);
  });

  it('offers names to complete under each path', () => {
    const env = templateEnv(flow(), 'draft');
    expect(env.complete([])).toEqual(['input', 'nodes', 'vars']);
    expect(env.complete(['nodes'])).toEqual(['in', 'classify', 'route']);
    expect(env.complete(['nodes', 'classify'])).toEqual(['output']);
    expect(env.complete(['nodes', 'classify', 'output'])).toEqual(['category']);
    expect(env.complete(['vars'])).toEqual(['company']);
    expect(env.complete(['input'])).toEqual(['message']);
  });
});

describe('condition branches', () => {
  const branches = readBranches([
    { id: 'billing', label: 'Billing', when: 'true' },
    { id: 'tech', when: 'false' },
  ]);

  it('moves, and finds a free id that is never "else"', () => {
    expect(moveItem(branches, 1, 0).map((b) => b.id)).toEqual(['tech', 'billing']);
    expect(moveItem(branches, 0, 5).map((b) => b.id)).toEqual(['billing', 'tech']);
    expect(uniqueBranchId(branches)).toBe('branch');
    expect(uniqueBranchId([...branches, { id: 'branch', when: 'true' }])).toBe('branch-2');
    expect(uniqueBranchId(branches, 'else')).toBe('else-2');
  });

  it('finds the wires a renamed branch leaves hanging (else always exists)', () => {
    const edges = flow().edges;
    expect(danglingBranchEdges('route', readBranches([{ id: 'billing', when: 'true' }]), edges)).toEqual([]);
    expect(danglingBranchEdges('route', readBranches([{ id: 'invoices', when: 'true' }]), edges).map((e) => e.id)).toEqual(['e3']);
  });

  it('says what is wrong with an id before the flow is validated', () => {
    expect(branchIdProblem(branches, 0)).toBeUndefined();
    expect(branchIdProblem([{ id: 'else', when: 'true' }], 0)).toMatch(/fallback/);
    expect(branchIdProblem([{ id: '', when: 'true' }], 0)).toMatch(/needs an id/);
    expect(branchIdProblem([{ id: '1st', when: 'true' }], 0)).toMatch(/start with a letter/);
    expect(branchIdProblem([...branches, { id: 'tech', when: 'x' }], 2)).toBe('another branch has the id "tech"');
  });
});

describe('model advice', () => {
  const catalog: ModelCatalog = {
    items: [
      { id: 'openai:gpt-4.1-mini', provider: 'openai', configured: false },
      { id: 'anthropic:claude-haiku-4-5', provider: 'anthropic', configured: true },
      { id: 'test:echo', provider: 'test', configured: true },
    ],
    providers: [
      { id: 'openai', configured: false, note: 'OPENAI_API_KEY is not set on the runner, so runs answer with the built-in test provider instead' },
      { id: 'anthropic', configured: true },
      { id: 'test', configured: true, note: 'built-in' },
    ],
  };

  it('warns when the provider has no key, saying what runs will do', () => {
    expect(adviseModel('openai:gpt-4.1-mini', catalog)).toEqual([
      { level: 'warning', message: 'No key for openai: OPENAI_API_KEY is not set on the runner, so runs answer with the built-in test provider instead.' },
    ]);
  });

  it('warns that runs fail with a provider the runner does not know, and about a malformed id', () => {
    expect(adviseModel('mistral:large', catalog)[0]?.message).toMatch(/knows no provider "mistral": runs of this node will fail/);
    expect(adviseModel('gpt-4', catalog)[0]?.message).toMatch(/provider:model/);
    expect(adviseModel('openai:', undefined)[0]?.message).toMatch(/provider:model/);
  });

  it('is quiet for a configured, priced model, and notes an unpriced one', () => {
    expect(adviseModel('anthropic:claude-haiku-4-5', catalog)).toEqual([]);
    expect(adviseModel('test:anything', catalog)).toEqual([]);
    expect(adviseModel('anthropic:claude-next', catalog)).toEqual([{ level: 'note', message: '"anthropic:claude-next" is not in the runner\'s price table: its cost shows as unknown.' }]);
  });
});
