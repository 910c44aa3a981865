import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import type { ModelResolver } from '@trellis/nodes/server';
import { openStore } from '../store/db.js';
import type { Store } from '../store/types.js';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { loadExamplePromptsOnce, loadExamplesOnce } from './examples.js';
import { createLogger, type Logger } from './logger.js';
import { RunService } from './service.js';

export const REPO_EXAMPLES = fileURLToPath(new URL('../../../../examples', import.meta.url));
export const REPO_EDITOR = fileURLToPath(new URL('../../../editor/dist', import.meta.url));

export interface RunningServer {
  url: string;
  store: Store;
  service: RunService;
  log: Logger;
  /** Stops taking requests and runs, lets steps in flight finish (bounded), closes the store. */
  close(): Promise<void>;
}

/** Opens the store, resumes unfinished runs, and listens. */
export async function startServer(config: ServerConfig, extra: { models?: ModelResolver; log?: Logger } = {}): Promise<RunningServer> {
  const log = extra.log ?? createLogger(config.logLevel);
  const store = await openStore({ ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}), dataDir: config.dataDir });
  if (config.examplesDir) {
    await loadExamplesOnce(store, config.examplesDir, log);
    await loadExamplePromptsOnce(store, config.examplesDir, log);
  }
  const service = new RunService({ store, log, allowPrivateNetwork: config.allowPrivateNetwork, ...(extra.models ? { models: extra.models } : {}) });
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
