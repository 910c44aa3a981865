import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One JSON line per request and per run step. Written asynchronously so logging never holds
 * up a request; `flush` runs on shutdown.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream | number = 1): Logger {
  const stream = typeof destination === 'number' ? pino.destination({ dest: destination, sync: false }) : destination;
  return pino({ level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, stream);
}
