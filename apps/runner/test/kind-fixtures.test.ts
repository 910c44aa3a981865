/**
 * Every registered node kind has a fixture flow beside it (packages/nodes/src/kinds/<kind>/
 * fixture.flow.json) and what its samples must produce (fixture.expect.json, by sample name).
 * Each sample runs here through the real engine, the test provider playing its mock script, each
 * wait answered in turn from the expectation's `answers`. The kinds come from the registry, so a
 * new kind without a fixture fails here by name.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '@trellis/schema';
import { kinds, validateFlow } from '@trellis/nodes';
import type { Answer } from '../src/index.js';
import type { FlowSource } from '../src/engine/subflows.js';
import { harness } from './support/harness.js';

const KINDS_DIR = fileURLToPath(new URL('../../../packages/nodes/src/kinds/', import.meta.url));

interface Fixture {
  id: string;
  nodes: { id: string; type: string }[];
  samples?: { name: string; input: unknown; mocks?: Record<string, unknown> }[];
}

/** What one sample must do. */
interface Expected {
  /** The answers to the run's waits, in order; each must be used. */
  answers?: Omit<Answer, 'waitId'>[];
  /** The tool calls agents made, in order, with what each tool returned. */
  toolCalls?: { tool: string; args: Record<string, unknown>; result: unknown }[];
  /** The run's result. */
  output: unknown;
}

const fileOf = (kind: string, name: string) => `${KINDS_DIR}${kind}/${name}`;
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/**
 * The saved flows a kind's fixture may use (a sub-flow's child): `fixture.<name>.flow.json` beside
 * it, each as version 1 of its id.
 */
function savedFlows(kind: string): FlowSource {
  const byId = new Map(
    readdirSync(fileOf(kind, ''))
      .filter((name) => /^fixture\..+\.flow\.json$/.test(name))
      .map((name) => readJson<{ id: string }>(fileOf(kind, name)))
      .map((doc) => [doc.id, doc] as const),
  );
  return { version: async (flowId, version) => (byId.has(flowId) && (version === 'latest' || version === 1) ? { version: 1, document: byId.get(flowId) } : undefined) };
}

const eventsOf = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

describe('kind fixtures', () => {
  it('every registered kind has a fixture flow and its expectations beside it', () => {
    const missing = kinds
      .types()
      .flatMap((kind) => ['fixture.flow.json', 'fixture.expect.json'].filter((name) => !existsSync(fileOf(kind, name))).map((name) => `${kind}: no ${name}`));
    expect(missing, `every kind needs packages/nodes/src/kinds/<kind>/fixture.flow.json and fixture.expect.json`).toEqual([]);
  });

  describe.each(kinds.types().filter((kind) => existsSync(fileOf(kind, 'fixture.flow.json'))))('%s', (kind) => {
    const flow = readJson<Fixture>(fileOf(kind, 'fixture.flow.json'));
    const expectations = existsSync(fileOf(kind, 'fixture.expect.json')) ? readJson<Record<string, Expected>>(fileOf(kind, 'fixture.expect.json')) : {};
    const samples = flow.samples ?? [];

    it('is a valid flow with a node of the kind, and expectations for exactly its samples', () => {
      const loaded = validateFlow(flow);
      expect(loaded.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(flow.nodes.some((n) => n.type === kind), `the ${kind} fixture has no "${kind}" node`).toBe(true);
      expect(samples.length, `the ${kind} fixture has no samples`).toBeGreaterThan(0);
      expect(Object.keys(expectations).sort()).toEqual(samples.map((s) => s.name).sort());
    });

    it.each(samples.map((s) => [s.name, s] as const))('sample %s runs to the expected output', async (name, sample) => {
      const expected = expectations[name];
      if (!expected) throw new Error(`fixture.expect.json of "${kind}" has nothing for sample "${name}"`);
      const { engine, events } = harness({ flows: savedFlows(kind) });
      const answers = [...(expected.answers ?? [])];
      let result = await engine.start(flow, { input: sample.input, mocks: sample.mocks });
      while (result.status === 'waiting') {
        const wait = result.waiting[0]!;
        const answer = answers.shift();
        if (!answer) throw new Error(`sample "${name}" waits at "${wait.nodeId}", and fixture.expect.json has no answer left for it`);
        result = await engine.resume(result.runId, { answer: { waitId: wait.waitId, ...answer } });
      }
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('succeeded');
      expect(answers, 'answers left unused').toEqual([]);
      const ofKind = new Set(flow.nodes.filter((n) => n.type === kind).map((n) => n.id));
      const ran = eventsOf(events, 'node.completed').some((e) => ofKind.has(e.nodeId));
      const called = eventsOf(events, 'node.tool_call').some((e) => e.data.toolNodeId !== undefined && ofKind.has(e.data.toolNodeId));
      expect(ran || called, `no "${kind}" node ran in sample "${name}"`).toBe(true);
      if (expected.toolCalls) {
        const results = new Map(eventsOf(events, 'node.tool_result').map((e) => [e.data.toolCallId, e.data]));
        const calls = eventsOf(events, 'node.tool_call').map((call) => ({ tool: call.data.tool, args: call.data.args, result: results.get(call.data.toolCallId)?.result }));
        expect(calls).toEqual(expected.toolCalls);
      }
      expect(result.output).toEqual(expected.output);
    });
  });
});
