import type { z } from 'zod';
import { templateSyntaxError } from '@trellis/nodes';
import { CreatePrompt, PromptLibraryFile, UpdatePrompt } from '@trellis/schema';

/**
 * The prompt library's request schemas with one check the contract cannot make: that a template
 * parses as Liquid (the template engine lives with the kinds, not in packages/schema). A template
 * that does not parse is refused where it is saved, naming its field.
 */

/** Why a template does not parse as Liquid (the editor's words too); undefined when it does. */
export const templateError = templateSyntaxError;

function check(ctx: z.RefinementCtx, text: string, path: Array<string | number>): void {
  const error = templateError(text);
  if (error) ctx.addIssue({ code: 'custom', path, message: error });
}

// Each keeps the contract schema's name in the OpenAPI document.
export const CreatePromptBody = CreatePrompt.superRefine((body, ctx) => check(ctx, body.template, ['template'])).meta({ id: 'CreatePrompt' });
export const UpdatePromptBody = UpdatePrompt.superRefine((body, ctx) => check(ctx, body.template, ['template'])).meta({ id: 'UpdatePrompt' });
export const PromptLibraryFileBody = PromptLibraryFile.superRefine((file, ctx) =>
  file.prompts.forEach((prompt, i) => prompt.versions.forEach((version, j) => check(ctx, version.template, ['prompts', i, 'versions', j, 'template']))),
).meta({ id: 'PromptLibraryFile' });
