import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { errorMessage } from '@trellis/schema';
import type { ModelResolver } from '@trellis/nodes/server';
import { loadSecretKey } from '../secrets/cipher.js';
import { Credentials } from '../secrets/credentials.js';
import { isPostgresUrl, openStore } from '../store/db.js';
import type { Store } from '../store/types.js';
import { RUNNER_DIR } from '../package-dir.js';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { loadExamplePromptsOnce, loadExamplesOnce } from './examples.js';
import { createLogger, type Logger } from './logger.js';
import { RunService } from './service.js';

export const REPO_EXAMPLES = join(RUNNER_DIR, '..', '..', 'examples');
export const REPO_EDITOR = join(RUNNER_DIR, '..', 'editor', 'dist');

export interface RunningServer {
  url: string;
  store: Store;
  service: RunService;
  log: Logger;
  /** Stops taking requests and runs, lets steps in flight finish (bounded), closes the store. */
  close(): Promise<void>;
}

/**
 * The process-wide safety net of a serving runner: a promise rejected with no handler is a bug,
 * but one run's bug must not stop every other run and request. It is logged (with the run's id
 * when the error carries one) and the process goes on. Returns a function that removes the net.
 */
export function installSafetyNet(log: Logger, target: NodeJS.EventEmitter = process): () => void {
  const onRejection = (reason: unknown) => {
    const runId = typeof reason === 'object' && reason !== null && typeof (reason as { runId?: unknown }).runId === 'string' ? (reason as { runId: string }).runId : undefined;
    const fromMessage = runId ?? /\brun ([0-9a-f-]{8,})\b/i.exec(errorMessage(reason))?.[1];
    log.error({ err: reason, ...(fromMessage ? { runId: fromMessage } : {}) }, 'unhandled rejection (a bug): logged, and the runner goes on');
  };
  target.on('unhandledRejection', onRejection);
  return () => void target.off('unhandledRejection', onRejection);
}

/**
 * What serves and works alike (`trellis serve` and `trellis worker`): the store, opened and
 * brought up to date, and the run service over it (with the shared run queue on PostgreSQL), not yet started.
 */
export async function openRunner(config: ServerConfig, extra: { models?: ModelResolver; log?: Logger } = {}): Promise<{ log: Logger; store: Store; service: RunService }> {
  const log = extra.log ?? createLogger(config.logLevel);
  // Before the store opens: a malformed or unsafe key stops the start with a sentence saying what to fix.
  const secretKey = loadSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  if ('unavailable' in secretKey) log.warn(secretKey.unavailable);
  const store = await openStore({
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    dataDir: config.dataDir,
    onConnectionError: (error) => log.warn({ err: error }, 'a database connection broke; it is replaced when next needed'),
    runner: { ...(config.runnerId ? { id: config.runnerId } : {}), leaseMs: config.leaseMs },
  });
  const credentials = new Credentials(store, secretKey);
  const service = new RunService({
    store,
    log,
    credentials,
    allowPrivateNetwork: config.allowPrivateNetwork,
    ...(config.mcpServers ? { mcpServers: config.mcpServers } : {}),
    ...(extra.models ? { models: extra.models } : {}),
    ...(isPostgresUrl(config.databaseUrl) ? { queue: { url: config.databaseUrl, maxRuns: config.maxRuns } } : {}),
  });
  return { log, store, service };
}

/** Opens the store, resumes unfinished runs, and listens. */
export async function startServer(config: ServerConfig, extra: { models?: ModelResolver; log?: Logger } = {}): Promise<RunningServer> {
  const { log, store, service } = await openRunner(config, extra);
  if (config.examplesDir) {
    await loadExamplesOnce(store, config.examplesDir, log);
    await loadExamplePromptsOnce(store, config.examplesDir, log);
  }
  let shuttingDown = false;
  const app = createApp({
    store,
    service,
    log,
    bodyLimitBytes: config.bodyLimitBytes,
    syncTimeoutMs: config.syncTimeoutMs,
    ...(config.adminToken ? { adminToken: config.adminToken } : {}),
    ...(config.editorDir ? { editorDir: config.editorDir } : {}),
    ...(config.examplesDir ? { examplesDir: config.examplesDir } : {}),
    isShuttingDown: () => shuttingDown,
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  });
  await service.start();
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url, store: store.dialect, ...(config.databaseUrl ? {} : { dataDir: config.dataDir }) }, 'trellis runner listening');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      shuttingDown = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      const { drained, abandoned } = await service.shutdown(config.shutdownTimeoutMs);
      log.info({ drained: drained.length, abandoned: abandoned.length }, 'runs stopped; unfinished ones resume on the next start');
      // Streams (SSE followers) would hold the server open: end them.
      if ('closeAllConnections' in server) server.closeAllConnections();
      await stopped;
      await store.close();
      log.flush();
    })());
  return { url, store, service, log, close };
}
