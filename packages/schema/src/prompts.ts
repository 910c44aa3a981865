/**
 * Library prompts: named, versioned templates kept by the runner and used by prompt and agent
 * nodes through a reference, `triage-classifier@3` (pinned) or `triage-classifier@latest`
 * (the newest version when the run starts). A run records the exact versions it used.
 */
import { z } from 'zod';

/** A prompt's name: its stable id, in references and URLs. */
export const PROMPT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
export const PROMPT_NAME_MAX = 64;

export const PromptName = z
  .string()
  .min(1, 'must not be empty')
  .max(PROMPT_NAME_MAX, `at most ${PROMPT_NAME_MAX} characters`)
  .regex(PROMPT_NAME_PATTERN, 'use lowercase letters, digits, "-" and "_", starting with a letter or digit');

export interface PromptRef {
  name: string;
  /** A version number, or 'latest': the newest version when the run starts. */
  version: number | 'latest';
}

const REF = /^([a-z0-9][a-z0-9_-]*)@(latest|[1-9][0-9]{0,8})$/;

/** Reads `name@3` / `name@latest`; a reference must say which version it means. */
export function parsePromptRef(text: string): PromptRef | { error: string } {
  const match = REF.exec(text.trim());
  if (!match || match[1]!.length > PROMPT_NAME_MAX) {
    return { error: `"${text}" is not a prompt reference: write name@version, e.g. "triage-classifier@3" or "triage-classifier@latest"` };
  }
  return { name: match[1]!, version: match[2] === 'latest' ? 'latest' : Number(match[2]) };
}

export function formatPromptRef(ref: PromptRef): string {
  return `${ref.name}@${ref.version}`;
}

/** A reference as it appears in a node's config. */
export const PromptRefText = z.string().refine((text) => !('error' in parsePromptRef(text)), {
  message: 'must be a prompt reference such as "triage-classifier@3" or "triage-classifier@latest"',
});

/** Which version of which library prompt a run used, and where. */
export const PromptPin = z.object({
  /** The reference as written in the node, e.g. `triage-classifier@latest`. */
  ref: z.string(),
  name: z.string(),
  version: z.number().int().min(1),
  nodeId: z.string(),
  /** The config field that holds the reference, e.g. `prompt.ref`. */
  field: z.string(),
});
export type PromptPin = z.infer<typeof PromptPin>;

/** The tags the library suggests; any other tag is allowed too. */
export const SUGGESTED_PROMPT_TAGS = [
  'role',
  'tool-use',
  'handoff',
  'safety',
  'retry',
  'escalation',
  'classification',
  'summary',
  'drafting',
  'review',
  'approval',
] as const;
