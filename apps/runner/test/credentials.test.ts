import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateText } from 'ai';
import { createModelResolver } from '@trellis/nodes/server';
import type { Credential, ProviderStatus, ProviderTestResult, RunEvent } from '@trellis/schema';
import { startFakeOpenAI, type FakeOpenAI } from '@trellis/test-support/fake-openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SecretCipher, loadSecretKey, parseSecretKey } from '../src/secrets/cipher.js';
import { Credentials } from '../src/secrets/credentials.js';
import { openStore } from '../src/store/db.js';
import { apiHarness } from './support/api.js';

type Harness = Awaited<ReturnType<typeof apiHarness>>;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-creds-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the cipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('seals with a fresh IV each time and opens what it sealed', () => {
    const a = cipher.seal('crm-token', 'hunter2-value');
    const b = cipher.seal('crm-token', 'hunter2-value');
    expect(a.iv).not.toBe(b.iv);
    expect(a.ciphertext).not.toContain('hunter2');
    expect(Buffer.from(a.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(a.tag, 'base64')).toHaveLength(16);
    expect(cipher.open('crm-token', a)).toBe('hunter2-value');
  });

  it('refuses a changed value, tag or name, and another key', () => {
    const sealed = cipher.seal('crm-token', 'hunter2-value');
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0]! ^= 1;
    expect(cipher.open('crm-token', { ...sealed, ciphertext: flipped.toString('base64') })).toBeUndefined();
    expect(cipher.open('crm-token', { ...sealed, tag: randomBytes(16).toString('base64') })).toBeUndefined();
    expect(cipher.open('other-name', sealed)).toBeUndefined();
    expect(new SecretCipher(randomBytes(32)).open('crm-token', sealed)).toBeUndefined();
  });
});

describe('the secret key', () => {
  it('reads TRELLIS_SECRET_KEY as hex or base64, and names the variable when it is malformed', () => {
    const key = randomBytes(32);
    expect(parseSecretKey(key.toString('hex'))).toEqual(key);
    expect(parseSecretKey(key.toString('base64'))).toEqual(key);
    for (const bad of ['short', randomBytes(16).toString('base64'), 'z'.repeat(64)]) expect(() => parseSecretKey(bad)).toThrow(/TRELLIS_SECRET_KEY must be 32 bytes/);
  });

  it('creates <data>/secret.key readable by its owner only, and reuses it on the next start', () => {
    const dataDir = tempDir();
    const first = loadSecretKey({ dataDir });
    const file = join(dataDir, 'secret.key');
    expect(first).toMatchObject({ from: 'file', file });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = loadSecretKey({ dataDir });
    expect('key' in again && 'key' in first && again.key.equals(first.key)).toBe(true);
    expect(readFileSync(file, 'utf8').trim()).toBe('key' in first ? first.key.toString('base64') : '');
  });

  it('refuses a key file others may read, saying how to fix it', () => {
    const dataDir = tempDir();
    loadSecretKey({ dataDir });
    chmodSync(join(dataDir, 'secret.key'), 0o644);
    expect(() => loadSecretKey({ dataDir })).toThrow(/may be read by other users.*chmod 600/);
  });

  it('the environment wins over the file; PostgreSQL without TRELLIS_SECRET_KEY has none', () => {
    const key = randomBytes(32);
    expect(loadSecretKey({ secretKey: key.toString('hex'), dataDir: tempDir() })).toEqual({ key, from: 'env' });
    const none = loadSecretKey({ dataDir: tempDir(), databaseUrl: 'postgres://db/trellis' });
    expect(none).toEqual({ unavailable: expect.stringMatching(/TRELLIS_SECRET_KEY.*DATABASE_URL/) });
  });

  it('a value stored under another key fails with a sentence naming the credential', async () => {
    const dataDir = tempDir();
    const store = await openStore({ dataDir });
    try {
      await new Credentials(store, { key: randomBytes(32), from: 'env' }, {}).put('crm-token', { kind: 'secret', value: 'hunter2-value' });
      const other = new Credentials(store, { key: randomBytes(32), from: 'env' }, {});
      await expect(other.secret('crm-token')).rejects.toMatchObject({ code: 'credential_unreadable', message: expect.stringMatching(/"crm-token" cannot be decrypted/) });
      await expect(other.secret('nope')).rejects.toMatchObject({ code: 'missing_secret', message: expect.stringMatching(/"nope" is not set.*TRELLIS_CREDENTIAL_NOPE/) });
      // The environment's value wins over the stored one.
      const withEnv = new Credentials(store, { key: randomBytes(32), from: 'env' }, { TRELLIS_CREDENTIAL_CRM_TOKEN: 'from-env' });
      expect(await withEnv.secret('crm-token')).toBe('from-env');
    } finally {
      await store.close();
    }
  });
});

describe('the credentials API', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('stores values write-only: no answer, list or error carries them', async () => {
    h = await apiHarness();
    const value = 'sk-very-secret-0123456789';
    const put = await h.call<Credential>('PUT', '/api/credentials/openai-key', { kind: 'provider', provider: 'openai', value });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ name: 'openai-key', kind: 'provider', provider: 'openai', createdAt: expect.any(String), updatedAt: expect.any(String) });
    await h.call('PUT', '/api/credentials/crm-token', { kind: 'secret', value });
    const list = await h.call<{ items: Credential[] }>('GET', '/api/credentials');
    expect(list.body.items.map((c) => c.name)).toEqual(['crm-token', 'openai-key']);

    const refused = [
      await h.call('PUT', '/api/credentials/bad', { kind: 'secret', provider: 'openai', value }),
      await h.call('PUT', '/api/credentials/bad', { kind: 'key', value }),
      await h.call('PUT', '/api/credentials/9bad', { kind: 'secret', value }),
      await h.call('PUT', '/api/credentials/bad', { kind: 'secret', value: value.repeat(1000) }),
    ];
    expect(refused.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    const text = JSON.stringify([put, list, ...refused].map((r) => r.body)) + h.lines.join('\n');
    expect(text).not.toContain(value);
    expect(text).not.toContain('sk-very');

    expect((await h.call('DELETE', '/api/credentials/crm-token')).status).toBe(204);
    expect((await h.call('DELETE', '/api/credentials/crm-token')).status).toBe(404);
  });

  it('answers 503, saying how to give a key, when the runner has none', async () => {
    h = await apiHarness({ keyless: true });
    const res = await h.call('PUT', '/api/credentials/crm-token', { kind: 'secret', value: 'v-123456' });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: { code: 'secrets_unavailable', message: expect.stringMatching(/TRELLIS_SECRET_KEY/) } });
    expect((await h.call('GET', '/api/credentials')).status).toBe(200);
  });
});

describe('an HTTP tool with a secret', () => {
  let h: Harness | undefined;
  let server: ReturnType<typeof createServer>;
  let url: string;
  const received: IncomingHttpHeaders[] = [];
  const secret = 'crm-secret-token-5f3a9c';

  beforeAll(async () => {
    // Echoes the request's headers back, as some services do: the tool must not hand the secret back.
    server = createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json', 'x-echo': String(req.headers.authorization ?? req.headers['x-api-key']) });
      res.end(JSON.stringify({ headers: req.headers }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/accounts`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    received.length = 0;
  });

  const flow = (auth: Record<string, unknown>) => ({
    schema: 'trellis.flow/v1',
    id: 'crm',
    name: 'CRM lookup',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } },
      { id: 'lookup', type: 'tool', position: { x: 200, y: 0 }, config: { tool: 'http', http: { method: 'GET', url, auth } } },
      { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { value: '{{ nodes.lookup.output }}' } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'lookup', targetHandle: 'in' },
      { id: 'e2', source: 'lookup', sourceHandle: 'out', target: 'out', targetHandle: 'in' },
    ],
  });

  async function runFlow(auth: Record<string, unknown>) {
    expect((await h!.call('POST', '/api/flows', flow(auth))).status).toBe(201);
    const started = await h!.call<{ id: string }>('POST', '/api/flows/crm/runs', { input: {} });
    const run = await h!.runUntil(started.body.id, ['succeeded', 'failed']);
    const events = await h!.call<{ items: RunEvent[] }>('GET', `/api/runs/${started.body.id}/events`);
    const exported = await h!.call('GET', '/api/flows/crm');
    return { run, trace: JSON.stringify(events.body) + JSON.stringify(run) + JSON.stringify(exported.body) + h!.lines.join('\n') };
  }

  it('sends the stored secret as a bearer token; the trace, output, export and log never hold it', async () => {
    h = await apiHarness({ allowPrivateNetwork: true });
    expect((await h.call('PUT', '/api/credentials/crm-token', { kind: 'secret', value: secret })).status).toBe(200);
    const { run, trace } = await runFlow({ secret: 'crm-token' });
    expect(run.status).toBe('succeeded');
    expect(received[0]!.authorization).toBe(`Bearer ${secret}`);
    expect(trace).toContain('[redacted]'); // the echo came back, scrubbed
    expect(trace).not.toContain(secret);
    expect(trace).toContain('crm-token'); // the flow names the secret, and only names it
    const used = await h.call<{ items: Credential[] }>('GET', '/api/credentials');
    expect(used.body.items[0]!.lastUsedAt).toEqual(expect.any(String));
  });

  it('sends it in a header of its own, and the environment wins over the stored value', async () => {
    h = await apiHarness({ allowPrivateNetwork: true, env: { TRELLIS_CREDENTIAL_CRM_TOKEN: 'from-the-environment' } });
    await h.call('PUT', '/api/credentials/crm-token', { kind: 'secret', value: secret });
    const { run, trace } = await runFlow({ secret: 'crm-token', header: 'X-Api-Key' });
    expect(run.status).toBe('succeeded');
    expect(received[0]!['x-api-key']).toBe('from-the-environment');
    expect(received[0]!.authorization).toBeUndefined();
    expect(trace).not.toContain('from-the-environment');
  });

  it('validation refuses a header that auth sets too, naming it', async () => {
    h = await apiHarness();
    const document = flow({ secret: 'crm-token' });
    (document.nodes[1]!.config as { http: Record<string, unknown> }).http.headers = { Authorization: 'Bearer {{ input.token }}' };
    const res = await h.call<{ ok: boolean; problems: Array<{ nodeId?: string; message: string }> }>('POST', '/api/validate', document);
    expect(res.body.problems).toContainEqual(expect.objectContaining({ nodeId: 'lookup', message: expect.stringMatching(/"Authorization" is also set by auth \(the secret "crm-token"\)/) }));
  });

  it('fails the step with a sentence naming a secret that is not set', async () => {
    h = await apiHarness({ allowPrivateNetwork: true });
    const { run } = await runFlow({ secret: 'crm-token' });
    expect(run.status).toBe('failed');
    expect(JSON.stringify(run.error)).toMatch(/the secret \\"crm-token\\" is not set/);
    expect(received).toHaveLength(0);
  });
});

describe('model providers', () => {
  let h: Harness | undefined;
  let fake: FakeOpenAI;
  beforeAll(async () => {
    fake = await startFakeOpenAI();
  });
  afterAll(async () => {
    await fake.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    fake.reset();
  });

  it('uses a stored key when the environment has none, and the environment key when it has one', async () => {
    const call = async (env: Record<string, string>) => {
      const resolve = createModelResolver({ env: { OPENAI_BASE_URL: fake.url, ...env }, storedKey: (p) => (p === 'openai' ? 'stored-key' : undefined), fallbackToTest: false });
      fake.enqueue({ text: 'hi' });
      await generateText({ model: resolve({ requested: 'openai:gpt-4.1-mini', nodeId: 'n', cursor: { value: 0 } }).model, prompt: 'hello', maxRetries: 0 });
      return fake.requests.at(-1)!.headers.authorization;
    };
    expect(await call({})).toBe('Bearer stored-key');
    expect(await call({ OPENAI_API_KEY: 'env-key' })).toBe('Bearer env-key');
  });

  it('lists each provider with where its key comes from: the environment wins', async () => {
    h = await apiHarness({ env: { ANTHROPIC_API_KEY: 'env-anthropic' } });
    await h.call('PUT', '/api/credentials/openai-key', { kind: 'provider', provider: 'openai', value: 'sk-stored-openai' });
    await h.call('PUT', '/api/credentials/anthropic-key', { kind: 'provider', provider: 'anthropic', value: 'sk-stored-anthropic' });
    const res = await h.call<{ items: ProviderStatus[] }>('GET', '/api/providers');
    const by = Object.fromEntries(res.body.items.map((p) => [p.id, p]));
    expect(by.openai).toMatchObject({ configured: true, source: 'credential', credential: 'openai-key' });
    expect(by.anthropic).toMatchObject({ configured: true, source: 'env' });
    expect(by.ollama).toMatchObject({ configured: true, source: 'local' });
    expect(JSON.stringify(res.body)).not.toMatch(/sk-stored|env-anthropic/);
  });

  it('tests a provider with the stored key against the fake server: ok, then a refused key', async () => {
    h = await apiHarness({ env: { OPENAI_BASE_URL: fake.url } });
    const none = await h.call<ProviderTestResult>('POST', '/api/providers/openai/test');
    expect(none.body).toMatchObject({ ok: false, message: expect.stringMatching(/no key/) });
    await h.call('PUT', '/api/credentials/openai-key', { kind: 'provider', provider: 'openai', value: 'sk-stored-openai' });

    const ok = await h.call<ProviderTestResult>('POST', '/api/providers/openai/test');
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ ok: true, message: 'the provider answered with 1 model' });
    expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/models', headers: { authorization: 'Bearer sk-stored-openai' } });

    fake.enqueue({ status: 401, message: 'Incorrect API key provided: sk-stored-openai' });
    const refused = await h.call<ProviderTestResult>('POST', '/api/providers/openai/test');
    expect(refused.body).toMatchObject({ ok: false, message: expect.stringMatching(/refused the key \(401\): Incorrect API key provided: \[redacted\]/) });
    expect(JSON.stringify(refused.body)).not.toContain('sk-stored');

    expect((await h.call('POST', '/api/providers/nowhere/test')).status).toBe(404);
  });
});
