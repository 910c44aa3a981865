import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import type { ExampleFlow as ExampleFlowPayload, Flow } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import type { Api, Deps } from '../deps.js';
import type { Logger } from '../logger.js';
import { FlowDocument, json } from '../schemas.js';

const ExampleFlow = z
  .object({
    id: z.string().openapi({ example: 'support-triage' }),
    name: z.string().openapi({ example: 'Support triage' }),
    description: z.string().optional(),
    document: FlowDocument,
  })
  .openapi('ExampleFlow');

/**
 * The bundled example flows (`*.flow.json` in `dir`), the ones without errors, in file-name
 * order. A file that cannot be read or has problems is left out with a warning: an example
 * someone cannot run is no example.
 */
export async function readExamples(dir: string, log: Logger): Promise<ExampleFlowPayload[]> {
  const files = (await readdir(dir).catch(() => [] as string[])).filter((f) => f.endsWith('.flow.json')).sort();
  const examples: ExampleFlowPayload[] = [];
  for (const file of files) {
    try {
      const raw: unknown = JSON.parse(await readFile(join(dir, file), 'utf8'));
      const result = validateFlow(raw);
      if (!result.ok) {
        log.warn({ file, problems: result.problems.length }, 'left an example flow with problems out of /api/examples');
        continue;
      }
      const document = raw as Flow;
      examples.push({ id: document.id, name: document.name, ...(document.description ? { description: document.description } : {}), document });
    } catch (error) {
      log.warn({ file, err: error }, 'could not read an example flow for /api/examples');
    }
  }
  return examples;
}

/** GET /api/examples: what a new flow can start from. The files are read once, on first ask. */
export function exampleRoutes(app: Api, { log }: Deps, examplesDir: string | undefined): void {
  let cached: Promise<ExampleFlowPayload[]> | undefined;
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/examples',
      tags: ['Flows'],
      summary: 'List the bundled example flows',
      description: 'Example flows a new flow can start from (a copy under a new id). Empty when the runner was started without examples.',
      responses: { 200: json(z.object({ items: z.array(ExampleFlow) }), 'The examples') },
    }),
    async (c) => {
      cached ??= examplesDir ? readExamples(examplesDir, log) : Promise.resolve([]);
      return c.json({ items: await cached }, 200);
    },
  );
}
