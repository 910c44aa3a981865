/**
 * Template fields whose text may come from the prompt library: `{ ref: "triage-classifier@3" }`
 * (or `…@latest`) instead of inline text. Browser-safe: schemas, the reference lister and a
 * helper executors use to get the text.
 */
import { z } from 'zod';
import { PromptRefText, parsePromptRef } from '@trellis/schema';
import type { ExecContext } from '../runtime.js';
import type { KindSpec } from '../spec.js';

/** A library prompt in place of inline text. */
export const LibraryPrompt = z.object({
  ref: PromptRefText,
  /** Never with a ref: which text runs must not be a guess. */
  template: z.never().optional(),
});
export type LibraryPrompt = z.infer<typeof LibraryPrompt>;

const eitherMessage = (what: string) => (issue: { code?: string; input?: unknown }) => {
  if (issue.code !== 'invalid_union') return undefined;
  const input = issue.input;
  if (input && typeof input === 'object' && 'ref' in input && 'template' in input) {
    return `has both a template and a library prompt reference (ref): keep one`;
  }
  return `must be ${what} or a library prompt, { "ref": "triage-classifier@3" } (or "…@latest")`;
};

/** `{ template }` or `{ ref }`: the prompt node's prompt. */
export function templateOrRef(template: z.ZodString) {
  const inline = z.object({ template, ref: z.never().optional() });
  return z.union([inline, LibraryPrompt], { error: eitherMessage('{ "template": "…" }') });
}

/** Inline text or `{ ref }`: the prompt node's system text, the agent's instructions. */
export function textOrRef(text: z.ZodString) {
  return z.union([text, LibraryPrompt], { error: eitherMessage('text') });
}

/** A field as parsed: inline text, `{ template }`, or `{ ref }`. */
export type PromptSource = string | { template: string; ref?: undefined } | { ref: string; template?: undefined };

/** The text a field runs with: inline, or the library prompt's template at the version the run pinned. */
export async function promptText(ctx: Pick<ExecContext<unknown>, 'promptTemplate'>, value: PromptSource): Promise<string> {
  if (typeof value === 'string') return value;
  return value.ref === undefined ? value.template : ctx.promptTemplate(value.ref);
}

/** One library prompt a node uses: where, and which version it asks for. */
export interface PromptReference {
  nodeId: string;
  nodeName?: string;
  /** The config field that holds the reference, e.g. `prompt.ref` (what PromptPin.field and PromptUse.field say). */
  field: string;
  /** The reference as written, e.g. `triage-classifier@latest`. */
  ref: string;
  name: string;
  version: number | 'latest';
  /** The longest template the field takes: a library prompt is bounded like inline text. */
  maxLength: number;
}

interface NodeLike {
  id: string;
  type: string;
  name?: string;
  config?: unknown;
}

/**
 * Every library prompt reference of a flow, in node order. It reads the kinds' `promptRef`
 * field hints, so a new kind with a library-capable field needs nothing here. Tolerant of
 * stored documents that would not load: unknown kinds and malformed references are skipped.
 */
export function findPromptReferences(
  flow: { nodes: readonly NodeLike[] },
  registry: { get(type: string): KindSpec<unknown> | undefined },
): PromptReference[] {
  const found: PromptReference[] = [];
  for (const node of flow.nodes) {
    const spec = registry.get(node.type);
    if (!spec) continue;
    for (const hint of spec.fields) {
      if (!hint.promptRef) continue;
      const value = valueAt(node.config, hint.promptRef.path);
      if (!value || typeof value !== 'object' || typeof (value as { ref?: unknown }).ref !== 'string') continue;
      const ref = (value as { ref: string }).ref;
      const parsed = parsePromptRef(ref);
      if ('error' in parsed) continue;
      found.push({
        nodeId: node.id,
        ...(node.name ? { nodeName: node.name } : {}),
        field: `${hint.promptRef.path}.ref`,
        ref,
        name: parsed.name,
        version: parsed.version,
        maxLength: hint.promptRef.maxLength,
      });
    }
  }
  return found;
}

function valueAt(config: unknown, path: string): unknown {
  let value = config;
  for (const key of path.split('.')) {
    if (!value || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
