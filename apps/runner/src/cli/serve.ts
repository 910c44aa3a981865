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
  let config;
  try {
    const env = { ...process.env, ...(options.port === undefined ? {} : { PORT: String(options.port) }), ...(options.host ? { HOST: options.host } : {}), ...(options.data ? { TRELLIS_DATA: options.data } : {}) };
    config = configFromEnv(env, { editorDir: REPO_EDITOR, ...(options.examples === false ? {} : { examplesDir: REPO_EXAMPLES }) });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
  const server = await startServer(config).catch((error: unknown) => {
    throw error instanceof ConfigError ? new CliError(error.message) : error;
  });
  installSafetyNet(server.log);
  process.stderr.write(`Trellis is running at ${server.url}  (editor at /, API docs at /docs; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals) => {
      if (++signals > 1) {
        process.stderr.write(`${signal} again: exiting now; unfinished runs resume on the next start\n`);
        process.exit(130);
      }
      server.log.info({ signal }, 'shutting down');
      server.close().then(resolve, (error: unknown) => {
        process.stderr.write(`trellis: shutdown failed: ${(error as Error)?.message ?? String(error)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
