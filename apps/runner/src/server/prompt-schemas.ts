import { z } from '@hono/zod-openapi';
import { templateVariables } from '@trellis/nodes';
import { MockReply, PromptName } from '@trellis/schema';
import { Usage } from './schemas.js';

/** Payloads of the prompt library's routes (/api/prompts). */

/** Names the library's own routes take: a prompt by one of them could not be read at its URL. */
const RESERVED_NAMES = new Set(['export', 'import']);

/** A library template: Liquid's parse limit is its limit, and one that does not parse is refused where it is saved. */
export const TEMPLATE_MAX = 100_000;
export const MAX_TRY_VERSIONS = 4;
export const MAX_TRY_SAMPLES = 10;

const Template = z
  .string()
  .min(1, 'must not be empty')
  .max(TEMPLATE_MAX, `at most ${TEMPLATE_MAX} characters`)
  .superRefine((text, ctx) => {
    try {
      templateVariables(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `does not parse as a Liquid template: ${error instanceof Error ? error.message : String(error)}` });
    }
  })
  .openapi({ description: 'A Liquid template: `{{ customer.name }}`, filters, `{% if %}`', example: 'Classify this ticket: {{ input.message }}' });

const NoControls = /^[^\p{Cc}]*$/u;
const Tag = z.string().trim().min(1, 'must not be empty').max(40, 'at most 40 characters').regex(NoControls, 'must not hold control characters');
const Tags = z.array(Tag).max(20, 'at most 20 tags').openapi({ example: ['classification', 'safety'] });
const Description = z.string().max(2000, 'at most 2000 characters');
const Note = z.string().max(500, 'at most 500 characters').openapi({ description: 'The change note of this version' });
const Author = z.string().trim().min(1).max(200).openapi({ description: 'Who made the change, as they name themselves' });

const NewName = PromptName.refine((name) => !RESERVED_NAMES.has(name), { message: 'is the name of a library route; choose another' });

export const PromptNameParam = z.object({ name: z.string().min(1).max(200).openapi({ param: { name: 'name', in: 'path' }, example: 'triage-classifier' }) });
export const PromptVersionParam = PromptNameParam.extend({ version: z.coerce.number().int().min(1).openapi({ param: { name: 'version', in: 'path' }, example: 3 }) });

export const PromptQuery = z.object({
  q: z.string().max(500).optional().openapi({ description: 'Words to find in names, tags, descriptions and texts; the last may be half typed' }),
  tag: z.string().max(40).optional().openapi({ description: 'Only prompts with exactly this tag' }),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});

export const CreatePrompt = z
  .object({ name: NewName, template: Template, description: Description.optional(), tags: Tags.default([]), note: Note.optional(), author: Author.optional() })
  .strict()
  .openapi('CreatePrompt');

export const UpdatePrompt = z
  .object({
    template: Template,
    description: Description.optional(),
    tags: Tags,
    note: Note.optional(),
    author: Author.optional(),
    expectVersion: z.number().int().min(0).optional().openapi({ description: 'Refused with 409 when the latest version is another one' }),
  })
  .strict()
  .openapi('UpdatePrompt');

export const RestorePrompt = z
  .object({ version: z.number().int().min(1), note: Note.optional(), author: Author.optional() })
  .strict()
  .openapi('RestorePrompt');

export const DeletePromptQuery = z.object({
  force: z.enum(['true', 'false']).optional().openapi({ description: 'Delete even when flows use the prompt' }),
});

export const PromptSummary = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    tags: z.array(z.string()),
    latestVersion: z.number().int(),
    variables: z.array(z.string()).openapi({ description: "The latest template's variables, top-level names in order of appearance" }),
    createdAt: z.string(),
    updatedAt: z.string(),
    snippet: z.string().optional().openapi({ description: 'In search results: an excerpt with the match between « and »' }),
  })
  .openapi('PromptSummary');

export const Prompt = PromptSummary.extend({ template: z.string() }).openapi('Prompt');

export const PromptVersionSummary = z
  .object({ name: z.string(), version: z.number().int(), createdAt: z.string(), note: z.string().optional(), author: z.string().optional() })
  .openapi('PromptVersionSummary');

export const PromptVersion = PromptVersionSummary.extend({
  template: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  variables: z.array(z.string()),
}).openapi('PromptVersion');

export const PromptUse = z
  .object({
    flowId: z.string(),
    flowName: z.string(),
    flowVersion: z.number().int(),
    nodeId: z.string(),
    nodeName: z.string().optional(),
    field: z.string().openapi({ example: 'prompt.ref' }),
    ref: z.string().openapi({ example: 'triage-classifier@3' }),
    pinned: z.union([z.number().int(), z.literal('latest')]),
    outdated: z.boolean().openapi({ description: 'The reference pins a version older than the latest' }),
  })
  .openapi('PromptUse');

export const TryPromptRequest = z
  .object({
    versions: z.array(z.number().int().min(1)).max(MAX_TRY_VERSIONS).optional().openapi({ description: 'Versions to try side by side; the latest when absent' }),
    draft: z.string().min(1).max(TEMPLATE_MAX).optional().openapi({ description: 'A template not saved yet, tried as version 0' }),
    samples: z
      .array(z.record(z.string(), z.unknown()))
      .min(1, 'give at least one sample (an empty object when the template has no variables)')
      .max(MAX_TRY_SAMPLES, `at most ${MAX_TRY_SAMPLES} samples`)
      .openapi({ description: "Each sample's variables; every sample runs with every version" }),
    model: z.string().regex(/^[a-z0-9][a-z0-9._-]*:.+$/, 'must be "provider:model", e.g. "openai:gpt-4.1-mini"').max(200),
    mock: z.union([MockReply, z.array(MockReply).max(10)]).optional().openapi({ description: "The test provider's reply, as in a mock script" }),
    system: z.string().max(TEMPLATE_MAX).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().min(1).max(100_000).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    const count = (request.versions?.length ?? 1) + (request.draft === undefined ? 0 : 1);
    if (count > MAX_TRY_VERSIONS) {
      ctx.addIssue({ code: 'custom', path: ['versions'], message: `at most ${MAX_TRY_VERSIONS} versions at once, the draft included` });
    }
    if (new Set(request.versions).size !== (request.versions?.length ?? 0)) ctx.addIssue({ code: 'custom', path: ['versions'], message: 'names a version twice' });
  })
  .openapi('TryPromptRequest');

export const TryPromptResponse = z
  .object({
    model: z.string(),
    results: z.array(
      z.object({
        version: z.number().int().openapi({ description: '0 for the draft' }),
        sample: z.number().int().openapi({ description: 'The index of the sample' }),
        rendered: z.string(),
        text: z.string().optional(),
        error: z.string().optional(),
        usage: Usage.optional(),
        durationMs: z.number(),
        testProvider: z.boolean(),
      }),
    ),
  })
  .openapi('TryPromptResponse');

const LibraryVersion = z.object({
  version: z.number().int().min(1),
  template: Template,
  description: Description.optional(),
  tags: Tags.default([]),
  note: Note.optional(),
  author: Author.optional(),
  createdAt: z.string().datetime({ offset: true, message: 'must be an ISO 8601 date and time' }),
});

/** The most prompts and versions one file may hold: an import is one transaction. */
export const MAX_FILE_PROMPTS = 2000;
export const MAX_FILE_VERSIONS = 20_000;

export const PromptLibraryFile = z
  .object({
    schema: z.literal('trellis.prompts/v1', { message: 'must be "trellis.prompts/v1"' }),
    exportedAt: z.string().max(100).optional(),
    prompts: z
      .array(z.object({ name: NewName, versions: z.array(LibraryVersion).min(1, 'a prompt needs at least one version').max(1000) }))
      .max(MAX_FILE_PROMPTS, `at most ${MAX_FILE_PROMPTS} prompts`),
  })
  .superRefine((file, ctx) => {
    const names = new Set<string>();
    let versions = 0;
    file.prompts.forEach((prompt, i) => {
      if (names.has(prompt.name)) ctx.addIssue({ code: 'custom', path: ['prompts', i, 'name'], message: `"${prompt.name}" appears twice in the file` });
      names.add(prompt.name);
      const numbers = new Set<number>();
      prompt.versions.forEach((version, j) => {
        if (numbers.has(version.version)) ctx.addIssue({ code: 'custom', path: ['prompts', i, 'versions', j, 'version'], message: `version ${version.version} appears twice` });
        numbers.add(version.version);
      });
      versions += prompt.versions.length;
    });
    if (versions > MAX_FILE_VERSIONS) ctx.addIssue({ code: 'custom', path: ['prompts'], message: `the file holds ${versions} versions; at most ${MAX_FILE_VERSIONS} at once` });
  })
  .openapi('PromptLibraryFile');

export const PromptImportResult = z
  .object({
    created: z.array(z.string()).openapi({ description: 'Prompts that did not exist' }),
    updated: z.array(z.string()).openapi({ description: 'Prompts that got new versions' }),
    unchanged: z.array(z.string()).openapi({ description: 'Prompts whose every version was already there' }),
  })
  .openapi('PromptImportResult');
