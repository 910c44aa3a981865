import { readFileSync } from 'node:fs';
import { Engine, MemoryCheckpointStore } from './src/index.js';
import { createModelResolver } from '@trellis/nodes/server';
const [file, sampleName] = process.argv.slice(2);
const flow = JSON.parse(readFileSync(file!, 'utf8'));
const sample = flow.samples.find((s: any) => s.name === sampleName);
const base = createModelResolver({ fallbackToTest: true, env: {} });
const engine = new Engine({
  store: new MemoryCheckpointStore(),
  models: (req) => {
    const r = base(req);
    const orig = r.model.doStream.bind(r.model);
    (r.model as any).doStream = async (o: any) => {
      if (((globalThis as any).seen ??= new Set()).has(req.nodeId)) return orig(o);
      (globalThis as any).seen.add(req.nodeId);
      console.log(`\n######## ${req.nodeId}`);
      for (const m of o.prompt) console.log(`--- ${m.role}\n${typeof m.content === 'string' ? m.content : m.content.map((p: any) => p.text ?? JSON.stringify(p)).join('')}`);
      return orig(o);
    };
    return r;
  },
});
let r = await engine.start(flow, { input: sample.input, mocks: sample.mocks });
while (r.status === 'waiting') r = await engine.resume(r.runId, { answer: { waitId: r.waiting[0]!.waitId, approved: true } });
console.log(r.status);
