import { createRoute, z } from '@hono/zod-openapi';
import { ApiKey, CreateKeyRequest, CreatedKey, Items, PublishRecord, PublishRequest, Published, Slug, TrellisError, type PublishedEndpoint } from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { DEFAULT_RATE_LIMIT, newSecret } from '../keys.js';
import { IdParam, errorResponses, json, jsonBody } from '../schemas.js';
import { checkGate } from '../publish-gate.js';

const withUrl = (p: PublishedEndpoint): Published => ({ ...p, url: `/v1/flows/${p.slug}` });

export function publishingRoutes(app: Api, { store, service, keys, published, log }: Deps): void {
  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/flows/{id}/publish',
      tags: ['Publishing'],
      summary: 'Publish a flow version under a slug',
      description:
        'Serves the version at POST /v1/flows/{slug}. Publishing the same slug again moves it to another version. ' +
        "A flow whose settings gate publishing on its test cases (`settings.gate.cases`) has them run first (offline, as POST /api/flows/{id}/tests): " +
        'when one fails the publish is refused (422 `gate_failed`, with the report in `details.report`) unless `override` gives a reason. ' +
        "Every publish is logged with how its gate went (GET /api/flows/{id}/publishes).",
      request: { params: IdParam, body: jsonBody(PublishRequest) },
      responses: { 201: json(Published, 'The endpoint'), ...errorResponses(400, 404, 409, 422) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const body = c.req.valid('json');
      const { version, document } = await service.flowVersion(id, body.version);
      const flow = service.checkRunnable(id, version, document);
      // A version whose library prompts cannot be resolved would refuse every call: refuse it here.
      await service.checkPrompts(document);
      // Likewise a sub-flow that is gone, or one that leads back to this flow.
      await service.checkSubflows(document);
      const taken = await store.getPublished(body.slug);
      if (taken && taken.flowId !== id) throw new TrellisError('slug_taken', `slug "${body.slug}" already serves flow "${taken.flowId}"; unpublish it first or choose another`);
      // Last, being the slowest check: the version's cases, when the flow gates its publishing on them.
      const gate = await checkGate({ service, store, log }, id, version, flow, body.override, body.slug);
      const record = await store.publish({ slug: body.slug, flowId: id, version, cors: body.cors ?? null, gate });
      published.invalidate();
      return c.json(withUrl(record), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/flows/{id}/publishes',
      tags: ['Publishing'],
      summary: "A flow's publish log",
      description: 'Every publish of the flow, newest first (the last 100): the version, the slug, and how its gate went, with the reason and who gave it for an override.',
      request: { params: IdParam },
      responses: { 200: json(Items(PublishRecord), 'The publishes'), ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.getFlow(id))) throw notFound('flow', id);
      return c.json({ items: await store.listPublishes(id, 100) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/published',
      tags: ['Publishing'],
      summary: 'List published endpoints',
      responses: { 200: json(Items(Published), 'The endpoints') },
    }),
    async (c) => c.json({ items: (await store.listPublished()).map(withUrl) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/published/{slug}',
      tags: ['Publishing'],
      summary: 'Unpublish an endpoint',
      request: { params: z.object({ slug: Slug }) },
      responses: { 204: { description: 'Unpublished' }, ...errorResponses(404) },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      if (!(await store.unpublish(slug))) throw notFound('published endpoint', slug);
      published.invalidate();
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/keys',
      tags: ['API keys'],
      summary: 'List API keys',
      description: 'Secrets are never shown again; each key shows its prefix.',
      responses: { 200: json(Items(ApiKey), 'The keys') },
    }),
    async (c) => c.json({ items: await store.listKeys() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/keys',
      tags: ['API keys'],
      summary: 'Create an API key',
      description: 'The secret is in this answer only; the server keeps its hash.',
      request: { body: jsonBody(CreateKeyRequest) },
      responses: { 201: json(CreatedKey, 'The key and its secret'), ...errorResponses(400) },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const { secret, hash, prefix } = newSecret();
      const key = await store.createKey({
        name: body.name,
        hash,
        prefix,
        slugs: body.slugs ?? null,
        rateLimit: body.rateLimit === undefined ? DEFAULT_RATE_LIMIT : body.rateLimit,
      });
      return c.json({ key, secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/keys/{id}',
      tags: ['API keys'],
      summary: 'Revoke an API key',
      request: { params: IdParam },
      responses: { 204: { description: 'Revoked' }, ...errorResponses(404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      if (!(await store.revokeKey(id))) throw notFound('active API key', id);
      keys.invalidate();
      return c.body(null, 204);
    },
  );
}
