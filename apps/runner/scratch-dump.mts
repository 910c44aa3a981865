import { readFileSync, readdirSync } from 'node:fs';
import { Engine, MemoryCheckpointStore } from './src/index.js';
import { createModelResolver } from '@trellis/nodes/server';
for (const file of readdirSync('../../examples').filter((f) => f.endsWith('.flow.json'))) {
  const flow = JSON.parse(readFileSync(`../../examples/${file}`, 'utf8'));
  for (const sample of flow.samples) {
    const events: any[] = [];
    const engine = new Engine({ store: new MemoryCheckpointStore(), models: createModelResolver({ fallbackToTest: true, env: {} }), onEvent: (e) => events.push(e) });
    let r = await engine.start(flow, { input: sample.input, mocks: sample.mocks });
    const waits: any[] = [];
    while (r.status === 'waiting') { waits.push(r.waiting[0]); r = await engine.resume(r.runId, { answer: { waitId: r.waiting[0]!.waitId, approved: true, by: 'test' } }); }
    console.log(`\n===== ${file} ${sample.name} ${r.status}`);
    console.log('skipped', events.filter((e) => e.type === 'node.skipped').map((e) => e.nodeId));
    console.log('branches', events.filter((e) => e.type === 'node.completed' && e.data.decision?.branch).map((e) => [e.nodeId, e.data.decision.branch]));
    console.log('waits', JSON.stringify(waits, null, 1));
    console.log('tools', JSON.stringify(events.filter((e) => e.type.startsWith('node.tool')).map((e) => ({ t: e.type, ...e.data })), null, 1));
    console.log('modelCalls', events.filter((e) => e.type === 'node.completed' && e.data.usage.modelCalls).map((e) => [e.nodeId, e.data.usage.modelCalls]));
  }
}
