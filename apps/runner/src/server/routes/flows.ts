import { createRoute, z } from '@hono/zod-openapi';
import {
  FLOW_SCHEMA_V1,
  FlowDetail,
  FlowDocument,
  FlowSaved,
  FlowSummary,
  FlowVersion,
  FlowVersionSummary,
  ID_PARAM_MAX,
  Items,
  RestoreFlow,
  SaveFlowQuery,
  TrellisError,
  ValidationResult,
  type Flow,
  type FlowVersion as SavedVersion,
  type Problem,
} from '@trellis/schema';
import { validateFlow } from '@trellis/nodes';
import { LRUCache } from 'lru-cache';
import type { Api, Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

const tags = ['Flows'];
const FlowParam = z.object({ id: z.string().min(1).max(ID_PARAM_MAX).openapi({ param: { name: 'id', in: 'path' }, example: 'support-triage' }) });
const flowBody = jsonBody(FlowDocument);

/** Problems that keep a document from being stored: it is not a flow envelope the store can index. */
const UNSTORABLE = new Set<Problem['code']>(['not_a_flow', 'unsupported_version', 'invalid_flow', 'invalid_json']);

/**
 * A document worth keeping: a flow envelope the store can index, read by one pass of the flow
 * loader (migrated and checked once per save). Problems with nodes, edges and the graph do not
 * stop a save (a flow is often saved half-drawn); they come back with it and keep it from running.
 */
function storable(raw: unknown, pathId?: string): { document: Flow; problems: Problem[] } {
  const loaded = validateFlow(raw);
  const refusals = loaded.problems.filter((p) => UNSTORABLE.has(p.code));
  if (!loaded.document || refusals.length) {
    const problems = refusals.length ? refusals : loaded.problems.filter((p) => p.severity === 'error');
    const why = problems[0]?.message ?? (raw && typeof raw === 'object' && !Array.isArray(raw) ? `it is not a ${FLOW_SCHEMA_V1} document` : 'it is not a JSON object');
    throw new TrellisError('invalid_flow', `the flow cannot be saved: ${why}`, { details: { problems } });
  }
  // The migrated document as sent, not the loader's parse of it: the store keeps what was written.
  const document = loaded.document as Flow;
  if (pathId !== undefined && document.id !== pathId) {
    throw new TrellisError('id_mismatch', `the document's id is "${document.id}" but the URL names flow "${pathId}"`);
  }
  return { document, problems: loaded.problems };
}

/**
 * A stored version's problems, checked once: a version never changes, and checking a large flow
 * takes a good part of a second that would block every other request (the editor reads a flow
 * each time it opens it). Keyed by the save's time too, so a flow deleted and made again under
 * its id and version number is checked anew. A save primes it with the problems it found.
 */
const problemsByVersion = new LRUCache<string, Problem[]>({ max: 64 });
const versionKey = (id: string, version: number, savedAt: string) => `${id}\u0000${version}\u0000${savedAt}`;
function storedProblems(flow: { id: string; latestVersion: number; updatedAt: string; document: Flow }): Problem[] {
  const key = versionKey(flow.id, flow.latestVersion, flow.updatedAt);
  let problems = problemsByVersion.get(key);
  if (!problems) problemsByVersion.set(key, (problems = validateFlow(flow.document).problems));
  return problems;
}

/** What a save answers: the version it made, from the store's own answer (nothing is read back). */
function savedView(document: Flow, saved: SavedVersion, problems: Problem[]): FlowSaved {
  problemsByVersion.set(versionKey(document.id, saved.version, saved.createdAt), problems);
  return { id: document.id, name: document.name, version: saved.version, updatedAt: saved.createdAt, problems };
}

export function flowRoutes(app: Api, { store, service }: Deps): void {
  app.openapi(
    createRoute({ method: 'get', path: '/api/flows', tags, summary: 'List flows', responses: { 200: json(Items(FlowSummary), 'The flows, by name') } }),
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
      responses: { 201: json(FlowSaved, 'The version made (1) and the problems of the document'), ...errorResponses(400, 409, 413, 422) },
    }),
    async (c) => {
      const { document, problems } = storable(c.req.valid('json'));
      const existing = await store.getFlow(document.id);
      if (existing) throw new TrellisError('already_exists', `flow "${document.id}" already exists; save a new version with PUT /api/flows/${document.id}`);
      return c.json(savedView(document, await store.saveFlow(document), problems), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/flows/{id}',
      tags,
      summary: 'Read a flow (its latest version)',
      request: { params: FlowParam },
      responses: { 200: json(FlowDetail, 'The flow with its problems'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const flow = await store.getFlow(id);
      if (!flow) throw notFound('flow', id);
      return c.json({ ...flow, problems: storedProblems(flow) }, 200);
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
        query: SaveFlowQuery,
        body: flowBody,
      },
      responses: { 200: json(FlowSaved, 'The version made and the problems of the document'), ...errorResponses(400, 409, 413, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { expectVersion, message, author } = c.req.valid('query');
      const { document, problems } = storable(c.req.valid('json'), id);
      const saved = await store.saveFlow(document, { ...(expectVersion === undefined ? {} : { expectVersion }), ...(message ? { message } : {}), ...(author ? { author } : {}) });
      return c.json(savedView(document, saved, problems), 200);
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
      responses: { 200: json(Items(FlowVersionSummary), 'Newest first'), ...errorResponses(404) },
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
      if (!found) throw new TrellisError('not_found', `flow "${id}" has no version ${version}`);
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
      request: { params: FlowParam, body: jsonBody(RestoreFlow) },
      responses: { 201: json(FlowVersion, 'The new version'), ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version, message, author, expectVersion } = c.req.valid('json');
      if (!(await store.getFlow(id))) throw notFound('flow', id);
      const old = await store.getVersion(id, version);
      if (!old) throw new TrellisError('not_found', `flow "${id}" has no version ${version}`);
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
      responses: { 200: json(ValidationResult, 'The problems (none when ok)'), ...errorResponses(400, 413) },
    }),
    async (c) => {
      const result = validateFlow(c.req.valid('json'));
      // What only the saved flows can tell: sub-flows that are gone or lead back to this flow.
      const problems = result.flow ? [...result.problems, ...(await service.subflowProblems(result.flow))] : result.problems;
      return c.json({ ok: !problems.some((p) => p.severity === 'error'), problems }, 200);
    },
  );
}
