import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createModelResolver, type ModelResolver } from '@trellis/nodes/server';
import { createApp, type AppOptions } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import { RunService, type RunServiceOptions } from '../../src/server/service.js';
import { openDatabase, openStore } from '../../src/store/db.js';
import { loadSecretKey } from '../../src/secrets/cipher.js';
import { Credentials } from '../../src/secrets/credentials.js';
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';

export interface Answer<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export const TEST_PG_URL = process.env.TRELLIS_TEST_DATABASE_URL ?? 'postgres://127.0.0.1:5432/test';

/** The runner's app over a fresh store (SQLite by default, or a PostgreSQL schema of its own), driven without a socket. */
export async function apiHarness(
  options: Partial<Pick<AppOptions, 'adminToken' | 'bodyLimitBytes' | 'syncTimeoutMs' | 'editorDir' | 'isShuttingDown'>> & {
    postgres?: boolean;
    models?: ModelResolver;
    /** The environment credentials see (provider keys, TRELLIS_CREDENTIAL_*); none by default. */
    env?: Record<string, string | undefined>;
    /** TRELLIS_SECRET_KEY; by default a key file is made in the harness's data folder. */
    secretKey?: string;
    /** No key at all (as PostgreSQL without TRELLIS_SECRET_KEY): credentials cannot be stored. */
    keyless?: boolean;
  } & Pick<RunServiceOptions, 'allowPrivateNetwork' | 'mcpServers'> = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-api-'));
  const pgSchema = `trellis_api_${randomBytes(6).toString('hex')}`;
  const store = await openStore(options.postgres ? { databaseUrl: TEST_PG_URL, pgSchema } : { dataDir: dir });
  const lines: string[] = [];
  const log = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    }),
  );
  const credentials = new Credentials(store, loadSecretKey({ secretKey: options.secretKey, dataDir: dir, ...(options.keyless ? { databaseUrl: TEST_PG_URL } : {}) }), options.env ?? {});
  const service = new RunService({ store, log, credentials, models: options.models ?? createModelResolver({ fallbackToTest: true, env: {} }), sweepIntervalMs: 50, allowPrivateNetwork: options.allowPrivateNetwork ?? false, ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}) });
  await service.start();
  const app = createApp({ store, service, log, bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024, syncTimeoutMs: options.syncTimeoutMs ?? 10_000, ...(options.adminToken ? { adminToken: options.adminToken } : {}), ...(options.editorDir ? { editorDir: options.editorDir } : {}), ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}) });

  async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> {
    const init: RequestInit = { method, headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...headers } };
    if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
    const res = await app.request(path, init);
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: SSE or HTML, kept as text
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  /** Polls a run until its status is one of `statuses`. */
  async function runUntil(runId: string, statuses: string[], ms = 5000): Promise<Record<string, unknown>> {
    const until = Date.now() + ms;
    for (;;) {
      const { body } = await call('GET', `/api/runs/${runId}`);
      if (statuses.includes(String(body.status))) return body;
      if (Date.now() > until) throw new Error(`run ${runId} is ${String(body.status)}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  return {
    app,
    store,
    service,
    log,
    lines,
    call,
    runUntil,
    async close() {
      await service.shutdown(1000);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      if (options.postgres) {
        const { db } = await openDatabase({ databaseUrl: TEST_PG_URL });
        await sql`drop schema if exists ${sql.id(pgSchema)} cascade`.execute(db);
        await db.destroy();
      }
    },
  };
}

/** Parses an SSE body into its events. */
export function parseSse(text: string): Array<{ id?: string; event?: string; data: string }> {
  return text
    .split('\n\n')
    .filter((block) => block.split('\n').some((l) => l.startsWith('data:')))
    .map((block) => {
      const out: { id?: string; event?: string; data: string } = { data: '' };
      for (const line of block.split('\n')) {
        if (line.startsWith('id:')) out.id = line.slice(3).trim();
        else if (line.startsWith('event:')) out.event = line.slice(6).trim();
        else if (line.startsWith('data:')) out.data += line.slice(5).trim();
      }
      return out;
    });
}

/** A flow document with an input schema, a condition, a transform and an output: no model. */
export function fourNodeFlow(id = 'four') {
  const flow = JSON.parse(readFileSync(new URL('../fixtures/four-node.flow.json', import.meta.url), 'utf8')) as { id: string; nodes: unknown[]; edges: Array<Record<string, string>> };
  return { ...flow, id };
}

/** input → approval → output: the run waits for a person. */
export function approvalFlow(id = 'needs-ok') {
  return {
    schema: 'trellis.flow/v1',
    id,
    name: 'Needs approval',
    nodes: [
      { id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object', properties: { amount: { type: 'number' } }, required: ['amount'] } } },
      { id: 'ok', type: 'approval', position: { x: 200, y: 0 }, config: { message: 'Refund {{ input.amount }}?', payload: { amount: '{{ input.amount }}' } } },
      { id: 'done', type: 'output', position: { x: 400, y: 0 }, config: { value: { approved: true, payload: '{{ nodes.ok.output.payload }}', by: '{{ nodes.ok.output.by }}' } } },
      { id: 'no', type: 'output', position: { x: 400, y: 200 }, config: { value: { approved: false } } },
    ],
    edges: [
      { id: 'e1', source: 'in', sourceHandle: 'out', target: 'ok', targetHandle: 'in' },
      { id: 'e2', source: 'ok', sourceHandle: 'approved', target: 'done', targetHandle: 'in' },
      { id: 'e3', source: 'ok', sourceHandle: 'rejected', target: 'no', targetHandle: 'in' },
    ],
  };
}
