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
  const { child, exited, ready } = await spawnTrellis(['serve', '--port', '0', ...args], env, /running at (http:\/\/\S+)/);
  return { child, url: ready[1]!, exited };
}

/** `trellis worker` as a real child process (a runner without HTTP on a PostgreSQL database), once it takes runs. */
export async function startWorkerProcess(env: NodeJS.ProcessEnv, args: string[] = []): Promise<Omit<RunnerProcess, 'url'>> {
  const { child, exited } = await spawnTrellis(['worker', ...args], env, /is taking runs from the queue/);
  return { child, exited };
}

/** Starts the CLI with these arguments and waits for its stderr to match `ready` (rejecting, with the stderr, if it exits first). */
async function spawnTrellis(args: string[], env: NodeJS.ProcessEnv, ready: RegExp): Promise<{ child: ChildProcess; exited: Promise<number | null>; ready: RegExpMatchArray }> {
  const child = spawn(process.execPath, [TRELLIS_BIN, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', HOST: '127.0.0.1', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  const match = await new Promise<RegExpMatchArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`trellis ${args[0]} did not start: ${stderr}`)), 30_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = stderr.match(ready);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`trellis ${args[0]} exited with ${code}: ${stderr}`));
    });
  });
  return { child, exited, ready: match };
}
