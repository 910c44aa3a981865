import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';

/**
 * The request body as text. On the Node server a body with a declared length is read straight
 * from the socket's stream: building a web Request for it (streams, an AbortSignal) costs more
 * than the rest of a small request. Its size needs no count here: the app's body limit checked
 * the declared length, and Node's parser delivers no byte past it. Chunked bodies, and every
 * body outside the Node server (tests), go through Hono, whose body limit counts them.
 */
export async function readBodyText(c: Context): Promise<string> {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const declared = c.req.header('Content-Length') !== undefined && c.req.header('Transfer-Encoding') === undefined;
  if (!incoming || !declared || incoming.readableEnded) return c.req.text();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming as AsyncIterable<Buffer>) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}
