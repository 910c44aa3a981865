/**
 * Library prompts for runs: every reference of a flow is resolved once when a run starts
 * (`@latest` becomes the newest version at that moment) and pinned in the run record, so the
 * run uses the same texts on every attempt and after any resume.
 */
import { formatPromptRef, type Flow, type PromptPin } from '@trellis/schema';
import { TrellisError, errorMessage, findPromptReferences, type KindSpec, type PromptReference } from '@trellis/nodes';

export interface ResolvedPrompt {
  name: string;
  version: number;
  template: string;
}

/** Where the engine gets library prompts (the runner's store; a map in tests). */
export interface PromptResolver {
  /** The prompt at that version, or its newest for 'latest'; undefined when there is none. */
  resolve(name: string, version: number | 'latest'): Promise<ResolvedPrompt | undefined>;
}

/** A reference that cannot be used, in words naming the node, the field and the reference. */
export interface UnresolvedReference {
  nodeId: string;
  field: string;
  ref: string;
  message: string;
}

/** A run refused because some of its flow's library prompts cannot be had. */
export class UnresolvedPromptError extends TrellisError {
  constructor(readonly problems: UnresolvedReference[]) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super('unresolved_prompt', `${problems[0]!.message}${more}`);
  }
}

/** The pins of a run and the templates they stand for, by `name@version`. */
export interface PinnedPrompts {
  pins: PromptPin[];
  templates: Map<string, string>;
}

export const pinKey = (name: string, version: number) => `${name}@${version}`;

/**
 * Resolves every library prompt reference of a flow, each distinct reference once, and checks
 * each template against the bound of the field that uses it. Throws UnresolvedPromptError naming
 * every reference that cannot be used.
 */
export async function pinPrompts(
  flow: Flow,
  registry: { get(type: string): KindSpec<unknown> | undefined },
  resolver: PromptResolver | undefined,
): Promise<PinnedPrompts> {
  const references = findPromptReferences(flow, registry);
  const pinned: PinnedPrompts = { pins: [], templates: new Map() };
  if (references.length === 0) return pinned;
  const lookups = new Map<string, Promise<ResolvedPrompt | undefined>>();
  const lookup = (name: string, version: number | 'latest') => {
    const key = formatPromptRef({ name, version });
    if (!lookups.has(key)) lookups.set(key, resolveSafely(resolver, name, version));
    return lookups.get(key)!;
  };
  const problems: UnresolvedReference[] = [];
  for (const reference of references) {
    const resolved = resolver ? await lookup(reference.name, reference.version) : undefined;
    const problem = resolved ? tooLong(reference, resolved) : await whyMissing(reference, resolver, lookup);
    if (problem) {
      problems.push({ nodeId: reference.nodeId, field: reference.field, ref: reference.ref, message: `${where(reference)}: ${problem}` });
      continue;
    }
    pinned.pins.push({ ref: reference.ref, name: resolved!.name, version: resolved!.version, nodeId: reference.nodeId, field: reference.field });
    pinned.templates.set(pinKey(resolved!.name, resolved!.version), resolved!.template);
  }
  if (problems.length) throw new UnresolvedPromptError(problems);
  return pinned;
}

/** The template of one pinned version, for a run resumed in a process that has not resolved it yet. */
export async function pinnedTemplate(pin: PromptPin, resolver: PromptResolver | undefined): Promise<string> {
  const at = `node "${pin.nodeId}": ${pin.field} "${pin.ref}"`;
  if (!resolver) throw new TrellisError('unresolved_prompt', `${at}: this runner has no prompt library to read version ${pin.version} of "${pin.name}" from`);
  let resolved: ResolvedPrompt | undefined;
  try {
    resolved = await resolver.resolve(pin.name, pin.version);
  } catch (error) {
    throw new TrellisError('prompt_unavailable', `${at}: could not read the prompt library: ${errorMessage(error)}`, { retryable: true });
  }
  if (!resolved || resolved.version !== pin.version) {
    throw new TrellisError('unresolved_prompt', `${at}: version ${pin.version} of "${pin.name}", which this run started with, is no longer in the library`);
  }
  return resolved.template;
}

function where(reference: PromptReference): string {
  return `node "${reference.nodeId}": ${reference.field} "${reference.ref}"`;
}

async function resolveSafely(resolver: PromptResolver | undefined, name: string, version: number | 'latest'): Promise<ResolvedPrompt | undefined> {
  if (!resolver) return undefined;
  try {
    return await resolver.resolve(name, version);
  } catch (error) {
    throw new TrellisError('prompt_unavailable', `could not read the prompt library: ${errorMessage(error)}`, { retryable: true });
  }
}

async function whyMissing(
  reference: PromptReference,
  resolver: PromptResolver | undefined,
  lookup: (name: string, version: number | 'latest') => Promise<ResolvedPrompt | undefined>,
): Promise<string> {
  if (!resolver) return 'this runner has no prompt library to resolve it from';
  const latest = reference.version === 'latest' ? undefined : await lookup(reference.name, 'latest');
  if (!latest) return `there is no prompt "${reference.name}" in the library`;
  return `the prompt "${reference.name}" has no version ${reference.version} (latest is ${latest.version})`;
}

function tooLong(reference: PromptReference, resolved: ResolvedPrompt): string | undefined {
  if (resolved.template.length === 0) return `version ${resolved.version} of "${resolved.name}" has an empty template`;
  if (resolved.template.length <= reference.maxLength) return undefined;
  return `version ${resolved.version} of "${resolved.name}" is ${resolved.template.length} characters long; ${reference.field.replace(/\.ref$/, '')} takes at most ${reference.maxLength}`;
}
