import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { ApiError } from './errors.js';

/**
 * The request body as text, at most `limit` bytes. On the Node server a body with a declared
 * length is read straight from the socket's stream: building a web Request for it (streams, an
 * AbortSignal) costs more than the rest of a small request. Elsewhere (tests) through Hono.
 */
export async function readBodyText(c: Context, limit: number): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (!incoming || c.req.header('Content-Length') === undefined || incoming.readableEnded) return c.req.text();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of incoming as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'payload_too_large', `the request body is larger than ${limit} bytes (TRELLIS_BODY_LIMIT)`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}
