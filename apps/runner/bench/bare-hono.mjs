// The yardstick of `bench http`: a bare Hono server on @hono/node-server (the runner's own HTTP
// stack) that checks the bearer token, parses the JSON body and answers a published flow's JSON,
// with no flow, store or log behind it. Plain JavaScript, so it starts as the compiled runner does.
// Prints "listening on URL" to stderr once it listens on a free loopback port.
import { randomUUID } from 'node:crypto';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const app = new Hono();
app.post('/v1/flows/:slug', async (c) => {
  if (!c.req.header('Authorization')?.startsWith('Bearer ')) return c.json({ error: { code: 'unauthorized' } }, 401);
  const body = await c.req.json();
  return c.json({ runId: randomUUID(), status: 'succeeded', output: { result: body.n * 2 } });
});
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => process.stderr.write(`listening on http://127.0.0.1:${info.port}\n`));
process.on('SIGTERM', () => process.exit(0));
