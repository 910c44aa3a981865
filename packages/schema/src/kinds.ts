import type { z } from 'zod';
import type { KindProblem } from './problems.js';

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
  /** The run's entry point: a flow has exactly one node of an entry kind. */
  entry?: boolean;
  /** Its output is the run's result (when several such nodes run, the result holds each by id). */
  runOutput?: boolean;
}

export interface KindRegistry {
  get(type: string): KindSpecBase | undefined;
  types(): string[];
}
