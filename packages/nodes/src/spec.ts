import type { KindProblem, KindRegistry, KindSpecBase, NodePolicy } from '@trellis/schema';

/** How the editor draws one field of a kind's config form. */
export interface FieldHint {
  /** Dotted path into the config, e.g. `prompt.template`. */
  path: string;
  label: string;
  help?: string;
  widget:
    | 'text'
    | 'textarea'
    | 'template'
    | 'expression'
    | 'model'
    | 'json-schema'
    | 'json'
    | 'template-json'
    | 'number'
    | 'boolean'
    | 'select'
    | 'branches'
    | 'guardrail-rules'
    | 'flow-ref'
    /** An MCP tool node's server tools, at its `mcp` path: loaded from the server, chosen (`tools`) and marked for approval (`approval`). */
    | 'mcp-tools';
  options?: readonly string[];
  /** On a `flow-ref` field: the config path of the version it runs (`latest` when absent). */
  versionPath?: string;
  /** Show the field only when another config field has one of these values. */
  showWhen?: { path: string; equals: readonly unknown[] };
  /**
   * Set on a template field whose text may come from the prompt library instead. `path` is the
   * config value that holds either the inline text or `{ ref: "name@3" }` / `{ ref: "name@latest" }`:
   * - when `path` is the field's own path (prompt `system`, agent `instructions`), the inline
   *   form is the string itself, so the value is `"You are…"` or `{ ref }`;
   * - when the field is `<path>.template` (prompt `prompt.template`), the inline form is
   *   `{ template: "…" }` and the library form `{ ref }` replaces that whole object at `path`.
   * `maxLength` bounds the library prompt's template as the schema bounds the inline text.
   * The engine and the library's usage scan find references through these hints.
   */
  promptRef?: { path: string; maxLength: number };
}

/** A node kind as the editor and the loader see it: plain data and pure functions, safe in the browser. */
export interface KindSpec<C = unknown> extends KindSpecBase<C> {
  label: string;
  description: string;
  category: 'input/output' | 'ai' | 'logic' | 'tools' | 'human';
  fields: readonly FieldHint[];
  /** The config of a freshly added node. */
  defaults(): C;
  /** Timeout and retries when the node sets none. */
  defaultPolicy: Required<NodePolicy>;
}

export function defineKind<C>(spec: KindSpec<C>): KindSpec<C> {
  return spec;
}

export type { KindProblem };

/**
 * A registry of kinds. `register` returns a registry whose type knows the new kind and
 * refuses a type that is already registered, so a mistake shows up at start, not at run.
 */
export class Kinds<Types extends string = never> implements KindRegistry {
  private readonly byType = new Map<string, KindSpec<never>>();

  register<T extends string, C>(spec: KindSpec<C> & { type: T }): Kinds<Types | T> {
    if (this.byType.has(spec.type)) throw new Error(`node kind "${spec.type}" is registered twice`);
    this.byType.set(spec.type, spec as unknown as KindSpec<never>);
    return this as unknown as Kinds<Types | T>;
  }

  get(type: string): KindSpec<unknown> | undefined {
    return this.byType.get(type) as KindSpec<unknown> | undefined;
  }

  types(): Types[] {
    return [...this.byType.keys()] as Types[];
  }

  all(): KindSpec<unknown>[] {
    return [...this.byType.values()] as KindSpec<unknown>[];
  }
}
