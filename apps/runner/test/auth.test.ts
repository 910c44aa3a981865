import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import type { Context } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configFromEnv, isLoopbackHost } from '../src/server/config.js';
import { clientAddress, FAILED_ATTEMPTS, KeyAuth } from '../src/server/keys.js';
import type { Store } from '../src/store/types.js';
import { apiHarness, fourNodeFlow } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
type Body = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field

const TOKEN = 'an-admin-token-for-auth-tests';
const admin = { Authorization: `Bearer ${TOKEN}` };
let h: Harness | undefined;
let server: ServerType | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await h?.close();
  h = undefined;
});

/** A runner with flows "four" published as "double" and as "other", and keys for all slugs and for "other" only. */
async function published(options: { adminToken?: string } = {}) {
  h = await apiHarness(options);
  const auth: Record<string, string> = options.adminToken ? { Authorization: `Bearer ${options.adminToken}` } : {};
  expect((await h.call('POST', '/api/flows', fourNodeFlow('four'), auth)).status).toBe(201);
  for (const slug of ['double', 'other']) expect((await h.call('POST', '/api/flows/four/publish', { slug }, auth)).status).toBe(201);
  const every = (await h.call<Body>('POST', '/api/keys', { name: 'every slug' }, auth)).body.secret as string;
  const otherOnly = (await h.call<Body>('POST', '/api/keys', { name: 'other only', slugs: ['other'] }, auth)).body.secret as string;
  return { h, every: { Authorization: `Bearer ${every}` }, otherOnly: { Authorization: `Bearer ${otherOnly}` } };
}

describe('published endpoints tell no caller which slugs exist', () => {
  it('answers no key and a wrong key 401 alike for a published and an unknown slug', async () => {
    const { h } = await published();
    for (const headers of [{}, { Authorization: 'Bearer trl_not-a-key' }, { Authorization: 'Basic abc' }] as Array<Record<string, string>>) {
      const known = await h.call<Body>('POST', '/v1/flows/double', { n: 1 }, headers);
      const unknown = await h.call<Body>('POST', '/v1/flows/no-such-slug', { n: 1 }, headers);
      expect(known.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(unknown.body).toEqual(known.body);
      expect(unknown.headers.get('WWW-Authenticate')).toBe(known.headers.get('WWW-Authenticate'));
      const status = await h.call<Body>('GET', '/v1/flows/double/runs/some-run', undefined, headers);
      const unknownStatus = await h.call<Body>('GET', '/v1/flows/no-such-slug/runs/some-run', undefined, headers);
      expect([status.status, unknownStatus.status]).toEqual([401, 401]);
      expect(unknownStatus.body).toEqual(status.body);
    }
  });

  it('answers a valid key 404 alike for a slug it may not call and for an unknown one', async () => {
    const { h, every, otherOnly } = await published();
    const notAllowed = await h.call<Body>('POST', '/v1/flows/double', { n: 1 }, otherOnly);
    const unknown = await h.call<Body>('POST', '/v1/flows/no-such-slug', { n: 1 }, otherOnly);
    expect(notAllowed.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(JSON.stringify(unknown.body).replaceAll('no-such-slug', 'double')).toBe(JSON.stringify(notAllowed.body));
    expect(JSON.stringify((await h.call<Body>('POST', '/v1/flows/double', { n: 1 }, otherOnly)).body)).toBe(JSON.stringify((await h.call<Body>('POST', '/v1/flows/double-x', { n: 1 }, every)).body).replaceAll('double-x', 'double'));
    expect((await h.call('GET', '/v1/flows/double/runs/some-run', undefined, otherOnly)).status).toBe(404);
    expect((await h.call<Body>('POST', '/v1/flows/other', { n: 2 }, otherOnly)).body).toMatchObject({ status: 'succeeded', output: { result: 4 } });
  });

  it('answers a CORS preflight 204 for a published and an unknown slug alike', async () => {
    const { h } = await published();
    const headers = { Origin: 'https://somewhere.example', 'Access-Control-Request-Method': 'POST' };
    const known = await h.app.request('/v1/flows/double', { method: 'OPTIONS', headers });
    const unknown = await h.app.request('/v1/flows/no-such-slug', { method: 'OPTIONS', headers });
    expect([known.status, unknown.status]).toEqual([204, 204]);
    expect([...unknown.headers.keys()]).toEqual([...known.headers.keys()]);
  });
});

describe('wrong keys are throttled per client address', () => {
  /** The app on a real socket, called from a chosen loopback address, as a client on another machine would be. */
  async function listen(app: Harness['app']): Promise<(from: string, method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Body }>> {
    const port = await new Promise<number>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => resolve(info.port));
    });
    return (from, method, path, body, headers = {}) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, localAddress: from, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }), ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Body) : {} }));
        });
        req.on('error', reject);
        req.end(body);
      });
  }

  it(`answers 429 with Retry-After after ${FAILED_ATTEMPTS} wrong keys from one address, while another address is unaffected`, async () => {
    const { h, every } = await published();
    const call = await listen(h.app);
    const wrong = { Authorization: 'Bearer trl_guess' };
    const statuses: number[] = [];
    for (let i = 0; i < FAILED_ATTEMPTS + 2; i++) statuses.push((await call('127.0.0.2', 'POST', i % 2 ? '/v1/flows/double' : '/v1/flows/no-such-slug', '{"n":1}', wrong)).status);
    expect(statuses).toEqual([...Array<number>(FAILED_ATTEMPTS).fill(401), 429, 429]);

    const throttled = await call('127.0.0.2', 'POST', '/v1/flows/double', '{"n":1}', every);
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('too_many_failures');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(throttled.body.error.message).toMatch(/too many wrong API keys from this address; try again in \d+ s/);

    const elsewhere = await call('127.0.0.3', 'POST', '/v1/flows/double', '{"n":21}', every);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body).toMatchObject({ status: 'succeeded', output: { result: 42 } });
    expect((await call('127.0.0.3', 'POST', '/v1/flows/double', '{"n":1}', wrong)).status).toBe(401);
    // A deep body read straight from the socket is refused too, before any key is looked at.
    const deep = await call('127.0.0.3', 'POST', '/v1/flows/double', '['.repeat(5000) + ']'.repeat(5000), every);
    expect([deep.status, deep.body.error.code]).toEqual([400, 'too_deep']);
  });

  it('names the client by its socket address, an IPv6 one by its /64', () => {
    const from = (remoteAddress: string) => clientAddress({ env: { incoming: { socket: { remoteAddress } } } } as unknown as Context);
    expect(from('203.0.113.9')).toBe('203.0.113.9');
    expect(from('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(from('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(from('2001:0db8:0001:0002::9')).toBe('2001:db8:1:2::/64');
    expect(from('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientAddress({ env: undefined } as unknown as Context)).toBe('unknown');
  });

  it('remembers a bounded number of addresses', async () => {
    const store = { findKeyByHash: async () => undefined, touchKey: async () => undefined } as unknown as Store;
    const auth = new KeyAuth(store);
    for (let i = 0; i < 10_050; i++) {
      await expect(auth.identify('Bearer trl_guess', `10.0.${i >> 8}.${i & 255}`)).rejects.toMatchObject({ code: 'invalid_key' });
    }
    expect(auth.trackedAddresses).toBe(10_000);
  });
});

describe('/openapi.json with an admin token', () => {
  const publishedPaths = (doc: Body) => Object.keys(doc.paths as Body).filter((p) => p.startsWith('/v1/')).sort();

  it('lists each caller only the published flows its key may call', async () => {
    const { h, every, otherOnly } = await published({ adminToken: TOKEN });
    const anonymous = await h.call<Body>('GET', '/openapi.json');
    expect(anonymous.status).toBe(200);
    expect(publishedPaths(anonymous.body)).toEqual([]);
    expect(Object.keys(anonymous.body.paths as Body)).toContain('/api/flows');
    expect(JSON.stringify(anonymous.body)).not.toContain('double');

    const paths = (slug: string) => [`/v1/flows/${slug}`, `/v1/flows/${slug}/runs/{runId}`, `/v1/flows/${slug}/runs/{runId}/questions/{id}`];
    const all = [...paths('double'), ...paths('other')];
    expect(publishedPaths((await h.call<Body>('GET', '/openapi.json', undefined, admin)).body)).toEqual(all);
    expect(publishedPaths((await h.call<Body>('GET', '/openapi.json', undefined, every)).body)).toEqual(all);
    expect(publishedPaths((await h.call<Body>('GET', '/openapi.json', undefined, otherOnly)).body)).toEqual(paths('other'));

    const wrong = await h.call<Body>('GET', '/openapi.json', undefined, { Authorization: 'Bearer trl_guess' });
    expect([wrong.status, wrong.body.error.code]).toEqual([401, 'invalid_key']);
    const docs = await h.call<string>('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).not.toContain('double');
  });

  it('lists every published flow when no admin token is set (the runner is on loopback)', async () => {
    const { h } = await published();
    expect(publishedPaths((await h.call<Body>('GET', '/openapi.json')).body)).toHaveLength(6);
  });
});

describe('loopback', () => {
  it('is decided by parsing the address, not by how it starts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', 'LOCALHOST', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['127.evil.example', '127.0.0.1.evil.example', 'localhost.evil.example', '0.0.0.0', '::', '128.0.0.1', '::ffff:10.0.0.1', '10.0.0.1', '', 'fe80::1%eth0']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('makes HOST=127.evil.example need an admin token', () => {
    expect(() => configFromEnv({ HOST: '127.evil.example' })).toThrow(ConfigError);
    expect(() => configFromEnv({ HOST: '127.evil.example' })).toThrow(/HOST is 127\.evil\.example, which is reachable from other machines/);
    expect(configFromEnv({ HOST: '127.0.0.2' }).host).toBe('127.0.0.2');
    expect(configFromEnv({ HOST: '::1' }).host).toBe('::1');
  });
});
