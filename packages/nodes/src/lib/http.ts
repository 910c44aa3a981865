import http from 'node:http';
import https from 'node:https';
import dns from 'node:dns';
import net from 'node:net';
import zlib from 'node:zlib';
import { addAbortSignal, pipeline, Readable, Transform } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { describeTooDeep, findTooDeep } from '@trellis/schema';
import { TrellisError } from '../errors.js';

export interface HttpRequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';
  url: string;
  headers?: Record<string, string>;
  /** Already serialized. */
  body?: string;
  /** Budget for the whole request, including redirects and reading the body. */
  timeoutMs: number;
  /** Cap on the (decompressed) response body. */
  maxResponseBytes: number;
  /** When false, loopback, private, link-local and similar addresses are refused (SSRF protection). */
  allowPrivateNetwork: boolean;
  /** Default 5; every hop is validated again. */
  maxRedirects?: number;
  signal?: AbortSignal;
  /** Headers (lowercase names) that carry a secret: like Authorization, never sent on to another origin. */
  sensitiveHeaders?: string[];
}

export interface HttpResponse {
  status: number;
  ok: boolean;
  /** Final URL, after redirects. */
  url: string;
  /** Lowercased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Parsed JSON when the content type is JSON (or +json) and parses, else text. */
  body: unknown;
}

export class HttpToolError extends TrellisError {
  constructor(code: string, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, message, options);
    this.name = 'HttpToolError';
  }
}

// Addresses that reach the machine itself or its private network rather than the public internet.
const forbidden = new net.BlockList();
for (const [net4, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) forbidden.addSubnet(net4, prefix, 'ipv4');
for (const [net6, prefix] of [
  ['::', 128], ['::1', 128], ['::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8],
] as const) forbidden.addSubnet(net6, prefix, 'ipv6');
// (BlockList already matches IPv4-mapped ::ffff:a.b.c.d against the IPv4 rules.)

/** True for addresses refused when allowPrivateNetwork is false. Anything that is not an IP is refused too. */
export function isForbiddenAddress(ip: string): boolean {
  const address = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, ''); // brackets, IPv6 zone id
  const family = net.isIP(address);
  if (family === 4) return forbidden.check(address, 'ipv4');
  if (family !== 6) return true;
  // NAT64 (64:ff9b::/96) embeds an IPv4 address that the gateway will connect to: judge that one.
  const nat64 = /^\[64:ff9b::([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(new URL(`http://[${address}]/`).hostname);
  if (nat64) {
    const [hi, lo] = [parseInt(nat64[1]!, 16), parseInt(nat64[2]!, 16)];
    return forbidden.check([hi >> 8, hi & 255, lo >> 8, lo & 255].join('.'), 'ipv4');
  }
  return forbidden.check(address, 'ipv6');
}

function forbiddenError(host: string, address: string): HttpToolError {
  return new HttpToolError(
    'http_forbidden_address',
    `Refusing to connect to ${host} (${address}): it is a private, loopback or otherwise internal address. ` +
      'To allow it, set allowPrivateNetwork / TRELLIS_ALLOW_PRIVATE_NETWORK=1.',
  );
}

function parseUrl(raw: string, base?: string): URL {
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch (cause) {
    throw new HttpToolError('http_invalid_url', `"${raw}" is not a valid URL`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpToolError('http_invalid_url', `Only http and https URLs are allowed, got ${url.protocol}`);
  }
  // Credentials in URLs end up in logs and run history; they belong in headers.
  if (url.username || url.password) {
    throw new HttpToolError('http_invalid_url', 'Credentials in the URL are not allowed; send them in a header instead');
  }
  return url;
}

/** Resolves like dns.lookup, but refuses a name if any of its addresses is forbidden, so the socket never connects there. */
function guardedLookup(allowPrivate: boolean): net.LookupFunction {
  return (hostname, options, callback) => {
    dns.lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const bad = allowPrivate ? undefined : addresses.find((a) => isForbiddenAddress(a.address));
      if (bad) return callback(forbiddenError(hostname, bad.address), '');
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no addresses for ${hostname}`), { code: 'ENOTFOUND' }), '');
      // Node asks for {all: true} when it races IPv4/IPv6 (autoSelectFamily); otherwise one address.
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

export async function httpRequest(opts: HttpRequestOptions): Promise<HttpResponse> {
  let url = parseUrl(opts.url);
  let method: string = opts.method;
  let body = opts.body;
  const headers: Record<string, string> = { 'user-agent': 'trellis-http-tool' };
  for (const [name, value] of Object.entries(opts.headers ?? {})) headers[name.toLowerCase()] = value;
  headers['accept-encoding'] = 'gzip, deflate, br';

  // One controller ends everything: the caller's signal, or the single timer over the whole request.
  const ac = new AbortController();
  const onCallerAbort = () => ac.abort(new HttpToolError('cancelled', 'The HTTP request was cancelled'));
  if (opts.signal?.aborted) onCallerAbort();
  opts.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    ac.abort(new HttpToolError('http_timeout', `no answer from ${url.host} within ${opts.timeoutMs} ms`, { retryable: true }));
  }, opts.timeoutMs);
  let req: http.ClientRequest | undefined;
  let res: IncomingMessage | undefined;

  try {
    for (let hop = 0; ; hop++) {
      if (ac.signal.aborted) throw ac.signal.reason;
      // Node skips `lookup` for IP literals, so those are checked here.
      const host = url.hostname.replace(/^\[|\]$/g, '');
      if (!opts.allowPrivateNetwork && net.isIP(host) && isForbiddenAddress(host)) throw forbiddenError(url.host, host);
      if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
      else delete headers['content-length'];

      res = await new Promise<IncomingMessage>((resolve, reject) => {
        // agent: false, so no pooled socket (possibly opened under other rules) is reused.
        req = (url.protocol === 'https:' ? https : http).request(url, {
          method, headers, agent: false, signal: ac.signal, lookup: guardedLookup(opts.allowPrivateNetwork),
        });
        req.once('response', resolve);
        req.on('error', (err) => reject(toError(err, url, ac.signal)));
        req.end(body);
      });

      const location = res.headers.location;
      if (![301, 302, 303, 307, 308].includes(res.statusCode ?? 0) || !location) break;
      res.destroy(); // the redirect's own body is of no interest
      if (hop >= (opts.maxRedirects ?? 5)) {
        throw new HttpToolError('http_too_many_redirects', `More than ${opts.maxRedirects ?? 5} redirects, starting at ${opts.url}`);
      }
      const next = parseUrl(location, url.href);
      // Like browsers: 303, and 301/302 after a POST, continue as a GET without the body.
      if (res.statusCode === 303 || (method === 'POST' && res.statusCode !== 307 && res.statusCode !== 308)) {
        if (method !== 'HEAD') method = 'GET';
        body = undefined;
        delete headers['content-type'];
      }
      // Credentials meant for one origin must not leak to another.
      if (next.origin !== url.origin) for (const h of ['authorization', 'cookie', 'proxy-authorization', ...(opts.sensitiveHeaders ?? [])]) delete headers[h];
      url = next;
    }

    const data = await readBody(res, opts.maxResponseBytes, ac.signal, url);
    // Built from rawHeaders because Node's res.headers drops some repeats; a Map keeps `__proto__` harmless.
    const joined = new Map<string, string>();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
      const name = res.rawHeaders[i]!.toLowerCase();
      const value = res.rawHeaders[i + 1]!;
      joined.set(name, joined.has(name) ? `${joined.get(name)}, ${value}` : value);
    }
    const responseHeaders = Object.fromEntries(joined);
    const status = res.statusCode ?? 0;
    return { status, ok: status >= 200 && status < 300, url: url.href, headers: responseHeaders, body: decode(data, responseHeaders['content-type'], url) };
  } catch (err) {
    throw ac.signal.aborted ? ac.signal.reason : err;
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onCallerAbort);
    // Whatever happened, no socket outlives the call.
    res?.destroy();
    (req as http.ClientRequest | undefined)?.destroy();
  }
}

function toError(err: unknown, url: URL, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (TrellisError.isInstance(err)) return err;
  const e = err as NodeJS.ErrnoException;
  return new HttpToolError('http_network', `Could not reach ${url.host}: ${e.code ?? e.message}`, { retryable: true, cause: err });
}

async function readBody(res: IncomingMessage, cap: number, signal: AbortSignal, url: URL): Promise<Buffer> {
  const tooLarge = () => new HttpToolError('http_too_large', `The response from ${url.host} is larger than ${cap} bytes`);
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (!encoding && Number(res.headers['content-length']) > cap) throw tooLarge();
  addAbortSignal(signal, res);
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip' ? zlib.createGunzip()
    : encoding === 'deflate' ? zlib.createInflate()
    : encoding === 'br' ? zlib.createBrotliDecompress()
    : undefined;
  // pipeline destroys every stage when one fails, so an abort on `res` also ends the decoder.
  const stream: Readable = decoder ? pipeline(res, decoder, () => {}) : res;
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length; // counted after decompression, so a small gzip bomb cannot slip through
      if (total > cap) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (err) {
    stream.destroy();
    if (TrellisError.isInstance(err) || signal.aborted) throw err;
    if (decoder && /^(Z_|ERR__?BROTLI)/.test(String((err as NodeJS.ErrnoException).code))) {
      throw new HttpToolError('http_network', `Could not decode the ${encoding} response from ${url.host}`, { cause: err });
    }
    throw toError(err, url, signal);
  }
  return Buffer.concat(chunks);
}

function decode(data: Buffer, contentType = '', url?: URL): unknown {
  const charset = /charset="?([\w-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  let text: string;
  try { text = new TextDecoder(charset).decode(data); } catch { text = data.toString('utf8'); } // unknown charset label
  if (!/[/+]json/i.test(contentType)) return text;
  let body: unknown;
  try { body = JSON.parse(text); } catch { return text; }
  // The step's output is stored and serialised, which recurses: a hostile server's deep JSON stops here.
  const tooDeep = findTooDeep(body);
  if (tooDeep) throw new HttpToolError('http_too_deep', `The JSON response from ${url?.host ?? 'the server'} is nested too deep: ${describeTooDeep('body', tooDeep)}`);
  return body;
}

/**
 * A `fetch` for clients that bring their own HTTP logic (the MCP client's streamable HTTP
 * transport), under the same address rules as `httpRequest`: an IP literal is judged before
 * connecting and a name by what it resolves to, so the socket never reaches a refused address.
 * Redirects are never followed here: a 3xx is handed back as it came, and a client that follows
 * it calls this again, which judges the next address too. The body streams (server-sent events),
 * and one larger than `maxResponseBytes` errors rather than filling the memory.
 */
export function guardedFetch(allowPrivateNetwork: boolean, maxResponseBytes = 20_000_000): (input: string | URL, init?: RequestInit) => Promise<Response> {
  return (input, init = {}) => {
    const url = parseUrl(String(input));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!allowPrivateNetwork && net.isIP(host) && isForbiddenAddress(host)) return Promise.reject(forbiddenError(url.host, host));
    const headers: Record<string, string> = { 'user-agent': 'trellis-mcp-client' };
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    const body = init.body;
    if (body !== undefined && body !== null && typeof body !== 'string') {
      return Promise.reject(new HttpToolError('http_invalid_request', 'guardedFetch sends string bodies only'));
    }
    if (typeof body === 'string') headers['content-length'] = String(Buffer.byteLength(body));
    const signal = init.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      const req = (url.protocol === 'https:' ? https : http).request(url, {
        method: init.method ?? 'GET', headers, agent: false, lookup: guardedLookup(allowPrivateNetwork), ...(signal ? { signal } : {}),
      });
      req.once('response', (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) responseHeaders.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        // The Response constructor refuses a body on these statuses.
        const empty = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
        if (empty) res.resume();
        let total = 0;
        const capped = res.pipe(new Transform({
          transform(chunk: Buffer, _encoding, next) {
            total += chunk.length;
            if (total > maxResponseBytes) return next(new HttpToolError('http_too_large', `The response from ${url.host} is larger than ${maxResponseBytes} bytes`));
            next(null, chunk);
          },
        }));
        res.once('error', (err) => capped.destroy(err));
        capped.once('error', () => res.destroy());
        resolve(new Response(empty ? null : (Readable.toWeb(capped) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
      });
      req.on('error', (err) => reject(toError(err, url, signal ?? new AbortController().signal)));
      req.end(body ?? undefined);
    });
  };
}
