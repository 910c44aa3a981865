import { executors as realExecutors, type KindExecutor } from '@trellis/nodes/server';
import { Engine } from '/work/main/apps/runner/src/engine/engine.js';
import { MemoryCheckpointStore } from '/work/main/apps/runner/src/engine/memory-store.js';
const instant: Map<string, KindExecutor<unknown>> = new Map([...realExecutors.keys()].map((type) => [type, { type, execute: async () => ({ status: 'done' as const, output: 'ok' }) }]));
for (const t of ['input','map','output']) instant.set(t, realExecutors.get(t)!);
const step = (id: string, parent?: string) => ({ id, type: 'prompt', position: {x:0,y:0}, ...(parent?{parent}:{}), config: { model: 'test:bench', prompt: { template: 'x' } } });
const doc = { schema: 'trellis.flow/v1', id: 'b', name: 'b', nodes: [
  { id: 'in', type: 'input', position: {x:0,y:0}, config: {} },
  { id: 'each', type: 'map', position: {x:0,y:0}, config: { items: 'input.items', maxItems: 10000 } },
  step('s1','each'), step('s2','each'),
  { id: 'r', type: 'output', parent: 'each', position: {x:0,y:0}, config: { value: '{{ item }}' } },
  { id: 'out', type: 'output', position: {x:0,y:0}, config: { value: 1 } }],
  edges: [{id:'a',source:'in',target:'each'},{id:'b',source:'s1',target:'s2'},{id:'c',source:'s2',target:'r'},{id:'d',source:'each',target:'out'}] };
const items = Array.from({length: 1000}, (_, i) => i);
const mode = process.argv[2] ?? 'time';
for (let i = 0; i < (mode === 'heap' ? 1 : 6); i++) {
  const engine = new Engine({ store: new MemoryCheckpointStore(), executors: instant });
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = 0; let n = 0;
  const e2 = new Engine({ store: new MemoryCheckpointStore(), executors: instant, onEvent: () => { if (++n % 100 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed); } });
  const t = performance.now();
  const r = await (mode === 'heap' ? e2 : engine).start(doc, { input: { items } });
  const ms = performance.now() - t;
  console.log(r.status, ms.toFixed(1), 'ms', (ms*1000/3000).toFixed(1), 'us/step', mode === 'heap' ? `peak +${((peak-before)/1048576).toFixed(1)} MB` : '');
}
