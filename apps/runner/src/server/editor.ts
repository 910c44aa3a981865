import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { serveStatic } from '@hono/node-server/serve-static';

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Trellis</title>
<body style="font-family: system-ui; max-width: 40rem; margin: 4rem auto">
<h1>Trellis runner</h1><p>The editor is not built. Run <code>npm start</code> from the repository, or <code>pnpm --filter @trellis/editor build</code>, then reload.</p>
<p>The API is up: see <a href="/docs">/docs</a>.</p></body></html>`;

/** Serves the built editor at /, with its index for every other page path (client-side routing). */
export function editorRoutes(app: OpenAPIHono, editorDir: string | undefined): void {
  const built = editorDir !== undefined && existsSync(join(editorDir, 'index.html'));
  if (built) {
    const root = relative(process.cwd(), editorDir) || '.';
    app.use('/assets/*', serveStatic({ root }));
    app.use('/favicon.svg', serveStatic({ root }));
  }
  let index: Promise<string> | undefined;
  // A middleware, not a GET route: a GET on every path would turn wrong methods elsewhere into 405s.
  app.use(async (c, next) => {
    const path = c.req.path;
    if (c.req.method !== 'GET' || path.startsWith('/api/') || path.startsWith('/v1/') || path === '/openapi.json' || path.startsWith('/docs') || path === '/healthz' || /\.\w+$/.test(path)) {
      return next();
    }
    if (!built) return c.html(NOT_BUILT);
    index ??= readFile(join(editorDir, 'index.html'), 'utf8');
    return c.html(await index);
  });
}
