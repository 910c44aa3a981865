import http from 'node:http';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrellisError } from '../errors.js';
import { httpRequest, isForbiddenAddress, type HttpRequestOptions } from './http.js';

// Every server here listens on 127.0.0.1; tests that need allowPrivateNetwork:false never reach a socket.
interface Seen { method: string; url: string; headers: http.IncomingHttpHeaders; body: string }
let seen: Seen[] = [];
let connections = 0;
let base = '';
let server: http.Server;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      switch (path) {
        case '/json':
          res.setHeader('content-type', 'application/problem+json; charset=utf-8');
          res.setHeader('x-multi', ['a', 'b']);
          return res.end(JSON.stringify({ hello: 'world', n: 1 }));
        case '/text':
          res.setHeader('content-type', 'text/plain');
          return res.end('plain words');
        case '/bad-json':
          res.setHeader('content-type', 'application/json');
          return res.end('{not json');
        case '/echo':
          res.setHeader('content-type', 'application/json');
          return res.end(JSON.stringify({ method: req.method, body }));
        case '/missing':
          res.statusCode = 404;
          res.setHeader('content-type', 'text/plain');
          return res.end('no such thing');
        case '/redirect':
          res.writeHead(302, { location: '/json' });
          return res.end();
        case '/see-other':
          res.writeHead(303, { location: `${base}/echo` });
          return res.end();
        case '/loop':
          res.writeHead(301, { location: '/loop' });
          return res.end();
        case '/to-ftp':
          res.writeHead(302, { location: 'ftp://example.com/file' });
          return res.end();
        case '/hang':
          return; // never answers
        case '/big': {
          // 2 MB in 64 KB chunks, written as the client reads.
          const chunk = Buffer.alloc(64 * 1024, 120);
          let left = 32;
          const write = () => {
            while (left > 0) {
              left--;
              if (!res.write(chunk)) return void res.once('drain', write);
            }
            res.end();
          };
          res.on('error', () => {});
          return write();
        }
        case '/gzip':
          res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
          return res.end(zlib.gzipSync(JSON.stringify({ zipped: true })));
        case '/gzip-bomb':
          res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
          return res.end(zlib.gzipSync(Buffer.alloc(2 * 1024 * 1024)));
        default:
          res.statusCode = 500;
          return res.end();
      }
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const port = () => new URL(base).port;

function request(path: string, extra: Partial<HttpRequestOptions> = {}) {
  return httpRequest({
    method: 'GET',
    url: path.startsWith('/') ? base + path : path,
    timeoutMs: 5000,
    maxResponseBytes: 1024 * 1024,
    allowPrivateNetwork: true,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<TrellisError> {
  const error = await promise.then(
    () => { throw new Error('expected the request to fail'); },
    (e: unknown) => e,
  );
  if (!TrellisError.isInstance(error)) throw error;
  return error;
}

describe('httpRequest', () => {
  it('parses JSON (including +json) and returns lowercased, joined headers', async () => {
    const res = await request('/json');
    expect(res).toMatchObject({ status: 200, ok: true, url: `${base}/json`, body: { hello: 'world', n: 1 } });
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(res.headers['x-multi']).toBe('a, b');
  });

  it('returns text bodies as text, and unparsable JSON as its text', async () => {
    expect((await request('/text')).body).toBe('plain words');
    expect((await request('/bad-json')).body).toBe('{not json');
  });

  it('sends the body and headers, with a default user-agent and content-length', async () => {
    seen = [];
    const body = JSON.stringify({ greeting: 'héllo' });
    const res = await request('/echo', { method: 'POST', body, headers: { 'Content-Type': 'application/json', 'X-Token': 'abc' } });
    expect(res.body).toEqual({ method: 'POST', body });
    const [got] = seen;
    expect(got?.headers['x-token']).toBe('abc');
    expect(got?.headers['content-type']).toBe('application/json');
    expect(got?.headers['user-agent']).toBe('trellis-http-tool');
    expect(got?.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('lets the caller override the user-agent', async () => {
    seen = [];
    await request('/text', { headers: { 'User-Agent': 'mine/1.0' } });
    expect(seen[0]?.headers['user-agent']).toBe('mine/1.0');
  });

  it('returns non-2xx statuses instead of throwing', async () => {
    const res = await request('/missing');
    expect(res).toMatchObject({ status: 404, ok: false, body: 'no such thing' });
  });

  it('follows redirects and reports the final URL', async () => {
    const res = await request('/redirect');
    expect(res).toMatchObject({ status: 200, url: `${base}/json`, body: { hello: 'world', n: 1 } });
  });

  it('turns a POST into a GET without body after a 303', async () => {
    const res = await request('/see-other', { method: 'POST', body: 'payload', headers: { 'content-type': 'text/plain' } });
    expect(res.body).toEqual({ method: 'GET', body: '' });
  });

  it('gives up after too many redirects', async () => {
    const error = await failure(request('/loop', { maxRedirects: 3 }));
    expect(error.code).toBe('http_too_many_redirects');
  });

  it('validates every redirect target', async () => {
    expect((await failure(request('/to-ftp'))).code).toBe('http_invalid_url');
  });

  it('decodes gzip responses', async () => {
    seen = [];
    const res = await request('/gzip');
    expect(res.body).toEqual({ zipped: true });
    expect(seen[0]?.headers['accept-encoding']).toContain('gzip');
  });

  it('refuses a response larger than the cap', async () => {
    const error = await failure(request('/big', { maxResponseBytes: 100 * 1024 }));
    expect(error.code).toBe('http_too_large');
    expect(error.retryable).toBe(false);
  });

  it('counts the cap on decompressed bytes (gzip bomb)', async () => {
    const error = await failure(request('/gzip-bomb', { maxResponseBytes: 100 * 1024 }));
    expect(error.code).toBe('http_too_large');
  });

  it('times out a server that never answers, promptly', async () => {
    const started = Date.now();
    const error = await failure(request('/hang', { timeoutMs: 200 }));
    expect(error.code).toBe('http_timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain(`no answer from 127.0.0.1:${port()} within 200 ms`);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await failure(request('/hang', { signal: controller.signal }));
    expect(error.code).toBe('cancelled');
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await failure(request('/text', { signal: AbortSignal.abort() }))).code).toBe('cancelled');
  });

  it('reports a refused connection as a retryable network error', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(request(url));
    expect(error.code).toBe('http_network');
    expect(error.retryable).toBe(true);
  });

  it.each(['ftp://x', 'not a url', 'file:///etc/passwd', 'http://user:secret@example.com/'])('rejects %s as an invalid URL', async (url) => {
    const error = await failure(request(url));
    expect(error.code).toBe('http_invalid_url');
    expect(error.retryable).toBe(false);
  });
});

describe('private network protection', () => {
  const targets = () => [
    `${base}/text`, // IP literal
    `http://localhost:${port()}/text`, // goes through the DNS lookup
    `http://[::1]:${port()}/text`,
    `http://[::ffff:127.0.0.1]:${port()}/text`,
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/',
    'http://2130706433/', // 127.0.0.1 written as a number
  ];

  it('refuses internal addresses before connecting', async () => {
    const before = connections;
    for (const url of targets()) {
      const started = Date.now();
      const error = await failure(request(url, { allowPrivateNetwork: false }));
      expect(error.code, url).toBe('http_forbidden_address');
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('TRELLIS_ALLOW_PRIVATE_NETWORK=1');
      expect(Date.now() - started, url).toBeLessThan(1000);
    }
    expect(connections).toBe(before); // not even a TCP connection reached our server
  });

  it('names the host and the address it resolved to', async () => {
    const error = await failure(request(`http://localhost:${port()}/`, { allowPrivateNetwork: false }));
    expect(error.message).toContain('localhost');
    expect(error.message).toMatch(/127\.0\.0\.1|::1/);
  });

  it('allows them when allowPrivateNetwork is true', async () => {
    expect((await request(`http://localhost:${port()}/text`)).body).toBe('plain words');
  });

  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', '[::1]', 'fe80::1', 'fe80::1%eth0', 'fc00::1', 'fd12:3456::1', 'ff02::1',
    '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:7f00:1', '64:ff9b::a9fe:a9fe', 'not-an-ip',
  ])('isForbiddenAddress(%s) is true', (ip) => {
    expect(isForbiddenAddress(ip)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'isForbiddenAddress(%s) is false',
    (ip) => {
      expect(isForbiddenAddress(ip)).toBe(false);
    },
  );
});
