import { pino, type Logger } from 'pino';
import { prettyStream } from './pretty-log.js';

export type { Logger };

/**
 * Whether the log is written for a person: on a terminal, unless TRELLIS_LOG_FORMAT says `json`
 * (or `pretty` forces it, e.g. under a process manager that shows a terminal).
 */
export function wantsPretty(env: Record<string, string | undefined> = process.env, stdout: { isTTY?: boolean } = process.stdout): boolean {
  const format = env.TRELLIS_LOG_FORMAT?.toLowerCase();
  if (format === 'json') return false;
  if (format === 'pretty') return true;
  return Boolean(stdout.isTTY);
}

/**
 * One line per request and per run step: JSON lines (for log collectors, and what tests parse)
 * unless stdout is a terminal, where they are pretty lines a person reads (pretty-log.ts).
 * JSON lines are gathered into 4 KB writes (flushed at least every 200 ms, and on exit), so
 * logging a busy runner costs few system calls.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1, options: { pretty?: boolean } = {}): Logger {
  const settings = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (typeof destination !== 'number') return pino(settings, destination);
  if (options.pretty ?? (destination === 1 && wantsPretty())) return pino(settings, prettyStream(process.stdout));
  const stream = pino.destination({ dest: destination, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 200).unref();
  return pino(settings, stream);
}
