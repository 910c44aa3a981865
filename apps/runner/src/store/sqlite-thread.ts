import { Worker } from 'node:worker_threads';

/** A statement of a transaction; with `expectChanges`, the transaction fails (code NOT_PENDING) unless it changes that many rows. */
export type Statement = readonly [sql: string, parameters: readonly unknown[], expectChanges?: number];

/** The code of a write refused because a conditional statement found nothing to change (e.g. a wait already decided). */
export const NOT_PENDING = 'TRELLIS_NOT_PENDING';

interface Reply {
  id: number;
  ok: boolean;
  error?: { message: string; code?: string };
}

/**
 * A thread that runs the checkpoint transactions of a SQLite store on a connection of its own
 * (WAL lets the main connection read beside it). A busy runner spends much of its time inside
 * SQLite; there it no longer holds up requests and steps.
 */
export class SqliteWriteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private failure: Error | undefined;

  constructor(file: string, pragmas: readonly string[]) {
    this.worker = new Worker(new URL('./sqlite-worker.mjs', import.meta.url), { workerData: { file, pragmas } });
    this.worker.on('message', (reply: Reply) => {
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      if (reply.ok) waiting.resolve();
      else waiting.reject(Object.assign(new Error(reply.error?.message ?? 'the write failed'), { code: reply.error?.code }));
    });
    const fail = (error: Error) => {
      this.failure = new Error(`the SQLite writer thread stopped: ${error.message}`, { cause: error });
      for (const waiting of this.pending.values()) waiting.reject(this.failure);
      this.pending.clear();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (this.pending.size) fail(new Error(`exit code ${code}`));
    });
  }

  /** Runs the statements in one transaction; resolves once it is committed. */
  execute(statements: readonly Statement[]): Promise<void> {
    return this.send({ statements });
  }

  async close(): Promise<void> {
    if (!this.failure) await this.send({ type: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(message: Record<string, unknown>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }
}
