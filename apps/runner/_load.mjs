import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
const url = process.argv[2]; const secs = Number(process.argv[3] ?? 10);
const flow = { ...JSON.parse(readFileSync(new URL('./test/fixtures/four-node.flow.json', import.meta.url), 'utf8')), id: 'bench-four', name: 'Bench' };
const api = async (m, p, b) => { const r = await fetch(url + p, { method: m, headers: { 'Content-Type': 'application/json' }, body: b && JSON.stringify(b) }); return r.json(); };
await api('POST', '/api/flows', flow); await api('POST', '/api/flows/bench-four/publish', { slug: 'bench' });
const { secret } = await api('POST', '/api/keys', { name: 'bench', rateLimit: null });
const run = (d) => autocannon({ url: `${url}/v1/flows/bench`, method: 'POST', connections: 50, duration: d, headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: '{"n":21}' });
await run(3); const r = await run(secs); console.log(r.requests.average, 'req/s', r.non2xx, 'non2xx');
