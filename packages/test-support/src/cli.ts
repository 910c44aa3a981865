import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** The `trellis` command as installed: the runner package's bin script. */
export const TRELLIS_BIN = createRequire(import.meta.url).resolve('@trellis/runner/bin/trellis.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `trellis ARGS…` as a child process, as a user would in a terminal, and collects what it
 * printed. `stdin` is written and closed (so a prompt that reads it sees the end); colour is off
 * and no model key leaks in from the developer's shell. `env` adds to the environment.
 */
export function trellis(args: string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TRELLIS_BIN, ...args], { env: { ...process.env, NO_COLOR: '1', OPENAI_API_KEY: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
