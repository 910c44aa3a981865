import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per request and per run step. Lines are gathered into 4 KB writes (flushed at
 * least every 200 ms, and on exit), so logging a busy runner costs few system calls.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  if (typeof destination !== 'number') return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  const stream = pino.destination({ dest: destination, sync: false, minLength: 4096 });
  setInterval(() => stream.flush(), 200).unref();
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}
