import { isPostgresUrl } from '../store/db.js';
import type { Store } from '../store/types.js';
import { ConfigError, type ServerConfig } from './config.js';
import type { Logger } from './logger.js';
import { openRunner } from './serve.js';
import type { RunService } from './service.js';

export interface RunningWorker {
  store: Store;
  service: RunService;
  log: Logger;
  /** Stops taking runs, lets steps in flight finish (bounded), hands the rest back, closes the store. */
  close(): Promise<void>;
}

/**
 * `trellis worker`: a runner without HTTP. It takes runs from the queue the runners on one
 * PostgreSQL database share, takes over the runs of runners that died, and expires waits, as
 * every `trellis serve` on the database does too.
 */
export async function startWorker(config: ServerConfig): Promise<RunningWorker> {
  if (!isPostgresUrl(config.databaseUrl)) {
    throw new ConfigError('a worker takes runs from the queue runners share on PostgreSQL: set DATABASE_URL=postgres://… (on SQLite, `trellis serve` executes every run itself)');
  }
  if (config.maxRuns === 0) throw new ConfigError('TRELLIS_MAX_RUNS is 0: a worker that takes no runs would do nothing');
  const { log, store, service } = await openRunner(config);
  try {
    await service.start();
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  log.info({ runnerId: store.runnerId, maxRuns: config.maxRuns }, 'trellis worker taking runs from the queue');
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const { drained, abandoned } = await service.shutdown(config.shutdownTimeoutMs);
      log.info({ drained: drained.length, abandoned: abandoned.length }, 'runs stopped; unfinished ones are taken by the other runners');
      await store.close();
      log.flush();
    })());
  return { store, service, log, close };
}
