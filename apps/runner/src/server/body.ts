import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { describeTooDeep, findTooDeep, jsonTextDepth, MAX_JSON_DEPTH } from '@trellis/schema';
import { TrellisError } from './errors.js';

/**
 * The request body as text. On the Node server a body with a declared length is read straight
 * from the socket's stream: building a web Request for it (streams, an AbortSignal) costs more
 * than the rest of a small request. Its size needs no count here: the app's body limit checked
 * the declared length, and Node's parser delivers no byte past it. Chunked bodies, and every
 * body outside the Node server (tests), go through Hono, whose body limit counts them. The text
 * is kept in Hono's body cache, so a later `c.req.json()` (the routes' validators) reads it too.
 */
export async function readBodyText(c: Context): Promise<string> {
  // Hono declares its cache as holding the body, but keeps promises of it there (and `.then`s them).
  const cache = c.req.bodyCache as { text?: Promise<string> };
  if (cache.text) return cache.text;
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  const declared = c.req.header('Content-Length') !== undefined && c.req.header('Transfer-Encoding') === undefined;
  if (!incoming || !declared || incoming.readableEnded) return c.req.text();
  const chunks: Buffer[] = [];
  for await (const chunk of incoming as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
  cache.text = Promise.resolve(text);
  return text;
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

/**
 * Refuses, with 400 naming the field and the limit, every JSON body nested deeper than
 * MAX_JSON_DEPTH, before any route parses, validates, stores or serialises it (all of which
 * recurse). A body without a Content-Type counts as JSON, as published endpoints read it so.
 */
export function jsonDepthLimit(): MiddlewareHandler {
  return async (c, next) => {
    const type = c.req.header('Content-Type');
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS' || (type && !JSON_TYPE.test(type))) return next();
    const text = await readBodyText(c);
    // Counting brackets is cheap; only a body that is too deep is parsed, to say where.
    if (jsonTextDepth(text) > MAX_JSON_DEPTH) {
      let found;
      try {
        found = findTooDeep(JSON.parse(text));
      } catch {
        // Not JSON after all: the limit is still the answer, without a path.
      }
      const path = found?.path ?? [];
      const message = found ? describeTooDeep('body', found) : `the body nests deeper than ${MAX_JSON_DEPTH} levels, the limit`;
      throw new TrellisError('too_deep', message, { details: { limit: MAX_JSON_DEPTH, problems: [{ path: ['body', ...path.slice(0, 8)].join('.'), message }] } });
    }
    return next();
  };
}
