import { createRoute } from '@hono/zod-openapi';
import { ExampleFlow, Items } from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { readExampleFlows } from '../examples.js';
import type { Logger } from '../logger.js';
import { json } from '../schemas.js';

/** The bundled example flows as GET /api/examples lists them. */
export async function readExamples(dir: string, log: Logger): Promise<ExampleFlow[]> {
  return (await readExampleFlows(dir, log)).map((document) => ({ id: document.id, name: document.name, ...(document.description ? { description: document.description } : {}), document }));
}

/** GET /api/examples: what a new flow can start from. The files are read once, on first ask. */
export function exampleRoutes(app: Api, { log }: Deps, examplesDir: string | undefined): void {
  let cached: Promise<ExampleFlow[]> | undefined;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/examples',
      tags: ['Flows'],
      summary: 'List the bundled example flows',
      description: 'Example flows a new flow can start from (a copy under a new id). Empty when the runner was started without examples.',
      responses: { 200: json(Items(ExampleFlow), 'The examples') },
    }),
    async (c) => {
      cached ??= examplesDir ? readExamples(examplesDir, log) : Promise.resolve([]);
      return c.json({ items: await cached }, 200);
    },
  );
}
