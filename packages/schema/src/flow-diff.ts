/**
 * What changed between two versions of a flow, node by node and edge by edge, for a person
 * reading a flow's history. Pure and bounded: it walks each document once, stops descending at
 * a fixed depth and lists at most a fixed number of changes per node (saying so when it did).
 *
 * Nodes are matched by id. Edges are matched by what they connect (`source.handle →
 * target.handle`), never by id: edge ids are arbitrary, so the same wire drawn again is no change.
 * Moves on the canvas are listed apart from real changes, as they do not change what a flow does.
 */
import { DEFAULT_SOURCE_HANDLE, DEFAULT_TARGET_HANDLE, type Flow, type FlowEdge, type FlowNode } from './flow.js';

/** One value that differs, by dotted path (`prompt.template`, `branches.0.when`). */
export interface FieldChange {
  path: string;
  /**
   * What the list items on the path are called, by the path up to the item (`branches.1` →
   * `Billing`): an item's `label`, else its `name`, else its `id`, from the newer version. Set
   * only when some item on the path has one, so `branches[1]` can read as branch “Billing”.
   */
  items?: Record<string, string>;
  /** Absent: the field was added. */
  before?: unknown;
  /** Absent: the field was removed. */
  after?: unknown;
}

export interface NodeChange {
  id: string;
  /** The node's name as a person sees it: its name in the newer version (or the older, for a removed node), else its id. */
  label: string;
  change: 'added' | 'removed' | 'changed';
  /** The node's kind (the newer one when it changed). */
  type: string;
  /** Set when the kind itself changed. */
  typeChanged?: { before: string; after: string };
  /** Set when the name changed; a side is absent when the node had no name there. */
  nameChanged?: { before?: string; after?: string };
  /** Config fields that differ, by path inside `config` (the paths of the kind's field hints). For a changed node only. */
  config: FieldChange[];
  /** Run policy fields (timeout, retries, backoff) that differ. For a changed node only. */
  policy: FieldChange[];
  typeVersionChanged?: { before?: number; after?: number };
  /** True when there were more config changes than the diff lists. */
  truncated?: boolean;
}

/** A node that only moved on the canvas (or moved as well as changed). */
export interface NodeMove {
  id: string;
  label: string;
  before: { x: number; y: number };
  after: { x: number; y: number };
}

export interface EdgeChange {
  change: 'added' | 'removed';
  source: string;
  sourceHandle: string;
  target: string;
  targetHandle: string;
  /** `Classify ticket.out → Route.in`, by node labels, for display. */
  label: string;
}

export interface FlowDiff {
  /** Added, removed and changed nodes: the newer version's order, then removed nodes in the older one's. */
  nodes: NodeChange[];
  edges: EdgeChange[];
  /** Nodes whose position changed: minor, listed apart. */
  moved: NodeMove[];
  /** The flow's own fields: `name`, `description`, `vars.*`, `settings.*`, `samples.<sample name>.*`. */
  flow: FieldChange[];
  /** True when there were more flow-level changes than the diff lists. */
  truncated?: boolean;
}

/** Deeper values than this are compared whole and reported at the path where the walk stopped. */
export const FLOW_DIFF_MAX_DEPTH = 10;
/** Changes listed per node (and for the flow's own fields) before the list is cut short. */
export const FLOW_DIFF_MAX_CHANGES = 100;

/** True when the two versions do the same thing and look the same (nothing at all to list). */
export function isEmptyDiff(diff: FlowDiff): boolean {
  return diff.nodes.length === 0 && diff.edges.length === 0 && diff.moved.length === 0 && diff.flow.length === 0;
}

export function diffFlows(before: Flow, after: Flow): FlowDiff {
  const oldNodes = new Map(before.nodes.map((n) => [n.id, n]));
  const newNodes = new Map(after.nodes.map((n) => [n.id, n]));
  const labelOf = (id: string) => nodeLabel(newNodes.get(id) ?? oldNodes.get(id), id);

  const nodes: NodeChange[] = [];
  const moved: NodeMove[] = [];
  for (const node of after.nodes) {
    const old = oldNodes.get(node.id);
    if (!old) {
      nodes.push({ id: node.id, label: nodeLabel(node, node.id), change: 'added', type: node.type, config: [], policy: [] });
      continue;
    }
    const change = diffNode(old, node);
    if (change) nodes.push(change);
    const [from, to] = [positionOf(old), positionOf(node)];
    if (from.x !== to.x || from.y !== to.y) moved.push({ id: node.id, label: nodeLabel(node, node.id), before: { ...from }, after: { ...to } });
  }
  for (const node of before.nodes) {
    if (!newNodes.has(node.id)) nodes.push({ id: node.id, label: nodeLabel(node, node.id), change: 'removed', type: node.type, config: [], policy: [] });
  }

  const flowChanges: FieldChange[] = [];
  const limit = { left: FLOW_DIFF_MAX_CHANGES, cut: false };
  for (const key of ['name', 'description'] as const) compare(before[key], after[key], key, 0, flowChanges, limit);
  compare(before.tags, after.tags, 'tags', 0, flowChanges, limit);
  compare(before.vars, after.vars, 'vars', 0, flowChanges, limit);
  compare(before.settings, after.settings, 'settings', 0, flowChanges, limit);
  compare(samplesByName(before), samplesByName(after), 'samples', 0, flowChanges, limit);

  const diff: FlowDiff = { nodes, edges: diffEdges(before.edges, after.edges, labelOf), moved, flow: flowChanges };
  if (limit.cut) diff.truncated = true;
  return diff;
}

function nodeLabel(node: FlowNode | undefined, id: string): string {
  return node?.name?.trim() ? node.name : id;
}

function diffNode(old: FlowNode, node: FlowNode): NodeChange | undefined {
  const config: FieldChange[] = [];
  const limit = { left: FLOW_DIFF_MAX_CHANGES, cut: false };
  compareChildren(old.config ?? {}, node.config ?? {}, '', 0, config, limit);
  const policy: FieldChange[] = [];
  compareChildren(old.policy ?? {}, node.policy ?? {}, '', 0, policy, { left: FLOW_DIFF_MAX_CHANGES, cut: false });

  const change: NodeChange = { id: node.id, label: nodeLabel(node, node.id), change: 'changed', type: node.type, config, policy };
  if (old.type !== node.type) change.typeChanged = { before: old.type, after: node.type };
  if ((old.name ?? '') !== (node.name ?? '')) change.nameChanged = withDefined({ before: old.name, after: node.name });
  if (old.typeVersion !== node.typeVersion) change.typeVersionChanged = withDefined({ before: old.typeVersion, after: node.typeVersion });
  if (limit.cut) change.truncated = true;
  const changed = config.length > 0 || policy.length > 0 || change.typeChanged || change.nameChanged || change.typeVersionChanged;
  return changed ? change : undefined;
}

/*
 * Documents as stored may leave out what the format defaults (they are not always parsed before
 * a diff): an edge's handles are then `out` and `in`, a node's position the origin, its config empty.
 */
const sourceHandleOf = (e: FlowEdge) => e.sourceHandle ?? DEFAULT_SOURCE_HANDLE;
const targetHandleOf = (e: FlowEdge) => e.targetHandle ?? DEFAULT_TARGET_HANDLE;
const positionOf = (n: FlowNode) => n.position ?? { x: 0, y: 0 };

/** Edges as a multiset of what they connect: a wire removed and drawn again is no change. */
function diffEdges(before: readonly FlowEdge[], after: readonly FlowEdge[], labelOf: (id: string) => string): EdgeChange[] {
  const key = (e: FlowEdge) => JSON.stringify([e.source, sourceHandleOf(e), e.target, targetHandleOf(e)]);
  const remaining = new Map<string, number>();
  for (const e of before) remaining.set(key(e), (remaining.get(key(e)) ?? 0) + 1);
  const describe = (e: FlowEdge, change: EdgeChange['change']): EdgeChange => ({
    change,
    source: e.source,
    sourceHandle: sourceHandleOf(e),
    target: e.target,
    targetHandle: targetHandleOf(e),
    label: `${labelOf(e.source)}.${sourceHandleOf(e)} → ${labelOf(e.target)}.${targetHandleOf(e)}`,
  });
  const added: EdgeChange[] = [];
  for (const e of after) {
    const left = remaining.get(key(e)) ?? 0;
    if (left > 0) remaining.set(key(e), left - 1);
    else added.push(describe(e, 'added'));
  }
  const removed: EdgeChange[] = [];
  for (const e of before) {
    const left = remaining.get(key(e)) ?? 0;
    if (left > 0) {
      remaining.set(key(e), left - 1);
      removed.push(describe(e, 'removed'));
    }
  }
  return [...added, ...removed];
}

/** Samples keyed by their name (unique within a flow), so reordering them is no change. */
function samplesByName(flow: Flow): Record<string, unknown> | undefined {
  if (!flow.samples) return undefined;
  const byName: Record<string, unknown> = {};
  for (const sample of flow.samples) {
    const { name, ...rest } = sample;
    byName[name] = rest;
  }
  return byName;
}

interface Limit {
  left: number;
  cut: boolean;
  /** Names of the list items walked so far, by their path (see `FieldChange.items`). */
  items?: Map<string, string>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

function push(changes: FieldChange[], limit: Limit, change: FieldChange) {
  if (limit.left <= 0) {
    limit.cut = true;
    return;
  }
  limit.left--;
  const items = limit.items && itemsOn(change.path, limit.items);
  changes.push(items ? { ...change, items } : change);
}

/** The names of the items on `path`, or undefined when none has one. */
function itemsOn(path: string, names: Map<string, string>): Record<string, string> | undefined {
  let found: Record<string, string> | undefined;
  const parts = path.split('.');
  for (let i = 1; i < parts.length; i++) {
    const prefix = parts.slice(0, i + 1).join('.');
    const name = names.get(prefix);
    if (name !== undefined) (found ??= {})[prefix] = name;
  }
  return found;
}

/** What a list item calls itself: its label, name or id (a non-empty string), else undefined. */
function itemName(item: unknown): string | undefined {
  if (!isRecord(item)) return undefined;
  for (const key of ['label', 'name', 'id']) {
    const value = item[key];
    if (typeof value === 'string' && value.trim()) return value.trim();
  }
  return undefined;
}

function compare(a: unknown, b: unknown, path: string, depth: number, changes: FieldChange[], limit: Limit): void {
  if (a === b) return;
  if (a === undefined) return push(changes, limit, { path, after: b });
  if (b === undefined) return push(changes, limit, { path, before: a });
  const bothRecords = isRecord(a) && isRecord(b);
  // Lists are walked item by item only when their length is the same: with an item added or
  // removed, "the list went from 2 to 3 items" reads better than every later item "changed".
  const sameLengthLists = Array.isArray(a) && Array.isArray(b) && a.length === b.length;
  if ((bothRecords || sameLengthLists) && depth < FLOW_DIFF_MAX_DEPTH) return compareChildren(a, b, path, depth + 1, changes, limit);
  if (!sameJson(a, b)) push(changes, limit, { path, before: a, after: b });
}

function compareChildren(a: object, b: object, path: string, depth: number, changes: FieldChange[], limit: Limit): void {
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = [...Object.keys(left), ...Object.keys(right).filter((k) => !Object.hasOwn(left, k))];
  if (Array.isArray(a) && Array.isArray(b)) {
    // Items are compared by position; each is named as the newer version names it.
    for (const key of keys) {
      const name = itemName(right[key]) ?? itemName(left[key]);
      if (name !== undefined) (limit.items ??= new Map()).set(join(path, key), name);
    }
  }
  for (const key of keys) {
    if (limit.cut) return;
    compare(left[key], right[key], join(path, key), depth, changes, limit);
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Object.is(a, b);
  return stableJson(a) === stableJson(b);
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (isRecord(v) ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]])) : v)) ?? 'undefined';
}

function withDefined<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
