import { ConfigError, configFromEnv } from '../server/config.js';
import { REPO_EDITOR, REPO_EXAMPLES, installSafetyNet, startServer } from '../server/serve.js';
import { CliError } from './files.js';

export interface ServeOptions {
  port?: number;
  host?: string;
  data?: string;
  examples?: boolean;
}

/** `trellis serve`: the runner, until SIGTERM or Ctrl-C, which drain it gracefully. */
export async function serveCommand(options: ServeOptions): Promise<void> {
  const config = readConfig(
    { ...(options.port === undefined ? {} : { PORT: String(options.port) }), ...(options.host ? { HOST: options.host } : {}), ...(options.data ? { TRELLIS_DATA: options.data } : {}) },
    { editorDir: REPO_EDITOR, ...(options.examples === false ? {} : { examplesDir: REPO_EXAMPLES }) },
  );
  const server = await startServer(config).catch((error: unknown) => {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  });
  installSafetyNet(server.log);
  process.stderr.write(`Trellis is running at ${server.url}  (editor at /, API docs at /docs; Ctrl-C to stop)\n`);
  await untilStopped(server);
}

/** `trellis worker`: takes runs from the queue runners share on PostgreSQL, until SIGTERM or Ctrl-C. */
export async function workerCommand(options: { maxRuns?: number }): Promise<void> {
  const config = readConfig(options.maxRuns === undefined ? {} : { TRELLIS_MAX_RUNS: String(options.maxRuns) }, {});
  const { startWorker } = await import('../server/worker.js');
  const worker = await startWorker(config).catch((error: unknown) => {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  });
  installSafetyNet(worker.log);
  process.stderr.write(`Trellis worker ${worker.store.runnerId} is taking runs from the queue (Ctrl-C to stop)\n`);
  await untilStopped(worker);
}

/** The configuration from the environment (and the command's options), or a CliError naming the variable at fault. */
function readConfig(overrides: NodeJS.ProcessEnv, defaults: Parameters<typeof configFromEnv>[1]) {
  try {
    return configFromEnv({ ...process.env, ...overrides }, defaults);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

/** Waits for SIGTERM or Ctrl-C, then stops gracefully; a second signal exits at once. */
function untilStopped(runner: { log: { info(details: object, message: string): void }; close(): Promise<void> }): Promise<void> {
  return new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        process.stderr.write(`${signal} again: exiting now; unfinished runs resume on the next start\n`);
        process.exit(130);
      }
      runner.log.info({ signal }, 'shutting down');
      runner.close().then(resolve, (error: unknown) => {
        process.stderr.write(`trellis: shutdown failed: ${(error as Error)?.message ?? String(error)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
