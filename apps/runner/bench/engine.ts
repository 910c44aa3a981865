import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as sourceNodes from '@trellis/nodes/server';
import type { KindExecutor } from '@trellis/nodes/server';
import * as sourceEngine from '../src/index.js';

/**
 * The engine's own cost per node: scheduling, events, checkpoints and scope, measured on the
 * same graphs twice. "engine" uses executors that return at once, so all the time is the
 * engine's; "with test provider" runs real prompt nodes through the AI SDK and the test
 * provider, for the whole per-node cost, streamed (someone watches the run) and whole (nobody
 * does). Each is measured in steady state (after at least 2 s and 30 runs of warm-up), on the
 * compiled engine the runner runs (apps/runner/dist) and on the TypeScript sources through tsx.
 */

/** One build of the engine and the node kinds: the compiled one, or the sources through tsx. */
interface Build {
  name: string;
  Engine: typeof sourceEngine.Engine;
  MemoryCheckpointStore: typeof sourceEngine.MemoryCheckpointStore;
  executors: ReadonlyMap<string, KindExecutor<unknown>>;
}

async function builds(): Promise<Build[]> {
  // Paths in variables: the bench reads the compiled files as plain JavaScript, untyped.
  const script = new URL('../../../scripts/build-runner.mjs', import.meta.url).href;
  const { buildRunnerIfChanged } = (await import(script)) as { buildRunnerIfChanged(options: { quiet: boolean }): Promise<number> };
  if ((await buildRunnerIfChanged({ quiet: true })) !== 0) throw new Error('the runner does not compile');
  const engine = (await import(new URL('../dist/index.js', import.meta.url).href)) as typeof sourceEngine;
  const nodes = (await import(new URL('../../../packages/nodes/dist/server.js', import.meta.url).href)) as typeof sourceNodes;
  return [
    { name: 'compiled', Engine: engine.Engine, MemoryCheckpointStore: engine.MemoryCheckpointStore, executors: nodes.executors },
    { name: 'source (tsx)', Engine: sourceEngine.Engine, MemoryCheckpointStore: sourceEngine.MemoryCheckpointStore, executors: sourceNodes.executors },
  ];
}

type Node = { id: string; type: string; config: Record<string, unknown>; parent?: string };
type Edge = { id: string; source: string; target: string };

function chain(length: number) {
  const nodes: Node[] = [{ id: 'in', type: 'input', config: { schema: { type: 'object' } } }];
  const edges: Edge[] = [];
  for (let i = 1; i < length; i++) {
    nodes.push(step(`n${i}`));
    edges.push({ id: `e${i}`, source: i === 1 ? 'in' : `n${i - 1}`, target: `n${i}` });
  }
  return doc(nodes, edges);
}

function fanOutFanIn(width: number, depth: number) {
  const nodes: Node[] = [{ id: 'in', type: 'input', config: { schema: { type: 'object' } } }];
  const edges: Edge[] = [];
  for (let b = 0; b < width; b++) {
    for (let d = 0; d < depth; d++) {
      const id = `b${b}_${d}`;
      nodes.push(step(id));
      edges.push({ id: `e_${id}`, source: d === 0 ? 'in' : `b${b}_${d - 1}`, target: id });
    }
    edges.push({ id: `j${b}`, source: `b${b}_${depth - 1}`, target: 'join' });
  }
  nodes.push({ id: 'join', type: 'output', config: { value: { done: true } } });
  return doc(nodes, edges);
}

/** in → map over `items` items, its body a chain of `body - 1` steps and the body's output → out. */
function mapOver(body: number) {
  const nodes: Node[] = [{ id: 'in', type: 'input', config: { schema: { type: 'object' } } }, { id: 'each', type: 'map', config: { items: 'input.items', concurrency: 4, maxItems: 10_000 } }];
  const edges: Edge[] = [{ id: 'e_in', source: 'in', target: 'each' }];
  for (let i = 1; i < body; i++) {
    nodes.push({ ...step(`s${i}`), parent: 'each' });
    if (i > 1) edges.push({ id: `e_s${i}`, source: `s${i - 1}`, target: `s${i}` });
  }
  nodes.push({ id: 'r', type: 'output', parent: 'each', config: { value: '{{ item }}' } });
  edges.push({ id: 'e_r', source: `s${body - 1}`, target: 'r' });
  nodes.push({ id: 'out', type: 'output', config: { value: { count: '{{ nodes.each.output | size }}' } } });
  edges.push({ id: 'e_out', source: 'each', target: 'out' });
  return doc(nodes, edges);
}

function step(id: string): Node {
  return { id, type: 'prompt', config: { model: 'test:bench', prompt: { template: 'Step {{ input.topic }}' } } };
}

function doc(nodes: Node[], edges: Edge[]) {
  return { schema: 'trellis.flow/v1', id: 'bench', name: 'Bench', nodes: nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })), edges };
}

/**
 * Executors of every kind that return at once: all the time is the engine's. `pure`: as pure
 * steps (KindExecutor.pure: no start commit, no timer), like input, condition, transform and output.
 */
const instantOf = (executors: ReadonlyMap<string, KindExecutor<unknown>>, pure = false): ReadonlyMap<string, KindExecutor<unknown>> =>
  new Map([...executors.keys()].map((type) => [type, { type, execute: async () => ({ status: 'done' as const, output: 'ok' }), ...(pure ? { pure: () => true } : {}) }]));

interface Measure {
  perNodeUs: number;
  runMs: number;
  peakHeapMb: number;
}

const WARM_UP_MS = 2000;
const WARM_UP_RUNS = 30;

async function measure(
  build: Build,
  flowDoc: ReturnType<typeof chain>,
  executors: ReadonlyMap<string, KindExecutor<unknown>>,
  runs: number,
  options: { input?: Record<string, unknown>; steps?: number; watched?: boolean } = {},
): Promise<Measure> {
  const input = options.input ?? { topic: 'tea' };
  let peakHeap = 0;
  let seen = 0;
  // Each run is forgotten once it ends, as a database would take it off the process's heap.
  const store = new build.MemoryCheckpointStore();
  const engine = new build.Engine({
    store,
    executors,
    maxConcurrency: 64,
    ...(options.watched === false ? { watched: () => false } : {}),
    onEvent: () => {
      if (++seen % 64 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    },
  });
  // Steady state: until the JIT has settled (time and runs both), not the first few runs.
  const warmUntil = Date.now() + WARM_UP_MS;
  for (let i = 0; i < WARM_UP_RUNS || Date.now() < warmUntil; i++) store.forget((await engine.start(flowDoc, { input })).runId);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = await engine.start(flowDoc, { input });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message}`);
    store.forget(result.runId);
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return { perNodeUs: (median * 1000) / (options.steps ?? flowDoc.nodes.length), runMs: median, peakHeapMb: peakHeap / 1_048_576 };
}

export async function benchEngine(): Promise<void> {
  const flows = [
    { name: '200-node chain', doc: chain(200) },
    { name: '20x20 fan-out/fan-in', doc: fanOutFanIn(20, 20) },
  ];
  process.stdout.write(`engine benchmark (Node ${process.version}, in-memory checkpoints, steady state: median of 20 runs after ${WARM_UP_MS / 1000} s of warm-up)\n`);
  const [compiled, ...others] = await builds();
  for (const { name, doc: flowDoc } of flows) {
    process.stdout.write(`  ${name} (${flowDoc.nodes.length} nodes)\n`);
    for (const build of [compiled!, ...others]) {
      const engineOnly = await measure(build, flowDoc, instantOf(build.executors), 20);
      process.stdout.write(`    engine overhead, ${build.name}: ${engineOnly.perNodeUs.toFixed(1)} us/node (run ${engineOnly.runMs.toFixed(1)} ms)\n`);
    }
    const pure = await measure(compiled!, flowDoc, instantOf(compiled!.executors, true), 20);
    process.stdout.write(`    engine overhead, compiled, pure steps: ${pure.perNodeUs.toFixed(1)} us/node (run ${pure.runMs.toFixed(1)} ms)\n`);
    const streamed = await measure(compiled!, flowDoc, compiled!.executors, 10);
    const whole = await measure(compiled!, flowDoc, compiled!.executors, 10, { watched: false });
    process.stdout.write(
      `    with test provider, compiled: ${streamed.perNodeUs.toFixed(1)} us/node streamed (run ${streamed.runMs.toFixed(1)} ms), ` +
        `${whole.perNodeUs.toFixed(1)} us/node whole, as for a caller that waits for the output (run ${whole.runMs.toFixed(1)} ms)\n`,
    );
  }
  await benchMap(compiled!);
  await benchGuardrail();
  process.stdout.write(`  peak heap: ${(process.memoryUsage().heapUsed / 1_048_576).toFixed(1)} MB now, ${(await peak()).toFixed(1)} MB at most\n`);
}

/**
 * A 1,000-item map over a 3-node body (two steps and the body's output): 3,000 body steps, each
 * checkpointed under its item like any step. Compared per step with a flat chain of the same
 * length, and the peak heap of the whole run (every item's node states and events are held).
 */
async function benchMap(build: Build): Promise<void> {
  const items = Array.from({ length: 1000 }, (_, i) => i);
  // Every step returns at once, the body's output too (as the chain's steps do); the map runs for real.
  const instant = instantOf(build.executors);
  const containers = new Map(instant);
  containers.set('map', build.executors.get('map')!);
  const flat = await measure(build, chain(3001), instant, 5);
  const mapped = await measure(build, mapOver(3), containers, 5, { input: { items }, steps: items.length * 3 });
  const ratio = mapped.perNodeUs / flat.perNodeUs;
  // The heap of one such run on a fresh store, from a collected heap: what a runner holds for a
  // 1,000-item map (its node states and events), plus what it has not collected yet.
  // (vm only reaches V8's own gc function here, for a clean baseline: no user code runs through it.)
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  const before = process.memoryUsage().heapUsed;
  let peakHeap = before;
  let seen = 0;
  const engine = new build.Engine({
    store: new build.MemoryCheckpointStore(),
    executors: containers,
    onEvent: () => {
      if (++seen % 32 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    },
  });
  await engine.start(mapOver(3), { input: { items } });
  process.stdout.write(
    `  1,000-item map, 3-node body (3,000 body steps), ${build.name}, median of 5 runs\n` +
      `    engine overhead: ${mapped.perNodeUs.toFixed(1)} us/body step (run ${mapped.runMs.toFixed(1)} ms), ${ratio.toFixed(2)}x a flat 3,001-node chain's ${flat.perNodeUs.toFixed(1)} us/node\n` +
      `    peak heap during one run: ${(peakHeap / 1_048_576).toFixed(1)} MB (${((peakHeap - before) / 1_048_576).toFixed(1)} MB above the heap before it)\n`,
  );
}

/**
 * What a guardrail with only pattern rules adds to a step: every PII kind, secrets, a regex, a
 * term list and a length bound, on 10 KB of support-thread prose. Two texts: a typical one
 * holding one of each kind of personal data and a key among order numbers, dates and versions,
 * and a dense one with some personal data in every other sentence (each found item costs a
 * validation: libphonenumber's, for a phone number, is the dearest, about 30-70 us).
 */
async function benchGuardrail(): Promise<void> {
  const guardrail = sourceNodes.executors.get('guardrail')!;
  const { kinds } = await import('@trellis/nodes');
  const configOf = (rules: unknown[]) => kinds.get('guardrail')!.configSchema.parse({ value: '{{ input.message }}', rules });
  const patternRules = [
    { type: 'pii', action: 'redact' },
    { type: 'secrets', action: 'redact' },
    { type: 'regex', pattern: '(?:DROP|TRUNCATE)\\s+TABLE', mode: 'deny' },
    { type: 'terms', terms: ['chargeback', 'lawsuit', 'scam', 'fraudulent', 'idiot'], action: 'redact' },
    { type: 'length', max: 20_000 },
  ];
  // User regexes run on RE2 (re2js, linear time): a pattern led by a literal is nearly free, a
  // case-insensitive one or one led by \b is read character by character, about 1 ms per 10 KB.
  const slowRegex = [{ type: 'regex', pattern: '\\bdrop\\s+table\\b', mode: 'deny', caseInsensitive: true }];
  const plain = [
    'Hi team, I was charged twice for order #1234567890 on 2024-03-14 and the invoice INV-2024-0042 shows the wrong total.',
    'Our dashboard stopped loading after the update to version 4.2.10 (build 1.2.3) around 12:30:45 yesterday.',
    'My colleague said the last time this happened support took three weeks, which is not acceptable for a plan of our size.',
    'Please do not close this ticket until the refund shows on the statement; I have attached screenshots of both charges.',
    'We have 42 seats on the annual plan and renewed on 03/01/2024, so the second charge of 1,249.00 USD makes no sense.',
    'The export job ran for 3600 seconds and then failed with error 0x80070005, the same as ticket 998877 last month.',
  ];
  const personal = [
    'You can reach me at ana.silva@example.com or on +1 (415) 555-2671 between 9 and 5.',
    'The full card number was 4111 1111 1111 1111; please refund it to DE89 3704 0044 0532 0130 00 instead.',
    'Requests came from 203.0.113.42, my SSN on file is 123-45-6789, and the key we rotated was AKIAIOSFODNN7EXAMPLE.',
  ];
  const build = (every: number) => {
    let text = '';
    let p = 0;
    for (let i = 0; text.length < 10_240; i++) text += `${i % every === every - 1 ? personal[p++ % personal.length] : plain[i % plain.length]} `;
    if (every > 20) text = personal.join(' ') + ' ' + text; // the typical text: each one once
    return text.slice(0, 10_240);
  };
  const typical = build(Number.MAX_SAFE_INTEGER);
  const cases = [
    { name: 'typical text, one item of each kind', message: typical, config: configOf(patternRules) },
    { name: 'dense text, personal data in every other sentence', message: build(2), config: configOf(patternRules) },
    { name: 'typical text, one case-insensitive regex rule alone', message: typical, config: configOf(slowRegex) },
  ];
  process.stdout.write('  guardrail, pattern rules only (PII of every kind, secrets, a regex, terms, length), 10 KB text, median of 200\n');
  for (const { name, message, config } of cases) {
    const run = () =>
      guardrail.execute({
        runId: 'bench',
        node: { id: 'guard', type: 'guardrail', position: { x: 0, y: 0 }, config: config as Record<string, unknown> },
        config,
        scope: { input: { message }, nodes: {}, vars: {} },
        signal: new AbortController().signal,
        attempt: 1,
        emit: () => {},
        model: () => {
          throw new Error('no model in this bench');
        },
        tools: () => [],
        attached: () => [],
        promptTemplate: () => Promise.reject(new Error('no prompts in this bench')),
        network: { allowPrivateNetwork: false },
      });
    let found = 0;
    for (let i = 0; i < 50; i++) {
      const result = await run(); // warm up
      if (result.status === 'done') found = (result.output as { redactions: number }).redactions;
    }
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = process.hrtime.bigint();
      await run();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    const p95 = times[Math.floor(times.length * 0.95)]!;
    process.stdout.write(`    ${name} (${found} redacted): ${median.toFixed(3)} ms median, ${p95.toFixed(3)} ms p95\n`);
  }
}

async function peak(): Promise<number> {
  const { getHeapStatistics } = await import('node:v8');
  return getHeapStatistics().total_heap_size / 1_048_576;
}
