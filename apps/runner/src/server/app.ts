import { timingSafeEqual, createHash } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { methodNotAllowed } from 'hono/method-not-allowed';
import type { Store } from '../store/types.js';
import { jsonDepthLimit } from './body.js';
import type { Deps } from './deps.js';
import { docsRoutes, listedFor, openApiDocument } from './docs.js';
import { TrellisError, errorBody, invalidRequest, toResponse, zodDetails } from './errors.js';
import { editorRoutes } from './editor.js';
import { KeyAuth, bearerToken } from './keys.js';
import type { Logger } from './logger.js';
import { mcpRoutes } from './mcp.js';
import { PublishedDirectory } from './published.js';
import { credentialRoutes } from './routes/credentials.js';
import { endpointRoutes } from './routes/endpoints.js';
import { exampleRoutes } from './routes/examples.js';
import { flowRoutes } from './routes/flows.js';
import { mcpToolRoutes } from './routes/mcp.js';
import { modelRoutes } from './routes/models.js';
import { promptRoutes } from './routes/prompts.js';
import { publishingRoutes } from './routes/publishing.js';
import { runRoutes } from './routes/runs.js';
import { stepRoutes } from './routes/steps.js';
import { evalRoutes } from './routes/evals.js';
import type { RunService } from './service.js';

import { VERSION } from '../version.js';

export { VERSION };

/** Methods that change nothing: logged at debug when they succeed. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AppOptions {
  store: Store;
  service: RunService;
  log: Logger;
  bodyLimitBytes: number;
  syncTimeoutMs: number;
  /** When set, /api requires `Authorization: Bearer <token>`. */
  adminToken?: string;
  editorDir?: string;
  /** The bundled example flows, listed by GET /api/examples. */
  examplesDir?: string;
  /** Set while the process shuts down: new work is refused with 503. */
  isShuttingDown?: () => boolean;
}

/** The runner's HTTP surface: admin API, published endpoints, docs, health, and the editor. */
export function createApp(options: AppOptions): OpenAPIHono {
  const { store, service, log } = options;
  const app = new OpenAPIHono({
    // Zod failures on a declared route become a 400 that names each field.
    defaultHook: (result) => {
      if (result.success) return;
      const where = result.target === 'json' ? 'body' : result.target;
      throw invalidRequest(zodDetails(result.error, where).problems);
    },
  });
  const deps: Deps = {
    store,
    service,
    log,
    keys: new KeyAuth(store),
    published: new PublishedDirectory(store, service),
    config: { syncTimeoutMs: options.syncTimeoutMs },
  };

  app.onError((error, c) => toResponse(error, c, (e) => log.error({ err: e, method: c.req.method, path: c.req.path }, 'request failed')));
  app.notFound((c) => c.json(errorBody('not_found', `there is no route ${c.req.method} ${c.req.path}`), 404));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const { status } = c.res;
    // The editor polls and streams (runs, approvals, events, assets) every few seconds: a read
    // that went well is debug, so the log shows what changed (writes at info) and what went
    // wrong (4xx at warn, 5xx at error), not a line per poll.
    // A request that started a run is the run's own line (at info when it stops), so its own is debug.
    const runId = c.res.headers.get('X-Trellis-Run-Id') ?? undefined;
    const level = status >= 500 ? 'error' : status >= 400 ? 'warn' : READS.has(c.req.method) || runId ? 'debug' : 'info';
    if (!log.isLevelEnabled(level)) return;
    log[level]({ method: c.req.method, path: c.req.path, status, ms: Math.round((performance.now() - started) * 10) / 10, runId }, 'request');
  });
  app.use(methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => c.json(errorBody('method_not_allowed', `${c.req.method} is not allowed on ${c.req.path}; use ${methods.join(', ')}`), 405, { Allow: methods.join(', ') }) }));
  const tooLarge = () => new TrellisError('payload_too_large', `the request body is larger than ${options.bodyLimitBytes} bytes (TRELLIS_BODY_LIMIT)`);
  const countingLimit = bodyLimit({
    maxSize: options.bodyLimitBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  app.use(async (c, next) => {
    // A declared length is checked from the header alone; only a chunked body is counted as it
    // streams (hono's bodyLimit), since that needs the costlier web Request.
    const length = c.req.header('Content-Length');
    if (length !== undefined && c.req.header('Transfer-Encoding') === undefined) {
      if (Number(length) > options.bodyLimitBytes) throw tooLarge();
      return next();
    }
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    return countingLimit(c, next);
  });
  app.use(async (c, next) => {
    if (options.isShuttingDown?.() && c.req.method !== 'GET') {
      throw new TrellisError('shutting_down', 'this runner is shutting down; try again shortly', { retryAfterMs: 5000 });
    }
    return next();
  });
  if (options.adminToken) app.use('/api/*', adminAuth(options.adminToken));
  app.use(jsonDepthLimit());

  flowRoutes(app, deps);
  runRoutes(app, deps);
  stepRoutes(app, deps);
  evalRoutes(app, deps);
  modelRoutes(app, deps);
  credentialRoutes(app, deps);
  mcpToolRoutes(app, deps);
  promptRoutes(app, deps);
  publishingRoutes(app, deps);
  endpointRoutes(app, deps);
  mcpRoutes(app, deps, VERSION);
  exampleRoutes(app, deps, options.examplesDir);

  app.get('/healthz', (c) => c.json({ status: 'ok', version: VERSION, store: store.dialect, activeRuns: service.engine.activeCount }));
  const isAdmin = options.adminToken ? adminTokenCheck(options.adminToken) : undefined;
  app.get('/openapi.json', async (c) => c.json(await openApiDocument(app, store, service, VERSION, await listedFor(c, deps.keys, isAdmin))));
  docsRoutes(app);
  editorRoutes(app, options.editorDir);
  return app;
}

/** Whether an Authorization header carries the admin token (compared in constant time). */
function adminTokenCheck(token: string): (header: string | undefined) => boolean {
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const given = bearerToken(header);
    return given !== undefined && timingSafeEqual(createHash('sha256').update(given).digest(), expected);
  };
}

function adminAuth(token: string) {
  const isAdmin = adminTokenCheck(token);
  return async (c: Context, next: () => Promise<void>) => {
    const header = c.req.header('Authorization');
    if (!isAdmin(header)) {
      const given = bearerToken(header);
      throw new TrellisError(given === undefined ? 'missing_token' : 'invalid_token', 'the admin API needs "Authorization: Bearer <TRELLIS_ADMIN_TOKEN>"');
    }
    await next();
  };
}
