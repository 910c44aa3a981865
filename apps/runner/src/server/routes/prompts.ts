import { createRoute, z } from '@hono/zod-openapi';
import {
  DeletePromptQuery,
  ID_PARAM_MAX,
  Items,
  Prompt,
  PromptImportResult,
  PromptQuery,
  PromptSummary,
  PromptUse,
  PromptVersion,
  PromptVersionSummary,
  RestorePrompt,
  TrellisError,
  TryPromptRequest,
  TryPromptResponse,
} from '@trellis/schema';
import type { Api, Deps } from '../deps.js';
import { invalidRequest, notFound } from '../errors.js';
import { CreatePromptBody, PromptLibraryFileBody, UpdatePromptBody } from '../prompt-templates.js';
import { tryPrompt } from '../prompt-try.js';
import { describeFlows, promptUsage } from '../prompt-usage.js';
import { errorResponses, json, jsonBody as body } from '../schemas.js';

const PromptNameParam = z.object({ name: z.string().min(1).max(ID_PARAM_MAX).openapi({ param: { name: 'name', in: 'path' }, example: 'triage-classifier' }) });
const PromptVersionParam = PromptNameParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' }, example: 3 }) });
const tags = ['Prompts'];
const noVersion = (name: string, version: number) => new TrellisError('not_found', `prompt "${name}" has no version ${version}`);

/** The prompt library: named Liquid templates, every change of content a new numbered version. */
export function promptRoutes(app: Api, { store, service }: Deps): void {
  const existing = async (name: string) => {
    const prompt = await store.getPrompt(name);
    if (!prompt) throw notFound('prompt', name);
    return prompt;
  };

  // The library file first: its paths would otherwise read as prompt names.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts/export',
      tags,
      summary: 'Export the library',
      description: 'Every prompt with all its versions, as a file to keep or to import into another runner.',
      responses: { 200: json(PromptLibraryFileBody, 'The library file (a download)') },
    }),
    async (c) => {
      const file = { schema: 'trellis.prompts/v1' as const, exportedAt: new Date().toISOString(), prompts: await store.exportPrompts() };
      return c.json(file, 200, { 'Content-Disposition': 'attachment; filename="trellis-prompts.json"' });
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/prompts/import',
      tags,
      summary: 'Import a library file',
      description:
        'A prompt the library lacks is created with the file\'s versions, numbered from 1 in order. An existing prompt gets the file\'s versions whose content none of its versions has, as new versions: importing a file twice changes nothing. All or nothing.',
      request: { body: body(PromptLibraryFileBody) },
      responses: { 200: json(PromptImportResult, 'What the import did, by prompt'), ...errorResponses(400, 413) },
    }),
    async (c) => c.json(await store.importPrompts(c.req.valid('json').prompts), 200),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts',
      tags,
      summary: 'List or search prompts',
      description: 'Newest first; with `q`, ranked by relevance (a name starting with the text first), each with a `snippet` around the match.',
      request: { query: PromptQuery },
      responses: { 200: json(Items(PromptSummary), 'The prompts'), ...errorResponses(400) },
    }),
    async (c) => c.json({ items: await store.listPrompts(c.req.valid('query')) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/prompts',
      tags,
      summary: 'Create a prompt',
      request: { body: body(CreatePromptBody) },
      responses: { 201: json(PromptVersion, 'Version 1'), ...errorResponses(400, 409, 413) },
    }),
    async (c) => {
      const created = await store.createPrompt(c.req.valid('json'));
      c.header('Location', `/api/prompts/${created.name}`);
      return c.json(created, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts/{name}',
      tags,
      summary: 'Read a prompt (its latest version)',
      request: { params: PromptNameParam },
      responses: { 200: json(Prompt, 'The prompt'), ...errorResponses(404) },
    }),
    async (c) => c.json(await existing(c.req.valid('param').name), 200),
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/api/prompts/{name}',
      tags,
      summary: 'Save a new version of a prompt',
      description: 'Content equal to the latest version makes no version and returns the latest. With `expectVersion`, refused (409) when someone saved another version meanwhile.',
      request: { params: PromptNameParam, body: body(UpdatePromptBody) },
      responses: { 200: json(PromptVersion, 'The new (or unchanged latest) version'), ...errorResponses(400, 404, 409, 413) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const saved = await store.updatePrompt(name, c.req.valid('json'));
      if (!saved) throw notFound('prompt', name);
      return c.json(saved, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/api/prompts/{name}',
      tags,
      summary: 'Delete a prompt',
      description: 'Refused (409, naming the flows) while the latest version of a flow uses the prompt, unless `force=true`. Runs that used it keep their record of it.',
      request: { params: PromptNameParam, query: DeletePromptQuery },
      responses: { 204: { description: 'Deleted' }, ...errorResponses(404, 409) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const prompt = await existing(name);
      if (c.req.valid('query').force !== 'true') {
        const uses = await promptUsage(store, name, prompt.latestVersion);
        if (uses.length) {
          throw new TrellisError('prompt_in_use', `prompt "${name}" is used by ${describeFlows(uses)}; change those nodes first, or delete it anyway with ?force=true`, { details: { uses } });
        }
      }
      if (!(await store.deletePrompt(name))) throw notFound('prompt', name);
      return c.body(null, 204);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts/{name}/versions',
      tags,
      summary: 'Version history of a prompt',
      request: { params: PromptNameParam },
      responses: { 200: json(Items(PromptVersionSummary), 'Newest first'), ...errorResponses(404) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      await existing(name);
      return c.json({ items: await store.listPromptVersions(name) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts/{name}/versions/{version}',
      tags,
      summary: 'One version of a prompt',
      request: { params: PromptVersionParam },
      responses: { 200: json(PromptVersion, 'The version'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { name, version } = c.req.valid('param');
      await existing(name);
      const found = await store.getPromptVersion(name, version);
      if (!found) throw noVersion(name, version);
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/prompts/{name}/restore',
      tags,
      summary: 'Restore an old version',
      description: 'Saves an old version\'s content as a new version (the note says "Restored version N" unless given). When it equals the latest, nothing changes and the latest comes back with 200.',
      request: { params: PromptNameParam, body: body(RestorePrompt) },
      responses: { 201: json(PromptVersion, 'The new version'), 200: json(PromptVersion, 'The latest version, which already had that content'), ...errorResponses(400, 404) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const { version, note, author } = c.req.valid('json');
      const prompt = await existing(name);
      const old = await store.getPromptVersion(name, version);
      if (!old) throw noVersion(name, version);
      const saved = await store.updatePrompt(name, { template: old.template, description: old.description, tags: old.tags, note: note ?? `Restored version ${version}`, author });
      if (!saved) throw notFound('prompt', name);
      return saved.version > prompt.latestVersion ? c.json(saved, 201) : c.json(saved, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/prompts/{name}/usage',
      tags,
      summary: 'Where a prompt is used',
      description: "The nodes of the flows' latest versions that reference the prompt, each marked `outdated` when it pins a version older than the latest.",
      request: { params: PromptNameParam },
      responses: { 200: json(Items(PromptUse), 'The nodes, by flow'), ...errorResponses(404) },
    }),
    async (c) => {
      const prompt = await existing(c.req.valid('param').name);
      return c.json({ items: await promptUsage(store, prompt.name, prompt.latestVersion) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/prompts/{name}/try',
      tags,
      summary: 'Try versions of a prompt on a model',
      description:
        'Renders each version (and the unsaved `draft`, as version 0) with each sample\'s variables, as a prompt node would, and sends it to the model. At most 4 versions and 10 samples; a failure of one pair is that result\'s `error`. A provider without its key answers with the test provider (`testProvider`).',
      request: { params: PromptNameParam, body: body(TryPromptRequest) },
      responses: { 200: json(TryPromptResponse, 'A result per version and sample, version by version'), ...errorResponses(400, 404, 413) },
    }),
    async (c) => {
      const { name } = c.req.valid('param');
      const request = c.req.valid('json');
      const prompt = await store.getPrompt(name);
      // A prompt not saved yet can be tried by its draft alone.
      if (!prompt && (request.draft === undefined || request.versions?.length)) throw notFound('prompt', name);
      const wanted = request.versions ?? (prompt ? [prompt.latestVersion] : []);
      const templates: Array<{ version: number; template: string }> = [];
      for (const version of wanted) {
        const found = await store.getPromptVersion(name, version);
        if (!found) throw noVersion(name, version);
        templates.push({ version, template: found.template });
      }
      if (request.draft !== undefined) templates.push({ version: 0, template: request.draft });
      if (templates.length === 0) throw invalidRequest([{ path: 'body.versions', message: 'name at least one version, or give a draft' }]);
      const results = await tryPrompt({
        templates,
        samples: request.samples,
        model: request.model,
        mock: request.mock,
        system: request.system,
        temperature: request.temperature,
        maxOutputTokens: request.maxOutputTokens,
        models: service.models,
        signal: c.req.raw.signal,
      });
      return c.json({ model: request.model, results }, 200);
    },
  );
}
