import { createRoute, z } from '@hono/zod-openapi';
import { Credential, CredentialName, Items, ProviderName, ProviderStatus, ProviderTestResult, PutCredentialRequest } from '@trellis/schema';
import { providerStatuses, testProvider } from '../../secrets/providers.js';
import type { Api, Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { errorResponses, json, jsonBody } from '../schemas.js';

const NameParam = z.object({ name: CredentialName.meta({ param: { name: 'name', in: 'path' } }) });
const ProviderParam = z.object({ id: ProviderName.meta({ param: { name: 'id', in: 'path' } }) });

/**
 * Settings' credentials (provider keys and named secrets, write-only) and the model providers'
 * status. No answer ever carries a value: lists show names, kinds and times.
 */
export function credentialRoutes(app: Api, { service }: Deps): void {
  const { credentials } = service;

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/credentials',
      tags: ['Credentials'],
      summary: 'List credentials',
      description: 'Names, kinds and times of the stored provider keys and named secrets; never a value.',
      responses: { 200: json(Items(Credential), 'The credentials') },
    }),
    async (c) => c.json({ items: await credentials.list() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/credentials/{name}',
      tags: ['Credentials'],
      summary: 'Store a credential',
      description:
        'Creates or replaces a provider key (`kind: "provider"`, with `provider`) or a named secret HTTP tools send (`kind: "secret"`). The value is encrypted at rest and never sent back. An environment variable for the same provider (e.g. OPENAI_API_KEY) or secret (TRELLIS_CREDENTIAL_<NAME>) wins over it.',
      request: { params: NameParam, body: jsonBody(PutCredentialRequest) },
      responses: { 200: json(Credential, 'The credential, without its value'), ...errorResponses(400, 503) },
    }),
    async (c) => c.json(await credentials.put(c.req.valid('param').name, c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/credentials/{name}',
      tags: ['Credentials'],
      summary: 'Delete a credential',
      request: { params: NameParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      if (!(await credentials.delete(name))) throw notFound('credential', name);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/providers',
      tags: ['Credentials'],
      summary: 'List model providers and where their keys come from',
      description: "Each provider with whether runs can use it, and its key's source: 'env' (the runner's environment, which wins), 'credential' (Settings), 'local' (a server that needs none) or 'none'.",
      responses: { 200: json(Items(ProviderStatus), 'The providers') },
    }),
    async (c) => c.json({ items: await providerStatuses(credentials.env, credentials) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/providers/{id}/test',
      tags: ['Credentials'],
      summary: 'Check a model provider',
      description: 'One cheap call (the model list) with the key runs would use, bounded by 10 s; says in words whether it worked.',
      request: { params: ProviderParam },
      responses: { 200: json(ProviderTestResult, 'Whether the provider answered'), ...errorResponses(404) },
    }),
    async (c) => c.json(await testProvider(c.req.valid('param').id, credentials.env, credentials), 200),
  );
}
