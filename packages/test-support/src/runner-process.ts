import { spawn, type ChildProcess } from 'node:child_process';
import { TRELLIS_BIN } from './cli.js';

export interface RunnerProcess {
  child: ChildProcess;
  url: string;
  /** The exit code, once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * `trellis serve` as a real child process on a free port, on loopback, for the tests and
 * benchmarks that need the product as it runs (restarts, signals, a browser, load). `env`
 * adds to the parent's environment; `args` go to `trellis serve`.
 */
export async function startRunnerProcess(env: NodeJS.ProcessEnv, args: string[] = []): Promise<RunnerProcess> {
  const child = spawn(process.execPath, [TRELLIS_BIN, 'serve', '--port', '0', ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runner did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = stderr.match(/running at (http:\/\/\S+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the runner exited with ${code}: ${stderr}`));
    });
  });
  return { child, url, exited };
}
