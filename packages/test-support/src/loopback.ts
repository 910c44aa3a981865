import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// What the fake model servers (fake-openai, fake-anthropic) share: a bounded body reader, JSON
// and SSE writers, and listening on loopback with a queue of replies and a record of requests.

export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** A fake server as tests hold it: where it listens, what it was asked, what it will answer next. */
export interface LoopbackFake<Reply, Request> {
  /** Base URL including /v1, e.g. http://127.0.0.1:PORT/v1. */
  url: string;
  /** Every request, in arrival order. */
  requests: Request[];
  /** Queues replies, one per model request, in order. */
  enqueue(...replies: Reply[]): void;
  /** Replies queued and not yet played. */
  pendingReplies(): number;
  /** Forgets the queued replies and the recorded requests: a test that failed half-way leaves the next one a clean fake. */
  reset(): void;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 on a free port; `queue` and `requests` are the server's own lists. */
export async function listenOnLoopback<Reply, Request>(server: Server, queue: Reply[], requests: Request[]): Promise<LoopbackFake<Reply, Request>> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    enqueue(...replies) {
      queue.push(...replies);
    },
    pendingReplies: () => queue.length,
    reset() {
      queue.length = 0;
      requests.length = 0;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

export /** Reads the body up to MAX_BODY_BYTES; past that it stops reading (the caller answers 413 and drops the socket). */
function readBody(req: IncomingMessage): Promise<{ body: unknown; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
      req.pause();
      resolve({ body: undefined, tooLarge: true });
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve({ body: undefined, tooLarge: true });
        return;
      }
      parts.push(chunk);
    };
    const onEnd = (): void => {
      const text = Buffer.concat(parts).toString('utf8');
      if (text === '') return resolve({ body: undefined, tooLarge: false });
      try {
        resolve({ body: JSON.parse(text) as unknown, tooLarge: false });
      } catch {
        resolve({ body: text, tooLarge: false });
      }
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}, done?: () => void): void {
  const payload = typeof value === 'string' ? value : JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(payload, done);
}

/** Writes SSE frames one by one, yielding to the event loop between them. */
export async function writeSse(res: ServerResponse, frames: string[], headers: Record<string, string> = {}): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  for (const frame of frames) {
    if (res.destroyed) return;
    res.write(frame);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** A text in two halves (as streamed tool arguments arrive in pieces). */
export function splitInTwo(s: string): string[] {
  if (s.length < 2) return [s];
  const mid = Math.floor(s.length / 2);
  return [s.slice(0, mid), s.slice(mid)];
}
