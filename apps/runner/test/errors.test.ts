import { Hono } from 'hono';
import { ERROR_CATALOG, ERROR_CODES, TrellisError } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { toResponse } from '../src/server/errors.js';
import { StoreConflict } from '../src/store/types.js';

/** An app whose one route throws what it is given, answered by the runner's error mapping. */
function throwing(error: unknown) {
  const logged: unknown[] = [];
  const app = new Hono();
  app.onError((e, c) => toResponse(e, c, (x) => logged.push(x)));
  app.get('/', () => {
    throw error;
  });
  return { app, logged };
}

describe('the HTTP answer to an error', () => {
  it("answers every code of the catalog with the catalog's status and the error's message and details", async () => {
    for (const code of ERROR_CODES) {
      const { app, logged } = throwing(new TrellisError(code, `because of ${code}`, { details: { about: code } }));
      const response = await app.request('/');
      expect(response.status, code).toBe(ERROR_CATALOG[code].status);
      expect(await response.json()).toEqual({ error: { code, message: `because of ${code}`, details: { about: code } } });
      expect(logged).toEqual([]);
    }
  });

  it('asks for the right credentials on a 401 and says when to come back', async () => {
    const key = await throwing(new TrellisError('invalid_key', 'this API key is not known')).app.request('/');
    expect(key.headers.get('WWW-Authenticate')).toBe('Bearer realm="trellis"');
    const token = await throwing(new TrellisError('missing_token', 'send the admin token')).app.request('/');
    expect(token.headers.get('WWW-Authenticate')).toBe('Bearer realm="trellis-admin"');
    const limited = await throwing(new TrellisError('rate_limited', 'slow down', { retryAfterMs: 2500 })).app.request('/');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('Retry-After')).toBe('3');
    expect((await throwing(new TrellisError('not_found', 'nothing')).app.request('/')).headers.get('Retry-After')).toBeNull();
  });

  it("answers a store's conflict with 409 conflict", async () => {
    const response = await throwing(new StoreConflict('flow "f" is at version 3, but the save expected version 2')).app.request('/');
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ error: { code: 'conflict', message: 'flow "f" is at version 3, but the save expected version 2' } });
  });

  it("logs a step's own code and anything uncoded, and answers 500 without its message", async () => {
    for (const error of [new TrellisError('model_error', 'the provider said: key sk-123 is wrong'), new Error('SELECT failed: password=hunter2')]) {
      const { app, logged } = throwing(error);
      const response = await app.request('/');
      expect(response.status).toBe(500);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('internal');
      expect(JSON.stringify(body)).not.toMatch(/sk-123|hunter2/);
      expect(logged).toEqual([error]);
    }
  });
});
