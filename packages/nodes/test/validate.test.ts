/**
 * Flow validation with the real kinds registry: one test per problem class, then whole-flow
 * behaviour (every problem at once, defaults, JSON errors, versions, migrations, JSON Schema).
 *
 * Lives in packages/nodes rather than packages/schema: schema does not depend on nodes (nodes
 * depends on schema), so `@trellis/nodes` does not resolve from packages/schema.
 */
import { describe, expect, it } from 'vitest';
import { formatProblem, migrateFlowDocument, type LoadResult, type Problem, type ProblemCode } from '@trellis/schema';
import { edge, flow as testFlow } from '@trellis/test-support/flows';
import { flowSchema, kinds, validateFlow, validateFlowText } from '../src/index.js';

type Json = Record<string, unknown>;

const KIND_TYPES = ['input', 'prompt', 'condition', 'tool', 'agent', 'approval', 'human-input', 'output', 'guardrail', 'map', 'loop', 'subflow'] as const;

const flow = (nodes: Json[], edges: Json[] = [], extra: Json = {}): Json => testFlow(nodes, edges, { id: 'f', ...extra });

const input = (id = 'in'): Json => ({ id, type: 'input', config: {} });
const prompt = (id: string, template = 'Say hello'): Json => ({ id, type: 'prompt', config: { prompt: { template } } });
const output = (id = 'out', value: unknown = { result: '{{ input }}' }): Json => ({ id, type: 'output', config: { value } });
const agent = (id: string, config: Json = {}): Json => ({ id, type: 'agent', config: { instructions: 'Help.', ...config } });
const transformTool = (id: string): Json => ({ id, type: 'tool', config: { tool: 'transform', expression: '$' } });

/** The problems with one code. */
function withCode(result: LoadResult, code: ProblemCode): Problem[] {
  return result.problems.filter((p) => p.code === code);
}

/** Exactly one problem with this code; returns it. */
function one(result: LoadResult, code: ProblemCode): Problem {
  const found = withCode(result, code);
  expect(found, `expected one "${code}" among ${JSON.stringify(result.problems, null, 1)}`).toHaveLength(1);
  return found[0]!;
}

/**
 * A message a person can read: a sentence (words and spaces, no JS object dump, no stack) that,
 * together with the node or edge it is attached to, names every thing given.
 */
function expectHuman(p: Problem, ...names: string[]) {
  expect(typeof p.message).toBe('string');
  expect(p.message.length).toBeGreaterThan(10);
  expect(p.message).toMatch(/[a-z]+ [a-z]+/i);
  expect(p.message).not.toMatch(/\[object Object\]|undefined is not|at .*\.ts:\d+/);
  const line = formatProblem(p);
  for (const name of names) expect(line).toContain(name);
}

function expectMessageNames(p: Problem, ...names: string[]) {
  for (const name of names) expect(p.message).toContain(name);
}

describe('validation: one test per problem class', () => {
  it('unknown kind: names the type and lists the known kinds', () => {
    const r = validateFlow(flow([input(), { id: 'x', type: 'teleport', config: {} }], [edge('e1', 'in', 'x')]));
    const p = one(r, 'unknown_kind');
    expect(r.ok).toBe(false);
    expect(p.severity).toBe('error');
    expect(p.nodeId).toBe('x');
    expect(p.path).toEqual(['nodes', 1, 'type']);
    expectHuman(p, 'x');
    expectMessageNames(p, '"teleport"', ...KIND_TYPES);
  });

  describe('bad config per kind, with a path into the config', () => {
    it('prompt with neither a template nor a library reference', () => {
      const r = validateFlow(flow([input(), { id: 'p', type: 'prompt', config: { prompt: {} } }], [edge('e1', 'in', 'p')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('p');
      expect(p.path).toEqual(['nodes', 1, 'config', 'prompt']);
      expectHuman(p, 'p');
      expectMessageNames(p, 'prompt', 'template', 'ref', 'triage-classifier@3');
    });

    it('prompt with an empty template', () => {
      const r = validateFlow(flow([input(), { id: 'p', type: 'prompt', config: { prompt: { template: '' } } }], [edge('e1', 'in', 'p')]));
      const p = one(r, 'invalid_config');
      expect(p.path).toEqual(['nodes', 1, 'config', 'prompt', 'template']);
      expectMessageNames(p, 'prompt.template', 'must not be empty');
    });

    it('prompt with no prompt at all', () => {
      const r = validateFlow(flow([input(), { id: 'p', type: 'prompt', config: {} }], [edge('e1', 'in', 'p')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('p');
      expect(p.path).toEqual(['nodes', 1, 'config', 'prompt']);
      expectMessageNames(p, 'prompt');
    });

    it('condition with zero branches', () => {
      const r = validateFlow(flow([input(), { id: 'c', type: 'condition', config: { branches: [] } }], [edge('e1', 'in', 'c')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('c');
      expect(p.path).toEqual(['nodes', 1, 'config', 'branches']);
      expectHuman(p, 'c');
      expectMessageNames(p, 'branches', 'at least one branch');
    });

    it('tool with an unknown `tool` discriminator', () => {
      const r = validateFlow(flow([input(), { id: 't', type: 'tool', config: { tool: 'teleport' } }], [edge('e1', 'in', 't')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('t');
      expect(p.path).toEqual(['nodes', 1, 'config', 'tool']);
      expectHuman(p, 't');
      // Says which values would do.
      expectMessageNames(p, 'http', 'transform');
    });

    it('agent with maxSteps 0', () => {
      const r = validateFlow(flow([input(), agent('a', { maxSteps: 0 })], [edge('e1', 'in', 'a')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('a');
      expect(p.path).toEqual(['nodes', 1, 'config', 'maxSteps']);
      expectHuman(p, 'a');
      expectMessageNames(p, 'maxSteps', '1');
    });

    it('approval without a message', () => {
      const r = validateFlow(flow([input(), { id: 'ok', type: 'approval', config: { message: '' } }], [edge('e1', 'in', 'ok')]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('ok');
      expect(p.path).toEqual(['nodes', 1, 'config', 'message']);
      expectMessageNames(p, 'message');
    });

    it('input whose schema is not an object', () => {
      const r = validateFlow(flow([{ id: 'in', type: 'input', config: { schema: 'object' } }]));
      const p = one(r, 'invalid_config');
      expect(p.nodeId).toBe('in');
      expect(p.path).toEqual(['nodes', 0, 'config', 'schema']);
    });
  });

  it('dangling edge: a source and a target that are not nodes', () => {
    const r = validateFlow(
      flow([input(), output()], [edge('e1', 'in', 'out'), edge('e2', 'ghost', 'out'), edge('e3', 'in', 'phantom')]),
    );
    const found = withCode(r, 'dangling_edge');
    expect(found).toHaveLength(2);
    const [source, target] = found as [Problem, Problem];
    expect(source.edgeId).toBe('e2');
    expect(source.path).toEqual(['edges', 1, 'source']);
    expectHuman(source, 'e2');
    expectMessageNames(source, 'source', '"ghost"');
    expect(target.edgeId).toBe('e3');
    expect(target.path).toEqual(['edges', 2, 'target']);
    expectHuman(target, 'e3');
    expectMessageNames(target, 'target', '"phantom"');
  });

  it('unknown handle on the source side lists the outputs the node has', () => {
    const r = validateFlow(
      flow(
        [input(), { id: 'c', type: 'condition', config: { branches: [{ id: 'yes', when: 'true' }] } }, output()],
        [edge('e1', 'in', 'c'), edge('e2', 'c', 'out', 'maybe')],
      ),
    );
    const p = one(r, 'unknown_handle');
    expect(p.edgeId).toBe('e2');
    expect(p.path).toEqual(['edges', 1, 'sourceHandle']);
    expectHuman(p, 'e2');
    expectMessageNames(p, '"c"', 'output', '"maybe"', '"yes"', '"else"');
  });

  it('unknown handle on the target side lists the inputs the node has', () => {
    const r = validateFlow(flow([input(), agent('a'), output()], [edge('e1', 'in', 'a', 'out', 'brain'), edge('e2', 'a', 'out')]));
    const p = one(r, 'unknown_handle');
    expect(p.edgeId).toBe('e1');
    expect(p.path).toEqual(['edges', 0, 'targetHandle']);
    expectHuman(p, 'e1');
    expectMessageNames(p, '"a"', 'input', '"brain"', '"in"', '"tools"');
  });

  it('incompatible ports: a data output into an agent\'s tools input', () => {
    const r = validateFlow(
      flow([input(), prompt('p'), agent('a'), output()], [edge('e1', 'in', 'p'), edge('e2', 'p', 'a', 'out', 'tools'), edge('e3', 'in', 'a'), edge('e4', 'a', 'out')]),
    );
    const p = one(r, 'incompatible_ports');
    expect(p.edgeId).toBe('e2');
    expect(p.path).toEqual(['edges', 1]);
    expectHuman(p, 'e2');
    expectMessageNames(p, '"p"', '"a"', 'tools', 'data', 'tool');
  });

  it('incompatible ports: a tool\'s `tool` output into a data input', () => {
    const r = validateFlow(flow([input(), transformTool('t'), output()], [edge('e1', 'in', 't'), edge('e2', 't', 'out', 'tool', 'in')]));
    const p = one(r, 'incompatible_ports');
    expect(p.edgeId).toBe('e2');
    expect(p.path).toEqual(['edges', 1]);
    expectHuman(p, 'e2');
    expectMessageNames(p, '"t"', '"out"', 'tool', 'data');
  });

  it('no input node', () => {
    const r = validateFlow(flow([prompt('p'), output()], [edge('e1', 'p', 'out')]));
    const p = one(r, 'no_input');
    expect(r.ok).toBe(false);
    expect(p.nodeId).toBeUndefined();
    expect(p.edgeId).toBeUndefined();
    expect(p.path).toEqual(['nodes']);
    expectHuman(p);
    expectMessageNames(p, 'input node');
  });

  it('two input nodes: the second is reported, naming the first', () => {
    const r = validateFlow(flow([input('in'), input('in2'), output()], [edge('e1', 'in', 'out'), edge('e2', 'in2', 'out')]));
    const p = one(r, 'multiple_inputs');
    expect(p.nodeId).toBe('in2');
    expect(p.path).toEqual(['nodes', 1]);
    expectHuman(p, 'in2');
    expectMessageNames(p, '"in"');
  });

  it('unreachable node', () => {
    const r = validateFlow(flow([input(), output(), prompt('orphan')], [edge('e1', 'in', 'out')]));
    const p = one(r, 'unreachable');
    expect(p.nodeId).toBe('orphan');
    expect(p.path).toEqual(['nodes', 2]);
    expectHuman(p, 'orphan');
    expectMessageNames(p, 'input node');
  });

  it('cycle among non-input nodes: a → b → a', () => {
    const r = validateFlow(
      flow([input(), prompt('a'), prompt('b'), output()], [edge('e1', 'in', 'a'), edge('e2', 'a', 'b'), edge('e3', 'b', 'a'), edge('e4', 'b', 'out')]),
    );
    const found = withCode(r, 'cycle');
    expect(found.map((p) => p.nodeId).sort()).toEqual(['a', 'b']);
    const a = found.find((p) => p.nodeId === 'a')!;
    expect(a.path).toEqual(['nodes', 1]);
    expectHuman(a, 'a');
    expectMessageNames(a, 'cycle', 'a', 'b');
    // Neither the input before the cycle nor the output after it is on the cycle.
    expect(found.some((p) => p.nodeId === 'in')).toBe(false);
    expect(a.message).not.toMatch(/\bout\b|\bin\b,/);
  });

  it('duplicate node id', () => {
    const r = validateFlow(flow([input(), prompt('p'), prompt('p', 'Other'), output()], [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')]));
    const p = one(r, 'duplicate_id');
    expect(p.nodeId).toBe('p');
    expect(p.edgeId).toBeUndefined();
    expect(p.path).toEqual(['nodes', 2, 'id']);
    expectHuman(p, 'p');
    expectMessageNames(p, 'node', '"p"');
  });

  it('duplicate edge id', () => {
    const r = validateFlow(flow([input(), prompt('p'), output()], [edge('e1', 'in', 'p'), edge('e1', 'p', 'out')]));
    const p = one(r, 'duplicate_id');
    expect(p.edgeId).toBe('e1');
    expect(p.nodeId).toBeUndefined();
    expect(p.path).toEqual(['edges', 1, 'id']);
    expectHuman(p, 'e1');
    expectMessageNames(p, 'edge', '"e1"');
  });

  it('invalid CEL expression in a condition branch', () => {
    const r = validateFlow(
      flow(
        [input(), { id: 'c', type: 'condition', config: { branches: [{ id: 'ok', when: 'true' }, { id: 'big', when: 'input.n >' }] } }, output()],
        [edge('e1', 'in', 'c'), edge('e2', 'c', 'out', 'big')],
      ),
    );
    const p = one(r, 'invalid_expression');
    expect(p.severity).toBe('error');
    expect(p.nodeId).toBe('c');
    expect(p.path).toEqual(['nodes', 1, 'config', 'branches', 1, 'when']);
    expectHuman(p, 'c');
    expectMessageNames(p, '"big"');
  });

  it('template with a syntax error', () => {
    const r = validateFlow(flow([input(), prompt('p', 'Hi {% if input.vip %}friend'), output()], [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')]));
    const p = one(r, 'invalid_template');
    expect(p.severity).toBe('error');
    expect(p.nodeId).toBe('p');
    expect(p.path).toEqual(['nodes', 1, 'config', 'prompt', 'template']);
    expectHuman(p, 'p');
    expectMessageNames(p, 'template');
  });

  it('unknown template variables are warnings: a downstream node, and an unknown root', () => {
    const r = validateFlow(
      flow(
        [input(), prompt('p', 'Early: {{nodes.later.output}} and {{foo.bar}}'), prompt('later'), output()],
        [edge('e1', 'in', 'p'), edge('e2', 'p', 'later'), edge('e3', 'later', 'out')],
      ),
    );
    expect(r.ok).toBe(true); // warnings do not fail validation
    const found = withCode(r, 'unknown_variable');
    expect(found).toHaveLength(2);
    for (const p of found) {
      expect(p.severity).toBe('warning');
      expect(p.nodeId).toBe('p');
      expect(p.path).toEqual(['nodes', 1, 'config', 'prompt', 'template']);
      expectHuman(p, 'p');
    }
    const later = found.find((p) => p.message.includes('nodes.later.output'))!;
    expectMessageNames(later, '"later"', 'before');
    const foo = found.find((p) => p.message.includes('foo.bar'))!;
    expectMessageNames(foo, '"foo"');
  });

  it('upstream nodes, input and declared vars are not reported', () => {
    const r = validateFlow(
      flow(
        [input(), prompt('p', '{{ input.message }} {{ vars.tone }}'), prompt('q', '{{ nodes.p.output }} {{ nodes.in.output }}'), output()],
        [edge('e1', 'in', 'p'), edge('e2', 'p', 'q'), edge('e3', 'q', 'out')],
        { vars: { tone: 'dry' } },
      ),
    );
    expect(r.problems).toEqual([]);
  });

  it('names Liquid defines itself (loop variables, assign, forloop) are not reported', () => {
    const template = '{% for t in input.tags %}{{ forloop.index }}. {{ t }}{% endfor %}{% assign n = input.n %}{{ n }}';
    const r = validateFlow(flow([input(), prompt('p', template), output()], [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')]));
    expect(r.problems).toEqual([]);
  });

  it('problems of a node whose id is duplicated point at the node that was kept', () => {
    const r = validateFlow(
      flow([input(), prompt('p', 'Hi {{ foo }}'), prompt('p', 'Other'), output()], [edge('e1', 'in', 'p'), edge('e2', 'p', 'out')]),
    );
    expect(one(r, 'duplicate_id').path).toEqual(['nodes', 2, 'id']);
    const warning = one(r, 'unknown_variable');
    expect(warning.nodeId).toBe('p');
    // The kept "p" is nodes[1] (its template is the one with {{ foo }}), not the duplicate at nodes[2].
    expect(warning.path).toEqual(['nodes', 1, 'config', 'prompt', 'template']);
  });

  it('a tool attached to an agent that also has data edges is invalid wiring', () => {
    const r = validateFlow(
      flow(
        [input(), transformTool('t'), agent('a'), output()],
        [edge('e1', 'in', 't'), edge('e2', 't', 'a', 'tool', 'tools'), edge('e3', 'in', 'a'), edge('e4', 'a', 'out')],
      ),
    );
    const p = one(r, 'invalid_wiring');
    expect(p.nodeId).toBe('t');
    expect(p.path).toEqual(['nodes', 1]);
    expectHuman(p, 't');
    expectMessageNames(p, 'tool', '"e1"');
  });

  it('duplicate condition branch ids and a branch named "else"', () => {
    const r = validateFlow(
      flow(
        [
          input(),
          {
            id: 'c',
            type: 'condition',
            config: { branches: [{ id: 'x', when: 'true' }, { id: 'x', when: 'false' }, { id: 'else', when: 'true' }] },
          },
          output(),
        ],
        [edge('e1', 'in', 'c'), edge('e2', 'c', 'out', 'x')],
      ),
    );
    const found = withCode(r, 'invalid_config');
    expect(found).toHaveLength(2);
    const dup = found.find((p) => p.path.join('.') === 'nodes.1.config.branches.1.id')!;
    expect(dup.nodeId).toBe('c');
    expectHuman(dup, 'c');
    expectMessageNames(dup, '"x"');
    const named = found.find((p) => p.path.join('.') === 'nodes.1.config.branches.2.id')!;
    expect(named.nodeId).toBe('c');
    expectHuman(named, 'c');
    expectMessageNames(named, '"else"');
  });

  it('a node typeVersion newer than its kind', () => {
    const r = validateFlow(flow([{ ...input(), typeVersion: 2 }, output()], [edge('e1', 'in', 'out')]));
    const p = one(r, 'invalid_config');
    expect(p.nodeId).toBe('in');
    expect(p.path).toEqual(['nodes', 0, 'typeVersion']);
    expectHuman(p, 'in');
    expectMessageNames(p, '2', '"input"', '1');
  });
});

describe('validation: whole flows', () => {
  it('returns every problem at once', () => {
    const r = validateFlow(
      flow(
        [
          input('in'),
          input('in2'), // multiple_inputs
          { id: 'x', type: 'teleport' }, // unknown_kind
          agent('a', { maxSteps: 0 }), // invalid_config
          prompt('p', '{% if %}'), // invalid_template
          prompt('p'), // duplicate_id
          prompt('orphan'), // unreachable
          prompt('loop1'),
          prompt('loop2'), // cycle
          { id: 'c', type: 'condition', config: { branches: [{ id: 'b', when: '1 +' }] } }, // invalid_expression
          output(),
        ],
        [
          edge('e1', 'in', 'p'),
          edge('e2', 'p', 'out'),
          edge('e3', 'p', 'ghost'), // dangling_edge
          edge('e4', 'in', 'out', 'nope'), // unknown_handle
          edge('e1', 'in2', 'out'), // duplicate_id (edge)
          edge('e5', 'loop1', 'loop2'),
          edge('e6', 'loop2', 'loop1'),
          edge('e7', 'in', 'c'),
        ],
      ),
    );
    expect(r.ok).toBe(false);
    const codes = new Set(r.problems.map((p) => p.code));
    for (const code of [
      'multiple_inputs',
      'unknown_kind',
      'invalid_config',
      'invalid_template',
      'duplicate_id',
      'unreachable',
      'cycle',
      'invalid_expression',
      'dangling_edge',
      'unknown_handle',
    ] as const) {
      expect(codes, code).toContain(code);
    }
    // Both the node and the edge duplicate are there.
    expect(withCode(r, 'duplicate_id').map((p) => p.nodeId ?? p.edgeId).sort()).toEqual(['e1', 'p']);
    for (const p of r.problems) expect(p.path.length, JSON.stringify(p)).toBeGreaterThan(0);
  });

  it('a valid flow loads with no problems and config defaults filled in', () => {
    const r = validateFlow(
      flow(
        [
          input(),
          { id: 'classify', type: 'prompt', config: { prompt: { template: 'Classify: {{ input.message }}' } } },
          { id: 'c', type: 'condition', config: { branches: [{ id: 'billing', when: "nodes.classify.output == 'billing'" }] } },
          agent('a', { prompt: '{{ nodes.classify.output }}' }),
          { id: 'lookup', type: 'tool', config: { tool: 'http', http: { url: 'https://api.example.com/a/{{ args.id }}' } } },
          { id: 'ok', type: 'approval', config: { message: 'Send {{ nodes.a.output }}?' } },
          output('out', { reply: '{{ nodes.a.output }}' }),
          output('other', { reply: 'none' }),
          output('declined', { reply: 'declined' }),
        ],
        [
          edge('e1', 'in', 'classify'),
          edge('e2', 'classify', 'c'),
          edge('e3', 'c', 'a', 'billing'),
          edge('e4', 'lookup', 'a', 'tool', 'tools'),
          edge('e5', 'a', 'ok'),
          edge('e6', 'ok', 'out', 'approved'),
          edge('e7', 'c', 'other', 'else'),
          edge('e8', 'ok', 'declined', 'rejected'),
        ],
      ),
    );
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.flow).toBeDefined();
    expect(r.graph).toBeDefined();
    const byId = new Map(r.flow!.nodes.map((n) => [n.id, n]));
    expect(byId.get('a')!.config).toMatchObject({ maxSteps: 8, model: 'openai:gpt-4.1-mini', prompt: '{{ nodes.classify.output }}' });
    expect(byId.get('classify')!.config).toMatchObject({ model: 'openai:gpt-4.1-mini' });
    expect(byId.get('in')!.config).toEqual({ schema: { type: 'object' } });
    expect(byId.get('lookup')!.config).toMatchObject({
      requiresApproval: false,
      http: { method: 'GET', timeoutMs: 10_000, failOnHttpError: true },
    });
    expect(byId.get('ok')!.config).toMatchObject({ onTimeout: 'reject' });
    for (const node of r.flow!.nodes) {
      expect(node.typeVersion).toBe(1);
      expect(node.position).toEqual({ x: 0, y: 0 });
    }
    expect(r.graph!.attached.has('lookup')).toBe(true);
    expect(r.flow!.edges.find((e) => e.id === 'e1')).toMatchObject({ sourceHandle: 'out', targetHandle: 'in' });
  });

  it('text that is not JSON gives exactly one invalid_json problem', () => {
    const r = validateFlowText('{ "schema": "trellis.flow/v1", nodes: [');
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0]!;
    expect(p.code).toBe('invalid_json');
    expect(p.severity).toBe('error');
    expect(p.path).toEqual([]);
    expectHuman(p);
    expectMessageNames(p, 'JSON');
    expect(r.flow).toBeUndefined();
  });

  it.each([['[]'], ['{"foo":1}'], ['"flow"'], ['null'], ['42']])('JSON that is not a flow (%s) gives one not_a_flow problem', (text) => {
    const r = validateFlowText(text);
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]!.code).toBe('not_a_flow');
    expectHuman(r.problems[0]!);
    expectMessageNames(r.problems[0]!, 'trellis.flow/v1');
  });

  it('an unknown version is unsupported_version, naming it', () => {
    const r = validateFlow({ ...flow([input()]), schema: 'trellis.flow/v9' });
    expect(r.ok).toBe(false);
    expect(r.problems).toHaveLength(1);
    const p = r.problems[0]!;
    expect(p.code).toBe('unsupported_version');
    expect(p.path).toEqual(['schema']);
    expectHuman(p);
    expectMessageNames(p, 'trellis.flow/v9', 'trellis.flow/v1');
  });

  it('the same text through validateFlowText and validateFlow gives the same problems', () => {
    const doc = flow([input(), prompt('p', '{{ foo }}')], [edge('e1', 'in', 'p'), edge('e2', 'p', 'nowhere')]);
    expect(validateFlowText(JSON.stringify(doc)).problems).toEqual(validateFlow(doc).problems);
  });
});

describe('migrations', () => {
  /** A made-up v0: `steps` and `links` instead of `nodes` and `edges`, `title` instead of `name`. */
  const v0 = {
    schema: 'trellis.flow/v0',
    id: 'old',
    title: 'Old flow',
    steps: [
      { id: 'in', type: 'input' },
      { id: 'out', type: 'output', config: { value: '{{ input }}' } },
    ],
    links: [{ id: 'l1', from: 'in', to: 'out' }],
  };
  const v0ToV1 = (doc: Record<string, unknown>) => {
    const { title, steps, links, ...rest } = doc as typeof v0;
    return {
      ...rest,
      schema: 'trellis.flow/v1',
      name: title,
      nodes: steps,
      edges: links.map((l) => ({ id: l.id, source: l.from, target: l.to })),
    };
  };

  it('a custom migration upgrades a v0 document to v1, and it loads', () => {
    const migrated = migrateFlowDocument(v0, { 'trellis.flow/v0': v0ToV1 });
    expect(migrated.ok).toBe(true);
    if (!migrated.ok) return;
    expect(migrated.from).toBe('trellis.flow/v0');
    expect(migrated.doc.schema).toBe('trellis.flow/v1');
    const r = validateFlow(migrated.doc);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.flow!.name).toBe('Old flow');
    expect(r.flow!.edges).toEqual([{ id: 'l1', source: 'in', sourceHandle: 'out', target: 'out', targetHandle: 'in' }]);
  });

  it('migrations chain over several versions', () => {
    const calls: string[] = [];
    const migrated = migrateFlowDocument(
      { ...v0, schema: 'trellis.flow/v-1' },
      {
        'trellis.flow/v-1': (doc) => (calls.push('v-1'), { ...doc, schema: 'trellis.flow/v0' }),
        'trellis.flow/v0': (doc) => (calls.push('v0'), v0ToV1(doc)),
      },
    );
    expect(migrated.ok).toBe(true);
    expect(calls).toEqual(['v-1', 'v0']);
  });

  it('without the step, the default table refuses v0 (naming it)', () => {
    const migrated = migrateFlowDocument(v0);
    expect(migrated.ok).toBe(false);
    if (!migrated.ok) expect(migrated.message).toContain('trellis.flow/v0');
    const r = validateFlow(v0);
    expect(r.problems.map((p) => p.code)).toEqual(['unsupported_version']);
  });

  it('a migration loop is cut off with an error, not an infinite loop', () => {
    let calls = 0;
    const migrated = migrateFlowDocument(v0, {
      'trellis.flow/v0': (doc) => (calls++, { ...doc, schema: 'trellis.flow/v0.5' }),
      'trellis.flow/v0.5': (doc) => (calls++, { ...doc, schema: 'trellis.flow/v0' }),
    });
    expect(migrated.ok).toBe(false);
    if (!migrated.ok) expect(migrated.message).toMatch(/trellis\.flow\/v0/);
    expect(calls).toBeLessThan(10);
  });

  it('a step that does not change the version is cut off too', () => {
    let calls = 0;
    const migrated = migrateFlowDocument(v0, { 'trellis.flow/v0': (doc) => (calls++, { ...doc }) });
    expect(migrated.ok).toBe(false);
    expect(calls).toBeLessThan(10);
  });
});

describe('JSON Schema export', () => {
  const schema = flowSchema();

  /** Every `const` and `enum` value in a JSON Schema, at any depth. */
  function constants(value: unknown, out = new Set<unknown>()): Set<unknown> {
    if (Array.isArray(value)) for (const v of value) constants(v, out);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'const') out.add(v);
        else if (k === 'enum' && Array.isArray(v)) for (const e of v) out.add(e);
        constants(v, out);
      }
    }
    return out;
  }

  it('carries $schema and $id', () => {
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(typeof schema.$id).toBe('string');
    expect(String(schema.$id)).toMatch(/^https?:\/\//);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema); // plain JSON
  });

  it('lists every kind type in the node union', () => {
    const values = constants(schema);
    for (const type of KIND_TYPES) expect(values, type).toContain(type);
    expect(values).toContain('trellis.flow/v1');
    expect(kinds.types().sort()).toEqual([...KIND_TYPES].sort());
    const nodes = (schema.properties as { nodes: { items: { anyOf?: unknown[]; oneOf?: unknown[] } } }).nodes;
    const union = nodes.items.anyOf ?? nodes.items.oneOf ?? [];
    expect(union).toHaveLength(KIND_TYPES.length);
    const types = union.map((s) => ((s as { properties: { type: { const?: string } } }).properties.type.const));
    expect(types.sort()).toEqual([...KIND_TYPES].sort());
  });
});
