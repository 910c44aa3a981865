import { readFileSync } from 'node:fs';
import { BlockList, isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { McpStdioServer } from '@trellis/nodes/server';
import { DEFAULT_LEASE_MS } from '../store/types.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** Directory of the SQLite file (when no DATABASE_URL is given). */
  dataDir: string;
  databaseUrl?: string;
  /** Required for /api when the server listens beyond loopback. */
  adminToken?: string;
  /** Largest request body accepted, in bytes. */
  bodyLimitBytes: number;
  /** How long a synchronous call to a published endpoint waits for its run before answering 202. */
  syncTimeoutMs: number;
  /** How long SIGTERM waits for running steps before exiting. */
  shutdownTimeoutMs: number;
  /** TRELLIS_LEASE_MS: how long a runner's hold on a run lasts unless renewed (a dead runner's runs are taken over after it). */
  leaseMs: number;
  /** TRELLIS_RUNNER_ID: this runner's name in run leases and logs (random per process by default). */
  runnerId?: string;
  /**
   * TRELLIS_MAX_RUNS (PostgreSQL): this runner takes runs from the shared queue while fewer than
   * this many execute here (100 by default; 0 for a runner that answers HTTP and leaves queued runs to the others).
   */
  maxRuns: number;
  logLevel: string;
  /** The built editor, served at /. */
  editorDir?: string;
  /** Load the bundled example flows into an empty database. */
  examplesDir?: string;
  allowPrivateNetwork: boolean;
  /** The stdio MCP servers flows may start, by name (TRELLIS_MCP_SERVERS): the operator's choice, never a flow's. */
  mcpServers?: Record<string, McpStdioServer>;
  /** TRELLIS_SECRET_KEY: the key credentials are encrypted with (else `<dataDir>/secret.key`; see secrets/cipher.ts). */
  secretKey?: string;
}

export class ConfigError extends Error {}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a listen address stays on this machine: the name `localhost`, or an address parsed as
 * 127.0.0.0/8 or ::1 (IPv4-mapped ones like ::ffff:127.0.0.1 too). Parsed, not matched by its
 * text: `127.evil.example` is a name any DNS may point anywhere.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (/^localhost\.?$/i.test(bare)) return true;
  const family = isIP(bare);
  if (family === 0) return false;
  try {
    return LOOPBACK.check(bare, family === 4 ? 'ipv4' : 'ipv6');
  } catch {
    return false; // e.g. a zone index (fe80::1%eth0), which is no loopback address anyway
  }
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}")`);
  return n;
}

const McpServersFile = z.record(
  z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  z.strictObject({
    command: z.string().min(1),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  }),
);

/**
 * The stdio MCP servers of TRELLIS_MCP_SERVERS: the path of a JSON file
 * `{ "name": { "command": "…", "args": [ … ], "env": { … }, "cwd": "…" } }`. A flow names one of
 * these; the command, arguments and environment come only from here.
 */
export function mcpServersFromFile(path: string): Record<string, McpStdioServer> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`TRELLIS_MCP_SERVERS names ${path}, which cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`TRELLIS_MCP_SERVERS: ${path} is not JSON (${(error as Error).message})`);
  }
  const parsed = McpServersFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((i) => (i.code === 'invalid_key' ? `"${i.path.join('.')}" is not a server name (1-64 letters, digits, _, . or -)` : `${i.path.join('.') || '(top)'}: ${i.message}`))
      .join('; ');
    throw new ConfigError(`TRELLIS_MCP_SERVERS: ${path} is not { "name": { "command": "…", "args": […], "env": {…} } }: ${problems}`);
  }
  return parsed.data as Record<string, McpStdioServer>;
}

/** Reads the environment; throws ConfigError with a sentence naming the variable at fault. */
export function configFromEnv(env: NodeJS.ProcessEnv, defaults: Partial<ServerConfig> = {}): ServerConfig {
  const host = env.HOST || defaults.host || '127.0.0.1';
  const adminToken = env.TRELLIS_ADMIN_TOKEN || defaults.adminToken;
  if (!isLoopbackHost(host) && !adminToken) {
    throw new ConfigError(`HOST is ${host}, which is reachable from other machines: set TRELLIS_ADMIN_TOKEN so the admin API (/api) is not open to them`);
  }
  if (adminToken !== undefined && adminToken.length < 16) throw new ConfigError('TRELLIS_ADMIN_TOKEN must be at least 16 characters long');
  const databaseUrl = env.DATABASE_URL || defaults.databaseUrl;
  const editorDir = env.TRELLIS_EDITOR_DIR || defaults.editorDir;
  const secretKey = env.TRELLIS_SECRET_KEY || defaults.secretKey;
  const runnerId = env.TRELLIS_RUNNER_ID || defaults.runnerId;
  const mcpServers = env.TRELLIS_MCP_SERVERS ? mcpServersFromFile(resolve(env.TRELLIS_MCP_SERVERS)) : defaults.mcpServers;
  return {
    host,
    port: int(env, 'PORT', defaults.port ?? 3000, 0, 65535),
    dataDir: resolve(env.TRELLIS_DATA || defaults.dataDir || './data'),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(adminToken ? { adminToken } : {}),
    bodyLimitBytes: int(env, 'TRELLIS_BODY_LIMIT', defaults.bodyLimitBytes ?? 1024 * 1024, 1024, 256 * 1024 * 1024),
    syncTimeoutMs: int(env, 'TRELLIS_SYNC_TIMEOUT_MS', defaults.syncTimeoutMs ?? 30_000, 0, 15 * 60_000),
    shutdownTimeoutMs: int(env, 'TRELLIS_SHUTDOWN_TIMEOUT_MS', defaults.shutdownTimeoutMs ?? 10_000, 0, 10 * 60_000),
    leaseMs: int(env, 'TRELLIS_LEASE_MS', defaults.leaseMs ?? DEFAULT_LEASE_MS, 1000, 10 * 60_000),
    ...(runnerId ? { runnerId } : {}),
    maxRuns: int(env, 'TRELLIS_MAX_RUNS', defaults.maxRuns ?? 100, 0, 10_000),
    logLevel: env.LOG_LEVEL || defaults.logLevel || 'info',
    ...(editorDir ? { editorDir: resolve(editorDir) } : {}),
    ...(defaults.examplesDir ? { examplesDir: defaults.examplesDir } : {}),
    allowPrivateNetwork: env.TRELLIS_ALLOW_PRIVATE_NETWORK === '1' || defaults.allowPrivateNetwork === true,
    ...(mcpServers ? { mcpServers } : {}),
    ...(secretKey ? { secretKey } : {}),
  };
}
