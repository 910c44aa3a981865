/** The prompt page's edit: the content being typed, and the version it started from. */
import type { Prompt, PromptContent, UpdatePrompt } from '@trellis/schema';
import { sameTags } from './tags';

export interface PromptDraft {
  /** The version the edit started from: saving expects it to be the latest still. */
  baseVersion: number;
  base: PromptContent;
  template: string;
  description: string;
  tags: string[];
  /** The change note for the next version. */
  note: string;
}

export function draftOf(prompt: Prompt): PromptDraft {
  const base: PromptContent = { template: prompt.template, tags: prompt.tags, ...(prompt.description ? { description: prompt.description } : {}) };
  return { baseVersion: prompt.latestVersion, base, template: prompt.template, description: prompt.description ?? '', tags: [...prompt.tags], note: '' };
}

/** Whether saving would make a new version (a note alone does not). */
export function isDirty(draft: PromptDraft): boolean {
  return draft.template !== draft.base.template || draft.description.trim() !== (draft.base.description ?? '') || !sameTags(draft.tags, draft.base.tags);
}

export function updateOf(draft: PromptDraft, author: string): UpdatePrompt {
  const description = draft.description.trim();
  const note = draft.note.trim();
  return {
    template: draft.template,
    tags: draft.tags,
    ...(description ? { description } : {}),
    ...(note ? { note } : {}),
    ...(author.trim() ? { author: author.trim() } : {}),
    expectVersion: draft.baseVersion,
  };
}
