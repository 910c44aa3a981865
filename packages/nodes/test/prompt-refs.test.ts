/**
 * Library prompts in node configs: the `{ template } | { ref }` and `text | { ref }` unions, the
 * checks (inline text only), the editor hints, and the one lister of a flow's references.
 */
import { describe, expect, it } from 'vitest';
import type { Problem } from '@trellis/schema';
import { edge, flow as testFlow } from '@trellis/test-support/flows';
import { flowSchema, kinds, promptReferences, validateFlow } from '../src/index.js';
import { PromptConfig } from '../src/kinds/prompt/spec.js';
import { AgentConfig } from '../src/kinds/agent/spec.js';

type Json = Record<string, unknown>;

const flow = (nodes: Json[], edges: Json[] = []): Json => testFlow(nodes, edges, { id: 'f' });
const input = { id: 'in', type: 'input', config: {} };

function configProblems(nodeConfig: Json, type = 'prompt'): Problem[] {
  const r = validateFlow(flow([input, { id: 'n', type, config: nodeConfig }], [edge('e1', 'in', 'n')]));
  return r.problems.filter((p) => p.nodeId === 'n');
}

describe('prompt node config: an inline template or a library prompt', () => {
  it('keeps an inline template exactly as before', () => {
    const parsed = PromptConfig.parse({ prompt: { template: 'Classify: {{ input.message }}' }, system: 'Be terse.' });
    expect(parsed.prompt).toEqual({ template: 'Classify: {{ input.message }}' });
    expect(parsed.system).toBe('Be terse.');
  });

  it('takes a pinned or @latest reference for the prompt and for the system text', () => {
    const parsed = PromptConfig.parse({ prompt: { ref: 'triage-classifier@3' }, system: { ref: 'support-tone@latest' } });
    expect(parsed.prompt).toEqual({ ref: 'triage-classifier@3' });
    expect(parsed.system).toEqual({ ref: 'support-tone@latest' });
    expect(configProblems({ prompt: { ref: 'triage-classifier@3' }, system: { ref: 'support-tone@latest' } })).toEqual([]);
  });

  it('refuses a reference without a version, naming the field and the expected form', () => {
    const [problem, ...rest] = configProblems({ prompt: { ref: 'triage-classifier' } });
    expect(rest).toEqual([]);
    expect(problem?.path).toEqual(['nodes', 1, 'config', 'prompt', 'ref']);
    expect(problem?.message).toMatch(/prompt\.ref: must be a prompt reference such as "triage-classifier@3"/);
  });

  it('refuses a template and a reference together rather than guessing which runs', () => {
    const [problem] = configProblems({ prompt: { template: 'Hi', ref: 'triage@2' } });
    expect(problem?.path).toEqual(['nodes', 1, 'config', 'prompt']);
    expect(problem?.message).toContain('both a template and a library prompt reference');
  });

  it('refuses a system text that is neither text nor a reference', () => {
    const [problem] = configProblems({ prompt: { template: 'Hi' }, system: 42 });
    expect(problem?.path).toEqual(['nodes', 1, 'config', 'system']);
    expect(problem?.message).toMatch(/system: must be text or a library prompt/);
  });

  it('still bounds inline text', () => {
    const [problem] = configProblems({ prompt: { template: 'Hi' }, system: 'x'.repeat(100_001) });
    expect(problem?.path).toEqual(['nodes', 1, 'config', 'system']);
    expect(problem?.message).toMatch(/100000/);
  });

  it('checks the variables of inline text only: a library prompt is not known until a run starts', () => {
    const inline = configProblems({ prompt: { template: 'Hi {{ nodes.ghost.output }}' }, system: 'About {{ vars.nope }}' });
    expect(inline.map((p) => p.path.slice(3).join('.')).sort()).toEqual(['prompt.template', 'system']);
    expect(configProblems({ prompt: { ref: 'ghosts@1' }, system: { ref: 'nopes@latest' } })).toEqual([]);
  });

  it('describes both forms in the flow JSON Schema', () => {
    const text = JSON.stringify(flowSchema());
    expect(text).toContain('"ref"');
    expect(text).toContain('"template"');
  });
});

describe('agent node config: instructions as text or a library prompt', () => {
  it('takes either', () => {
    expect(AgentConfig.parse({ instructions: 'Find facts.' }).instructions).toBe('Find facts.');
    expect(AgentConfig.parse({ instructions: { ref: 'researcher@latest' } }).instructions).toEqual({ ref: 'researcher@latest' });
    expect(configProblems({ instructions: { ref: 'researcher@2' } }, 'agent')).toEqual([]);
  });

  it('still refuses empty instructions and a malformed reference', () => {
    expect(configProblems({ instructions: '' }, 'agent')[0]?.message).toContain('the agent needs instructions');
    expect(configProblems({ instructions: { ref: 'Researcher@2' } }, 'agent')[0]?.path).toEqual(['nodes', 1, 'config', 'instructions', 'ref']);
  });
});

describe('editor hints for library-capable fields', () => {
  it('mark the prompt, system and instructions fields with where the reference goes and the bound', () => {
    const hints = (type: string) => kinds.get(type)!.fields.filter((f) => f.promptRef).map((f) => ({ field: f.path, ...f.promptRef }));
    expect(hints('prompt')).toEqual([
      { field: 'system', path: 'system', maxLength: 100_000 },
      { field: 'prompt.template', path: 'prompt', maxLength: 200_000 },
    ]);
    expect(hints('agent')).toEqual([{ field: 'instructions', path: 'instructions', maxLength: 100_000 }]);
    expect(kinds.all().filter((k) => k.type !== 'prompt' && k.type !== 'agent').flatMap((k) => k.fields.filter((f) => f.promptRef))).toEqual([]);
  });
});

describe('promptReferences: every library prompt a flow uses', () => {
  const document = flow(
    [
      input,
      { id: 'classify', name: 'Classify', type: 'prompt', config: { prompt: { ref: 'triage-classifier@3' }, system: { ref: 'tone@latest' } } },
      { id: 'inline', type: 'prompt', config: { prompt: { template: 'Hi' }, system: 'Plain text' } },
      { id: 'research', type: 'agent', config: { instructions: { ref: 'researcher@latest' } } },
      { id: 'reply', type: 'prompt', config: { prompt: { ref: 'tone@latest' } } },
    ],
    [edge('e1', 'in', 'classify')],
  );

  it('lists each reference with its node, field, name and version, in node order', () => {
    expect(promptReferences(document as never)).toEqual([
      { nodeId: 'classify', nodeName: 'Classify', field: 'system.ref', ref: 'tone@latest', name: 'tone', version: 'latest', maxLength: 100_000 },
      { nodeId: 'classify', nodeName: 'Classify', field: 'prompt.ref', ref: 'triage-classifier@3', name: 'triage-classifier', version: 3, maxLength: 200_000 },
      { nodeId: 'research', field: 'instructions.ref', ref: 'researcher@latest', name: 'researcher', version: 'latest', maxLength: 100_000 },
      { nodeId: 'reply', field: 'prompt.ref', ref: 'tone@latest', name: 'tone', version: 'latest', maxLength: 200_000 },
    ]);
  });

  it('reads stored documents that would not load without throwing: unknown kinds and malformed references are skipped', () => {
    const messy = {
      nodes: [
        { id: 'a', type: 'teleport', config: { prompt: { ref: 'x@1' } } },
        { id: 'b', type: 'prompt', config: { prompt: { ref: 'no version' } } },
        { id: 'c', type: 'prompt' },
        { id: 'd', type: 'agent', config: { instructions: null } },
        { id: 'e', type: 'prompt', config: { prompt: { ref: 'kept@2' } } },
      ],
    };
    expect(promptReferences(messy).map((r) => `${r.nodeId}:${r.ref}`)).toEqual(['e:kept@2']);
  });

  it('finds nothing in a flow of inline texts', () => {
    expect(promptReferences({ nodes: [{ id: 'p', type: 'prompt', config: { prompt: { template: 'Hi' } } }] })).toEqual([]);
  });
});
