import type { z } from 'zod';
import type { FlowNode } from './flow.js';
import type { KindProblem } from './problems.js';
import type { FlowReference } from './subflows.js';

/**
 * `data` ports carry values and define the order of steps. Other port types attach one node
 * to another as a resource (a tool node wired to an agent's `tools`): the attached node is
 * not a step of its own; its consumer uses it.
 */
export type PortType = 'data' | 'tool';

export interface PortSpec {
  id: string;
  label: string;
  type: PortType;
  description?: string;
  /**
   * On a resource input: the only node kinds that may be attached here, and the sentence that
   * says so when another is (`only agents can be handoff targets`).
   */
  accepts?: { kinds: readonly string[]; reason: string };
  /**
   * On a data output that is an outcome (an approval's Rejected, a guardrail's Fail): the warning
   * a flow gets when nothing is wired here, since a run that takes it would end quietly.
   */
  unwired?: string;
}

/** Why a node of kind `kind` cannot be attached at `port`, or undefined when it can. */
export function refusedAttachment(port: PortSpec, kind: string): string | undefined {
  return port.accepts && !port.accepts.kinds.includes(kind) ? port.accepts.reason : undefined;
}

export interface KindPorts {
  inputs: PortSpec[];
  outputs: PortSpec[];
}

/** What a flow's scope looks like around one node, for checks that warn about unknown names. */
export interface CheckContext {
  nodeId: string;
  /** Nodes that always run before this one (its data-edge ancestors); worked out on first use. */
  upstream: { has(nodeId: string): boolean };
  /** Names of the flow's `vars`. */
  vars: ReadonlySet<string>;
  /** Extra names the node's templates may use (a tool used by an agent sees `args`). */
  extraRoots: ReadonlySet<string>;
  /** The nodes this one is attached to (an agent's worker or handoff target); none for a step. */
  attachedTo?: readonly string[];
  /**
   * The fields the input schema declares, when it names them all (`properties` and no
   * `additionalProperties: true`): `input.<field>` is checked against them. Absent when any
   * name may be there.
   */
  inputFields?: ReadonlySet<string>;
}

/** The fields of an input schema that names all its fields (see `CheckContext.inputFields`). */
export function declaredFields(schema: Record<string, unknown>): ReadonlySet<string> | undefined {
  const { properties } = schema;
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) return undefined;
  if (schema.additionalProperties === true || ['patternProperties', 'anyOf', 'oneOf', 'allOf', '$ref'].some((k) => k in schema)) return undefined;
  return new Set(Object.keys(properties));
}

/**
 * The part of a node kind that reading and checking a flow needs. Plain data and pure
 * functions: safe in the browser. `@trellis/nodes` defines one per kind.
 */
export interface KindSpecBase<C = unknown> {
  type: string;
  /** The current version of this kind's config; saved nodes carry it as `typeVersion`. */
  version: number;
  configSchema: z.ZodType<C>;
  ports(config: C): KindPorts;
  /** Brings a config written for an older `typeVersion` up to `version`. */
  migrate?(config: unknown, fromVersion: number): unknown;
  /** Checks the schema cannot express: expression syntax, template variables, duplicate branch ids. */
  check?(config: C, ctx: CheckContext): KindProblem[];
  /**
   * The run's entry point: a flow has exactly one node of an entry kind, and its config holds
   * the JSON Schema of the run input as `schema` (see `inputSchemaOf`).
   */
  entry?: boolean;
  /** Its output is the run's result (when several such nodes run, the result holds each by id). */
  runOutput?: boolean;
  /**
   * A container: nodes whose `parent` is this node form its body, which the executor runs (once
   * per item, per iteration) through the engine. `scope` names what the body's templates and
   * expressions see besides the outer scope (`item`, `index`).
   */
  container?: { scope: readonly string[] };
  /**
   * The saved flow a node of this kind runs (a sub-flow node, or a map that runs one per item),
   * if its config names one: the engine pins its version when a run starts, and the runner
   * refuses flows that would use themselves.
   */
  flowReference?(config: C): FlowReference | undefined;
}

export interface KindRegistry {
  get(type: string): KindSpecBase | undefined;
  types(): string[];
}

/**
 * The kind version a node was written for. A node without `typeVersion` was written for version
 * 1: files and stored documents written before a kind's v2 carry none, and must be migrated.
 */
export const nodeTypeVersion = (node: Pick<FlowNode, 'typeVersion'>): number => node.typeVersion ?? 1;

/** A node's config brought up to its kind's current version (unparsed: defaults are not filled in). */
export function migratedConfig(spec: KindSpecBase, node: Pick<FlowNode, 'typeVersion' | 'config'>): unknown {
  const from = nodeTypeVersion(node);
  return from < spec.version && spec.migrate ? spec.migrate(node.config, from) : node.config;
}

/**
 * The ports of a node as its kind declares them for its current config, for a document being
 * edited. The config is migrated and parsed first (defaults filled in) like the loader does; a
 * config mid-edit that does not parse still gets a try, and `undefined` means the handles cannot
 * be known (unknown kind, broken config).
 */
export function nodePorts(registry: KindRegistry, node: Pick<FlowNode, 'type' | 'typeVersion' | 'config'>): KindPorts | undefined {
  const spec = registry.get(node.type);
  if (!spec) return undefined;
  // Most kinds' ports do not read the config (`ports: () => …`): a 1,000-node canvas asks for
  // every node's ports as it opens, and parsing each config only to ignore it took 35 ms.
  const readsConfig = spec.ports.length > 0;
  const raw = readsConfig ? migratedConfig(spec, node) : undefined;
  const parsed = readsConfig ? spec.configSchema.safeParse(raw) : undefined;
  try {
    return spec.ports(parsed?.success ? parsed.data : raw);
  } catch {
    return undefined;
  }
}

/** The flow's entry node (the first node of an entry kind; the loader refuses a second one). */
export function entryNodeOf<N extends Pick<FlowNode, 'type'>>(nodes: readonly N[], registry: KindRegistry): N | undefined {
  return nodes.find((n) => registry.get(n.type)?.entry === true);
}

/**
 * The JSON Schema of the run input as the runner reads it: the entry node's `schema`, or any
 * object when there is none (the input kind's own default).
 */
export function inputSchemaOf(flow: { nodes: readonly Pick<FlowNode, 'type' | 'config'>[] }, registry: KindRegistry): Record<string, unknown> {
  const schema: unknown = entryNodeOf(flow.nodes, registry)?.config.schema;
  return typeof schema === 'object' && schema !== null && !Array.isArray(schema) ? (schema as Record<string, unknown>) : { type: 'object' };
}
