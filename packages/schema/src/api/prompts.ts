import { z } from 'zod';
import { Usage } from '../events.js';
import { MockReply } from '../flow.js';
import { PromptName } from '../prompts.js';
import { Timestamp } from './common.js';
import {
  AUTHOR_MAX,
  ID_PARAM_MAX,
  MAX_FILE_PROMPTS,
  MAX_FILE_VERSIONS,
  MAX_FILE_VERSIONS_PER_PROMPT,
  MAX_TRY_MOCK_REPLIES,
  MAX_TRY_OUTPUT_TOKENS,
  MAX_TRY_SAMPLES,
  MAX_TRY_VERSIONS,
  NOTE_MAX,
  PROMPT_DESCRIPTION_MAX,
  PROMPT_LIST_MAX,
  PROMPT_SEARCH_MAX,
  PROMPT_TAG_MAX,
  PROMPT_TAGS_MAX,
  TEMPLATE_MAX,
} from './limits.js';

/** The prompt library's payloads (/api/prompts). */

/** Names the library's own routes take: a prompt by one of them could not be read at its URL. */
export const RESERVED_PROMPT_NAMES: ReadonlySet<string> = new Set(['export', 'import']);

/**
 * A library template. That it parses as Liquid is checked where it is saved (the runner), since
 * the template engine is not part of the contract.
 */
export const PromptTemplate = z
  .string()
  .min(1, 'must not be empty')
  .max(TEMPLATE_MAX, `at most ${TEMPLATE_MAX} characters`)
  .meta({ description: 'A Liquid template: `{{ customer.name }}`, filters, `{% if %}`', example: 'Classify this ticket: {{ input.message }}' });

const NoControls = /^[^\p{Cc}]*$/u;
const Tag = z.string().trim().min(1, 'must not be empty').max(PROMPT_TAG_MAX, `at most ${PROMPT_TAG_MAX} characters`).regex(NoControls, 'must not hold control characters');
const Tags = z.array(Tag).max(PROMPT_TAGS_MAX, `at most ${PROMPT_TAGS_MAX} tags`).meta({ example: ['classification', 'safety'] });
const Description = z.string().max(PROMPT_DESCRIPTION_MAX, `at most ${PROMPT_DESCRIPTION_MAX} characters`);
const Note = z.string().max(NOTE_MAX, `at most ${NOTE_MAX} characters`).meta({ description: 'The change note of this version' });
const Author = z.string().trim().min(1).max(AUTHOR_MAX).meta({ description: 'Who made the change, as they name themselves' });

/** A name a new prompt may take. */
export const NewPromptName = PromptName.refine((name) => !RESERVED_PROMPT_NAMES.has(name), { message: 'is the name of a library route; choose another' });

/** What one version of a library prompt holds; every edit of any of it makes a new version. */
export interface PromptContent {
  template: string;
  description?: string;
  tags: string[];
}

/** GET /api/prompts: `q` searches name, tags and text (ranked); `tag` filters. */
export const PromptQuery = z.object({
  q: z.string().max(PROMPT_SEARCH_MAX).optional().meta({ description: 'Words to find in names, tags, descriptions and texts; the last may be half typed' }),
  tag: z.string().max(PROMPT_TAG_MAX).optional().meta({ description: 'Only prompts with exactly this tag' }),
  limit: z.coerce.number().int().min(1).max(PROMPT_LIST_MAX).optional(),
});
export type PromptQuery = z.infer<typeof PromptQuery>;

export const DeletePromptQuery = z.object({
  force: z.enum(['true', 'false']).optional().meta({ description: 'Delete even when flows use the prompt' }),
});

export const CreatePrompt = z
  .object({ name: NewPromptName, template: PromptTemplate, description: Description.optional(), tags: Tags.default([]), note: Note.optional(), author: Author.optional() })
  .strict()
  .meta({ id: 'CreatePrompt' });
export type CreatePrompt = z.infer<typeof CreatePrompt>;

export const UpdatePrompt = z
  .object({
    template: PromptTemplate,
    description: Description.optional(),
    tags: Tags,
    note: Note.optional(),
    author: Author.optional(),
    expectVersion: z.number().int().min(0).optional().meta({ description: 'Refused with 409 when the latest version is another one' }),
  })
  .strict()
  .meta({ id: 'UpdatePrompt' });
export type UpdatePrompt = z.infer<typeof UpdatePrompt>;

export const RestorePrompt = z
  .object({ version: z.number().int().min(1), note: Note.optional(), author: Author.optional() })
  .strict()
  .meta({ id: 'RestorePrompt' });
export type RestorePrompt = z.infer<typeof RestorePrompt>;

export const PromptSummary = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    tags: z.array(z.string()),
    latestVersion: z.number().int(),
    variables: z.array(z.string()).meta({ description: "The latest template's variables, top-level names in order of appearance" }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    snippet: z.string().optional().meta({ description: 'In search results: an excerpt with the match between « and »' }),
  })
  .meta({ id: 'PromptSummary' });
export type PromptSummary = z.infer<typeof PromptSummary>;

/** A prompt with its latest version's template. */
export const Prompt = PromptSummary.extend({ template: z.string() }).meta({ id: 'Prompt' });
export type Prompt = z.infer<typeof Prompt>;

export const PromptVersionSummary = z
  .object({
    name: z.string(),
    version: z.number().int(),
    createdAt: Timestamp,
    /** The change note given with the edit. */
    note: z.string().optional(),
    author: z.string().optional(),
  })
  .meta({ id: 'PromptVersionSummary' });
export type PromptVersionSummary = z.infer<typeof PromptVersionSummary>;

export const PromptVersion = PromptVersionSummary.extend({
  template: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()),
  variables: z.array(z.string()),
}).meta({ id: 'PromptVersion' });
export type PromptVersion = z.infer<typeof PromptVersion>;

/** A node of a flow's latest version that references a library prompt. */
export const PromptUse = z
  .object({
    flowId: z.string(),
    flowName: z.string(),
    flowVersion: z.number().int(),
    nodeId: z.string(),
    nodeName: z.string().optional(),
    field: z.string().meta({ example: 'prompt.ref' }),
    ref: z.string().meta({ example: 'triage-classifier@3' }),
    /** The version the reference pins, or 'latest'. */
    pinned: z.union([z.number().int(), z.literal('latest')]),
    /** True when the reference pins a version older than the prompt's latest. */
    outdated: z.boolean().meta({ description: 'The reference pins a version older than the latest' }),
  })
  .meta({ id: 'PromptUse' });
export type PromptUse = z.infer<typeof PromptUse>;

/** POST /api/prompts/:name/try: renders versions with sample variables and runs them on a model. */
export const TryPromptRequest = z
  .object({
    versions: z.array(z.number().int().min(1)).max(MAX_TRY_VERSIONS).optional().meta({ description: 'Versions to try side by side; the latest when absent' }),
    draft: z.string().min(1).max(TEMPLATE_MAX).optional().meta({ description: 'A template not saved yet, tried as version 0' }),
    samples: z
      .array(z.record(z.string(), z.unknown()))
      .min(1, 'give at least one sample (an empty object when the template has no variables)')
      .max(MAX_TRY_SAMPLES, `at most ${MAX_TRY_SAMPLES} samples`)
      .meta({ description: "Each sample's variables; every sample runs with every version" }),
    model: z.string().regex(/^[a-z0-9][a-z0-9._-]*:.+$/, 'must be "provider:model", e.g. "openai:gpt-4.1-mini"').max(ID_PARAM_MAX),
    mock: z.union([MockReply, z.array(MockReply).max(MAX_TRY_MOCK_REPLIES)]).optional().meta({ description: "The test provider's reply, as in a mock script" }),
    system: z.string().max(TEMPLATE_MAX).optional(),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().min(1).max(MAX_TRY_OUTPUT_TOKENS).optional(),
  })
  .strict()
  .superRefine((request, ctx) => {
    const count = (request.versions?.length ?? 1) + (request.draft === undefined ? 0 : 1);
    if (count > MAX_TRY_VERSIONS) {
      ctx.addIssue({ code: 'custom', path: ['versions'], message: `at most ${MAX_TRY_VERSIONS} versions at once, the draft included` });
    }
    if (new Set(request.versions).size !== (request.versions?.length ?? 0)) ctx.addIssue({ code: 'custom', path: ['versions'], message: 'names a version twice' });
  })
  .meta({ id: 'TryPromptRequest' });
/** The mock is typed loosely: clients pass on what a person wrote, and the runner checks it against `MockReply`. */
export type TryPromptRequest = Omit<z.infer<typeof TryPromptRequest>, 'mock'> & { mock?: unknown };

export const TryPromptResult = z.object({
  version: z.number().int().meta({ description: '0 for the draft' }),
  sample: z.number().int().meta({ description: 'The index of the sample' }),
  rendered: z.string(),
  text: z.string().optional(),
  error: z.string().optional(),
  usage: Usage.optional(),
  durationMs: z.number(),
  /** True when the test provider answered rather than a real model. */
  testProvider: z.boolean(),
});
export type TryPromptResult = z.infer<typeof TryPromptResult>;

export const TryPromptResponse = z.object({ model: z.string(), results: z.array(TryPromptResult) }).meta({ id: 'TryPromptResponse' });
export type TryPromptResponse = z.infer<typeof TryPromptResponse>;

const LibraryVersion = z.object({
  version: z.number().int().min(1),
  template: PromptTemplate,
  description: Description.optional(),
  tags: Tags.default([]),
  note: Note.optional(),
  author: Author.optional(),
  createdAt: z.string().datetime({ offset: true, message: 'must be an ISO 8601 date and time' }),
});

/** The library as a file (GET /api/prompts/export, POST /api/prompts/import). */
export const PromptLibraryFile = z
  .object({
    schema: z.literal('trellis.prompts/v1', { message: 'must be "trellis.prompts/v1"' }),
    exportedAt: z.string().max(100).optional(),
    prompts: z
      .array(z.object({ name: NewPromptName, versions: z.array(LibraryVersion).min(1, 'a prompt needs at least one version').max(MAX_FILE_VERSIONS_PER_PROMPT) }))
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
  .meta({ id: 'PromptLibraryFile' });
export type PromptLibraryFile = z.infer<typeof PromptLibraryFile>;

export const PromptImportResult = z
  .object({
    created: z.array(z.string()).meta({ description: 'Prompts that did not exist' }),
    updated: z.array(z.string()).meta({ description: 'Prompts that got new versions (only versions whose content differs)' }),
    unchanged: z.array(z.string()).meta({ description: 'Prompts whose every version was already there' }),
  })
  .meta({ id: 'PromptImportResult' });
export type PromptImportResult = z.infer<typeof PromptImportResult>;
