import { createRoute, z } from '@hono/zod-openapi';
import { FLOW_SCHEMA_V1, Flow as FlowEnvelope, migrateFlowDocument, type Flow, type Problem } from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import type { Api, Deps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { FlowDocument, FlowSummary, FlowVersion, FlowVersionSummary, Problem as ProblemSchema, RestoreFlow, StoredFlow, errorResponses, json } from '../schemas.js';

const tags = ['Flows'];
const FlowParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: 'support-triage' }) });
const flowBody = { content: { 'application/json': { schema: FlowDocument } }, required: true };

/**
 * A document worth keeping: a flow envelope the store can index. Problems with nodes, edges
 * and the graph do not stop a save (a flow is often saved half-drawn); they come back with it
 * and keep it from running.
 */
function storable(raw: unknown, pathId?: string): { document: Flow; problems: Problem[] } {
  const loaded = validateFlow(raw);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError(422, 'invalid_flow', `the flow cannot be saved: ${loaded.problems[0]?.message ?? 'it is not a JSON object'}`, { problems: loaded.problems });
  }
  const migrated = migrateFlowDocument(raw as Record<string, unknown>);
  const envelope = migrated.ok ? FlowEnvelope.safeParse(migrated.doc) : undefined;
  if (!envelope?.success) {
    const problems = loaded.problems.filter((p) => p.severity === 'error');
    throw new ApiError(422, 'invalid_flow', `the flow cannot be saved: ${problems[0]?.message ?? 'it is not a trellis.flow/v1 document'}`, { problems });
  }
  const document = migrated.ok ? (migrated.doc as Flow) : envelope.data;
  if (pathId !== undefined && document.id !== pathId) {
    throw new ApiError(400, 'id_mismatch', `the document's id is "${document.id}" but the URL names flow "${pathId}"`);
  }
  return { document, problems: loaded.problems };
}

export function flowRoutes(app: Api, { store }: Deps): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/flows', tags, summary: 'List flows', responses: { 200: json(z.object({ items: z.array(FlowSummary) }), 'The flows, by name') } }),
    async (c) => c.json({ items: await store.listFlows() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows',
      tags,
      summary: 'Create a flow',
      description: `Saves a new ${FLOW_SCHEMA_V1} flow as version 1. Problems that do not prevent saving are returned with it.`,
      request: { body: flowBody },
      responses: { 201: json(StoredFlow, 'The saved flow'), ...errorResponses(400, 409, 413, 422) },
    }),
    async (c) => {
      const { document, problems } = storable(c.req.valid('json'));
      const existing = await store.getFlow(document.id);
      if (existing) throw new ApiError(409, 'already_exists', `flow "${document.id}" already exists; save a new version with PUT /api/flows/${document.id}`);
      await store.saveFlow(document);
      const saved = (await store.getFlow(document.id))!;
      return c.json({ ...saved, problems }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/flows/{id}',
      tags,
      summary: 'Read a flow (its latest version)',
      request: { params: FlowParam },
      responses: { 200: json(StoredFlow, 'The flow with its problems'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const flow = await store.getFlow(id);
      if (!flow) throw notFound('flow', id);
      return c.json({ ...flow, problems: validateFlow(flow.document).problems }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/flows/{id}',
      tags,
      summary: 'Save a new version of a flow',
      description: 'Every save is a new numbered version. With `expectVersion`, the save is refused (409) when someone saved another version meanwhile.',
      request: {
        params: FlowParam,
        query: z.object({
          expectVersion: z.coerce.number().int().min(0).optional(),
          message: z.string().max(500).optional(),
          author: z.string().trim().min(1).max(200).optional().openapi({ description: 'Who saves it, as they name themselves; kept with the version' }),
        }),
        body: flowBody,
      },
      responses: { 200: json(StoredFlow, 'The saved flow'), ...errorResponses(400, 409, 413, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { expectVersion, message, author } = c.req.valid('query');
      const { document, problems } = storable(c.req.valid('json'), id);
      await store.saveFlow(document, { ...(expectVersion === undefined ? {} : { expectVersion }), ...(message ? { message } : {}), ...(author ? { author } : {}) });
      return c.json({ ...(await store.getFlow(id))!, problems }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/flows/{id}',
      tags,
      summary: 'Delete a flow',
      description: 'Hides the flow and unpublishes its endpoints; the runs that used it keep their versions.',
      request: { params: FlowParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.deleteFlow(id))) throw notFound('flow', id);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/flows/{id}/versions',
      tags,
      summary: 'Version history of a flow',
      request: { params: FlowParam },
      responses: { 200: json(z.object({ items: z.array(FlowVersionSummary) }), 'Newest first'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getFlow(id))) throw notFound('flow', id);
      return c.json({ items: await store.listVersions(id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/flows/{id}/versions/{version}',
      tags,
      summary: 'One version of a flow',
      request: { params: FlowParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' } }) }) },
      responses: { 200: json(FlowVersion, 'The version'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      const found = await store.getVersion(id, version);
      if (!found) throw new ApiError(404, 'not_found', `flow "${id}" has no version ${version}`);
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows/{id}/restore',
      tags,
      summary: 'Restore an old version of a flow',
      description: 'Saves an old version\'s document as a new version (the message says "Restored version N" unless given). With `expectVersion`, refused (409) when the latest version is another one.',
      request: { params: FlowParam, body: { content: { 'application/json': { schema: RestoreFlow } }, required: true } },
      responses: { 201: json(FlowVersion, 'The new version'), ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version, message, author, expectVersion } = c.req.valid('json');
      if (!(await store.getFlow(id))) throw notFound('flow', id);
      const old = await store.getVersion(id, version);
      if (!old) throw new ApiError(404, 'not_found', `flow "${id}" has no version ${version}`);
      const saved = await store.saveFlow(old.document, {
        message: message ?? `Restored version ${version}`,
        ...(author ? { author } : {}),
        ...(expectVersion === undefined ? {} : { expectVersion }),
      });
      return c.json(saved, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/validate',
      tags,
      summary: 'Validate a flow',
      description: 'Every problem at once, each with its node or edge id, a path and a sentence.',
      request: { body: { content: { 'application/json': { schema: z.unknown() } }, required: true } },
      responses: { 200: json(z.object({ ok: z.boolean(), problems: z.array(ProblemSchema) }), 'The problems (none when ok)'), ...errorResponses(400, 413) },
    }),
    async (c) => {
      const result = validateFlow(c.req.valid('json'));
      return c.json({ ok: result.ok, problems: result.problems }, 200);
    },
  );

}
