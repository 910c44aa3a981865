/**
 * Flow documents for tests, from terse node and edge lists. The builders add only what a test
 * does not care about (the format's header, edge ids); nodes are kept as given, so whatever a
 * test leaves out is left to the loader's defaults, and a test of those defaults still tests them.
 */
export type Json = Record<string, unknown>;

/** A node as a test writes it: an id and a kind, and anything else the format allows. */
export type NodeSpec = { id: string; type: string; config?: Json } & Json;

/** An edge as `[source, target, sourceHandle = 'out', targetHandle = 'in']`, or written out in full. */
export type EdgeSpec = readonly [source: string, target: string, sourceHandle?: string, targetHandle?: string] | Json;

/** A trellis.flow/v1 document; `extra` adds or overrides top-level fields (id, name, samples, …). */
export function flow(nodes: readonly Json[], edges: readonly EdgeSpec[] = [], extra: Json = {}) {
  return {
    schema: 'trellis.flow/v1',
    id: 'test-flow',
    name: 'Test flow',
    nodes,
    edges: edges.map((e, i) => (Array.isArray(e) ? edge(`e${i + 1}`, ...(e as [string, string, string?, string?])) : e)),
    ...extra,
  };
}

/** An edge with its id; handles default to the plain `out` → `in`. */
export function edge(id: string, source: string, target: string, sourceHandle = 'out', targetHandle = 'in'): Json {
  return { id, source, sourceHandle, target, targetHandle };
}

/** The entry node; its input schema accepts any object unless given one. */
export const input = (id = 'in', schema: Json = { type: 'object' }): NodeSpec => ({ id, type: 'input', config: { schema } });

/** A prompt node on the deterministic test model. */
export const prompt = (id: string, template = 'Say something about {{ input.topic }}', policy?: Record<string, number>): NodeSpec => ({
  id,
  type: 'prompt',
  config: { model: 'test:model', prompt: { template } },
  ...(policy ? { policy } : {}),
});

/** An output node answering `value` (templates allowed). */
export const output = (id: string, value: unknown): NodeSpec => ({ id, type: 'output', config: { value } });

// ---------------------------------------------------------------------------
// The two flows the provider tests run against each fake model server

type Policy = { timeoutMs?: number; retries?: number; backoffMs?: number };

/** The parameters of agentFlow's lookup_account tool. */
export const ACCOUNT_SCHEMA = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] };

const topicInput: NodeSpec = input('in', { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] });

/** input {topic} → prompt "ask" on `model` → output { answer }. */
export function promptFlow(model: string, options: { system?: string; policy?: Policy; schema?: Json; id?: string } = {}) {
  const ask: NodeSpec = {
    id: 'ask',
    type: 'prompt',
    config: {
      model,
      ...(options.system ? { system: options.system } : {}),
      prompt: { template: 'Write one sentence about {{ input.topic }}.' },
      ...(options.schema ? { output: { schema: options.schema } } : {}),
    },
    ...(options.policy ? { policy: options.policy } : {}),
  };
  return flow([topicInput, ask, output('out', { answer: '{{ nodes.ask.output }}' })], [['in', 'ask'], ['ask', 'out']], { id: options.id ?? 'provider-test' });
}

/** input {topic} → agent "investigate" on `model`, with the transform tool lookup_account → output { reply }. */
export function agentFlow(model: string, options: { policy?: Policy; settings?: Json; id?: string } = {}) {
  const investigate: NodeSpec = {
    id: 'investigate',
    type: 'agent',
    config: { model, instructions: 'Look up the account, then answer in one sentence.', prompt: 'Customer asks about account {{ input.topic }}', maxSteps: 4 },
    ...(options.policy ? { policy: options.policy } : {}),
  };
  const lookup: NodeSpec = {
    id: 'lookup',
    type: 'tool',
    config: {
      tool: 'transform',
      name: 'lookup_account',
      description: 'Finds an account by id',
      parameters: ACCOUNT_SCHEMA,
      expression: "{ 'id': args.id, 'balance': 42 }",
    },
  };
  return flow(
    [topicInput, investigate, lookup, output('out', { reply: '{{ nodes.investigate.output }}' })],
    [['in', 'investigate'], ['lookup', 'investigate', 'tool', 'tools'], ['investigate', 'out']],
    { id: options.id ?? 'provider-test', ...(options.settings ? { settings: options.settings } : {}) },
  );
}
