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
    | 'branches';
  options?: readonly string[];
  /** Show the field only when another config field has one of these values. */
  showWhen?: { path: string; equals: readonly unknown[] };
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
