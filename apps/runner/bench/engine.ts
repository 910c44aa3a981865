import { executors as realExecutors, type KindExecutor } from '@trellis/nodes/server';
import { Engine } from '../src/engine/engine.js';
import { MemoryCheckpointStore } from '../src/engine/memory-store.js';

/**
 * The engine's own cost per node: scheduling, events, checkpoints and scope, measured on the
 * same graphs twice. "engine" uses executors that return at once, so all the time is the
 * engine's; "with test provider" runs real prompt nodes through the AI SDK and the test
 * provider, for the whole per-node cost.
 */

type Node = { id: string; type: string; config: Record<string, unknown> };
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

function step(id: string): Node {
  return { id, type: 'prompt', config: { model: 'test:bench', prompt: { template: 'Step {{ input.topic }}' } } };
}

function doc(nodes: Node[], edges: Edge[]) {
  return { schema: 'trellis.flow/v1', id: 'bench', name: 'Bench', nodes: nodes.map((n) => ({ ...n, position: { x: 0, y: 0 } })), edges };
}

const instant: ReadonlyMap<string, KindExecutor<unknown>> = new Map(
  [...realExecutors.keys()].map((type) => [type, { type, execute: async () => ({ status: 'done' as const, output: 'ok' }) }]),
);

interface Measure {
  perNodeUs: number;
  runMs: number;
  peakHeapMb: number;
}

async function measure(flowDoc: ReturnType<typeof chain>, executors: ReadonlyMap<string, KindExecutor<unknown>>, runs: number): Promise<Measure> {
  let peakHeap = 0;
  let seen = 0;
  const engine = new Engine({
    store: new MemoryCheckpointStore(),
    executors,
    maxConcurrency: 64,
    onEvent: () => {
      if (++seen % 64 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    },
  });
  const nodes = flowDoc.nodes.length;
  for (let i = 0; i < 3; i++) await engine.start(flowDoc, { input: { topic: 'tea' } }); // warm up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = process.hrtime.bigint();
    const result = await engine.start(flowDoc, { input: { topic: 'tea' } });
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (result.status !== 'succeeded') throw new Error(`bench run ${result.status}: ${result.error?.message}`);
  }
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  return { perNodeUs: (median * 1000) / nodes, runMs: median, peakHeapMb: peakHeap / 1_048_576 };
}

export async function benchEngine(): Promise<void> {
  const flows = [
    { name: '200-node chain', doc: chain(200) },
    { name: '20x20 fan-out/fan-in', doc: fanOutFanIn(20, 20) },
  ];
  process.stdout.write(`engine benchmark (Node ${process.version}, in-memory checkpoints, median of 20 runs)\n`);
  for (const { name, doc: flowDoc } of flows) {
    const engineOnly = await measure(flowDoc, instant, 20);
    const withModel = await measure(flowDoc, realExecutors, 10);
    process.stdout.write(
      `  ${name} (${flowDoc.nodes.length} nodes)\n` +
        `    engine overhead: ${engineOnly.perNodeUs.toFixed(1)} us/node (run ${engineOnly.runMs.toFixed(1)} ms)\n` +
        `    with test provider: ${withModel.perNodeUs.toFixed(1)} us/node (run ${withModel.runMs.toFixed(1)} ms)\n`,
    );
  }
  process.stdout.write(`  peak heap: ${(process.memoryUsage().heapUsed / 1_048_576).toFixed(1)} MB now, ${(await peak()).toFixed(1)} MB at most\n`);
}

async function peak(): Promise<number> {
  const { getHeapStatistics } = await import('node:v8');
  return getHeapStatistics().total_heap_size / 1_048_576;
}
