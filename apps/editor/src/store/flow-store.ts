/**
 * The flow being edited: the document, what is selected, the clipboard, the flow's problems
 * and whether it has unsaved changes. A zustand vanilla store, so it runs in Node tests and
 * React reads it with `useStore(store, selector)`.
 *
 * Undo/redo (zundo's `temporal`) tracks the DOCUMENT only: selecting, the clipboard and saving
 * are not steps a person wants to undo. React components that show whether undo is possible
 * subscribe to `store.temporal` (`useStore(store.temporal, (t) => t.pastStates.length > 0)`);
 * `canUndo()` is a plain read for handlers. Always undo through the store's `undo()`/`redo()`,
 * which also bring the problems, the dirty flag and the selection in step with the document.
 */
import { kinds, validateFlow } from '@trellis/nodes';
import { FLOW_SCHEMA_V1, normalizeTags, withEdgeHandles, type Flow, type FlowEdge, type FlowNode, type NodePolicy, type Problem, type PublishGate, type Sample } from '@trellis/schema';
import { temporal, type TemporalState } from 'zundo';
import { DEFAULT_CONTAINER_SIZE, isContainer, withDescendants, type Size } from '../canvas/bodies.js';
import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  checkConnection,
  extractFragment,
  instantiateFragment,
  moveToLevel,
  normalizeConnection,
  uniqueEdgeId,
  uniqueId,
  withoutNodes,
  type Connection,
  type ConnectionCheck,
  type Fragment,
  type Position,
} from './graph-edit.js';

export type { Connection, ConnectionCheck, Fragment, LevelMove, Position } from './graph-edit.js';

export interface Selection {
  nodes: string[];
  edges: string[];
}

export interface Clipboard extends Fragment {
  /** How many times it was pasted: each paste lands one offset further, so copies do not stack. */
  pastes: number;
}

/** Changes to one node. `config` REPLACES the node's config (see `updateNode`). */
export interface NodePatch {
  /** The label shown on the canvas; an empty string removes it (the kind's label shows). */
  name?: string;
  config?: Record<string, unknown>;
  /** Timeout and retries; `null` removes the node's own policy (the kind's default applies). */
  policy?: NodePolicy | null;
}

/** The flow-level fields the flow settings dialog edits. */
export interface FlowSettingsPatch {
  description?: string;
  tags?: readonly string[];
  /** The whole vars object (replacing it, so a var can be removed or renamed). */
  vars?: Record<string, unknown>;
  /** What publishing requires (settings.gate): the whole gate, replacing it; an empty one removes it. */
  gate?: PublishGate;
}

export interface FlowData {
  document: Flow;
  /** The version the runner gave the last save or load; `undefined` for a flow never saved. */
  savedVersion: number | undefined;
  /** The document as last saved (JSON), to tell whether there is anything to save. */
  savedSnapshot: string;
  /** True when the document differs from `savedSnapshot`; kept in step with every change. */
  dirty: boolean;
  selection: Selection;
  /** Every problem of the document, from `validateFlow`, recomputed after each change. */
  problems: Problem[];
  clipboard: Clipboard | undefined;
}

export interface FlowActions {
  /** Starts editing a document: history is cleared and the document counts as saved. */
  load(document: Flow, version?: number): void;
  markSaved(version: number): void;
  isDirty(): boolean;

  /**
   * Adds a node of this kind with its default config, selects it, and returns its id. With
   * `parent` it goes into that container's body and `position` is relative to the container.
   * Throws, saying why, for an unknown kind or a parent that cannot hold it.
   */
  addNode(type: string, position: Position, options?: { parent?: string }): string;
  /**
   * Moves nodes. While dragging, call with `final: false` for each frame and once with
   * `final: true` on drop: the whole drag is one undo step. A lone `final: true` move (arrow
   * keys, align) is one step of its own.
   */
  moveNodes(positions: Record<string, Position>, options?: { final: boolean }): void;
  /**
   * Moves nodes into a container's body, or out of every body (`parent` undefined), where they
   * stand on the canvas; wires that would cross a container's edge are removed (and returned).
   * `endsDrag`: this is the drop of a drag, recorded with it as one undo step.
   */
  moveToLevel(ids: readonly string[], parent: string | undefined, options?: { endsDrag?: boolean }): { ok: true; removedEdges: FlowEdge[] } | { ok: false; reason: string };
  /** Sets a container's drawn size; like `moveNodes`, frames of a resize are one undo step with its end. */
  resizeNode(id: string, size: Size, options?: { final: boolean }): void;
  /** Folds a container into one node (its body hidden), or opens it again. */
  setCollapsed(id: string, collapsed: boolean): void;
  /** Removes nodes, the bodies of removed containers with them, and every edge they touched. */
  removeNodes(ids: readonly string[]): void;
  /** Removes the selected nodes (with the bodies of containers) and edges (and the edges of removed nodes) as one undo step. */
  removeSelected(): void;
  removeEdges(ids: readonly string[]): void;
  connect(connection: Connection): { ok: true; edgeId: string } | { ok: false; reason: string };
  /** The checks of `connect` without changing anything: for feedback while a wire is dragged. */
  canConnect(connection: Connection): ConnectionCheck;
  /** Returns false when there is no such node. */
  updateNode(id: string, patch: NodePatch): boolean;
  renameFlow(name: string): void;
  /** An empty string removes the description. */
  setDescription(description: string): void;
  /**
   * Sets the flow's own settings (description, tags, vars) as ONE undo step; fields left out stay
   * as they are, an empty description, tag list or vars object removes the field. Tags are
   * normalised (`normalizeTags`). Returns false when nothing changed (no undo step is made).
   */
  setFlowSettings(settings: FlowSettingsPatch): boolean;
  /** Sets the flow's saved sample inputs (with their mock scripts); an empty list or `undefined` removes them. */
  setSamples(samples: readonly Sample[] | undefined): void;

  /** Selects node and/or edge ids (a plain list is sorted into nodes and edges by the document). */
  select(ids: readonly string[] | Partial<Selection>, options?: { additive?: boolean }): void;
  selectAll(): void;
  clearSelection(): void;

  /** Copies the selected nodes and the edges between them; returns how many nodes were copied. */
  copySelection(): number;
  /** Adds a copy of the clipboard with fresh ids, offset by 40px per paste, and selects it. */
  paste(offset?: Position): string[];
  /** Copies the selection into the flow at once, leaving the clipboard alone; returns the new ids. */
  duplicateSelection(): string[];

  undo(): void;
  redo(): void;
  /**
   * Forgets every undo and redo step, keeping the document. A freshly opened flow has nothing to
   * undo: call this once the canvas has settled (measured its nodes) after opening.
   */
  clearHistory(): void;
  canUndo(): boolean;
  canRedo(): boolean;

  /** Problems by node id; an edge's problems are listed under its target node (or its source when the target is gone). */
  problemsByNode(): Map<string, Problem[]>;
}

export type FlowState = FlowData & FlowActions;
export type FlowStore = ReturnType<typeof createFlowStore>;

/** What undo/redo records: the document and nothing else. */
type Tracked = Pick<FlowData, 'document'>;
type RawHandleSet = (past: Tracked, replace: undefined, current: Tracked, delta?: null) => void;

export const PASTE_OFFSET = 40;
const HISTORY_LIMIT = 200;

export function emptyFlow(): Flow {
  return { schema: FLOW_SCHEMA_V1, id: 'untitled', name: 'Untitled flow', nodes: [], edges: [] };
}

/*
 * The document as JSON (exactly `JSON.stringify(doc)`), taken on every change for the dirty flag.
 * Nodes and edges are never changed in place (every edit makes new ones), so the JSON of each is
 * kept: a drag frame of a 1,000-node flow serializes the one node that moved, not the whole flow.
 */
const itemJson = new WeakMap<object, string>();
const jsonOf = (item: unknown): string => {
  if (typeof item !== 'object' || item === null) return JSON.stringify(item) ?? 'null';
  let json = itemJson.get(item);
  if (json === undefined) itemJson.set(item, (json = JSON.stringify(item) ?? 'null'));
  return json;
};
const snapshot = (doc: Flow): string => {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(doc)) {
    const json = (key === 'nodes' || key === 'edges') && Array.isArray(value) ? `[${value.map(jsonOf).join(',')}]` : JSON.stringify(value);
    if (json !== undefined) parts.push(`${JSON.stringify(key)}:${json}`);
  }
  return `{${parts.join(',')}}`;
};

/**
 * `problems`: the document's problems as the runner found them when it answered the flow (the
 * same checks): a flow opens without checking it again, which for 1,000 nodes takes a few hundred
 * ms before anything is drawn. Every edit checks the document as usual.
 */
export function createFlowStore(given: Flow = emptyFlow(), version?: number, { problems }: { problems?: Problem[] } = {}) {
  const initial = withEdgeHandles(given);
  /*
   * One drag, one undo step. zundo records the state before every `set`; `handleSet` below
   * intercepts that. During a drag (`moveNodes(…, { final: false })`) it keeps only the
   * document from before the first frame (`dragOrigin`) and records nothing; the drop, or
   * any other change that comes first, records that origin as a single step. Undo in the
   * middle of a drag closes the drag first, so the moved positions are not lost silently.
   */
  let gesture: 'frame' | 'drop' | undefined;
  let dragOrigin: Tracked | undefined;
  let record: RawHandleSet = () => {};
  const flushDrag = (current: Tracked) => {
    if (!dragOrigin) return;
    const origin = dragOrigin;
    dragOrigin = undefined;
    if (origin.document !== current.document) record(origin, undefined, current);
  };

  const store = createStore<FlowState>()(
    temporal(
      (set, get, api): FlowState => {
        // Inside the creator the middleware types `temporal` as unknown; it is zundo's store.
        const history = () => (api as unknown as { temporal: StoreApi<TemporalState<Tracked>> }).temporal.getState();
        /** Sets a new document with everything that follows from it (problems, dirty, selection). */
        const commit = (document: Flow, extra: Partial<FlowData> = {}, revalidate = true) => {
          set({ ...derive(document, get().savedSnapshot, revalidate ? undefined : get().problems), ...extra });
        };
        const edit = (change: (doc: Flow) => Flow | undefined, extra?: (doc: Flow) => Partial<FlowData>) => {
          const before = get().document;
          const after = change(before);
          if (!after || after === before) return;
          commit(after, extra?.(after));
        };
        const afterHistory = () => {
          const { document, selection, savedSnapshot } = get();
          set({ ...derive(document, savedSnapshot), selection: pruneSelection(document, selection) });
        };
        const insert = (fragment: Fragment) => {
          edit(
            (doc) => ({ ...doc, nodes: [...doc.nodes, ...fragment.nodes], edges: [...doc.edges, ...fragment.edges] }),
            () => ({ selection: { nodes: fragment.nodes.map((n) => n.id), edges: fragment.edges.map((e) => e.id) } }),
          );
          return fragment.nodes.map((n) => n.id);
        };

        return {
          ...derive(initial, snapshot(initial), problems),
          savedVersion: version,
          savedSnapshot: snapshot(initial),
          selection: { nodes: [], edges: [] },
          clipboard: undefined,

          load(given, savedVersion) {
            const document = withEdgeHandles(given);
            dragOrigin = undefined;
            const saved = snapshot(document);
            set({ ...derive(document, saved), savedSnapshot: saved, savedVersion, selection: { nodes: [], edges: [] } });
            history().clear();
          },
          markSaved(savedVersion) {
            const saved = snapshot(get().document);
            set({ savedVersion, savedSnapshot: saved, dirty: false });
          },
          isDirty: () => get().dirty,

          addNode(type, position, options = {}) {
            const spec = kinds.get(type);
            if (!spec) throw new Error(`unknown node kind "${type}" (known kinds: ${kinds.types().join(', ')})`);
            const doc = get().document;
            const { parent } = options;
            if (parent !== undefined) {
              const container = doc.nodes.find((n) => n.id === parent);
              if (!container || !isContainer(container)) throw new Error(`"${parent}" is not a container: only map and loop hold steps`);
              if (spec.entry) throw new Error(`the ${spec.label} node cannot be inside a body: a run starts at the flow's own level`);
            }
            const id = uniqueId(type, new Set(doc.nodes.map((n) => n.id)));
            const node: FlowNode = {
              id,
              type,
              typeVersion: spec.version,
              position: { x: position.x, y: position.y },
              config: structuredClone(spec.defaults()) as Record<string, unknown>,
              ...(parent !== undefined ? { parent } : {}),
              // A container is drawn as a box its steps go into: it starts with room for some.
              ...(spec.container ? { size: { ...DEFAULT_CONTAINER_SIZE } } : {}),
            };
            commit({ ...doc, nodes: [...doc.nodes, node] }, { selection: { nodes: [id], edges: [] } });
            return id;
          },

          moveNodes(positions, options = { final: true }) {
            const doc = get().document;
            let changed = false;
            const nodes = doc.nodes.map((n) => {
              const p = positions[n.id];
              if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
              changed = true;
              return { ...n, position: { x: p.x, y: p.y } };
            });
            gesture = options.final ? 'drop' : 'frame';
            try {
              // Positions do not change any problem, so a move skips validation.
              if (changed) commit({ ...doc, nodes }, {}, false);
            } finally {
              gesture = undefined;
            }
            // A drop where nothing moved since the last frame still closes the drag.
            if (options.final) flushDrag({ document: get().document });
          },

          moveToLevel(ids, parent, options = {}) {
            const result = moveToLevel(get().document, ids, parent);
            if (!result.ok) {
              if (options.endsDrag) flushDrag({ document: get().document });
              return result;
            }
            gesture = options.endsDrag ? 'drop' : undefined;
            try {
              if (result.doc !== get().document) commit(result.doc, { selection: pruneSelection(result.doc, get().selection) });
            } finally {
              gesture = undefined;
            }
            if (options.endsDrag) flushDrag({ document: get().document });
            return { ok: true, removedEdges: result.removedEdges };
          },
          resizeNode(id, size, options = { final: true }) {
            const doc = get().document;
            const index = doc.nodes.findIndex((n) => n.id === id);
            const node = doc.nodes[index];
            const next = { width: Math.round(size.width), height: Math.round(size.height) };
            if (node && (node.size?.width !== next.width || node.size.height !== next.height)) {
              gesture = options.final ? 'drop' : 'frame';
              try {
                // A size changes no problem: like a move, it skips validation.
                commit({ ...doc, nodes: doc.nodes.with(index, { ...node, size: next }) }, {}, false);
              } finally {
                gesture = undefined;
              }
            }
            if (options.final) flushDrag({ document: get().document });
          },
          setCollapsed(id, collapsed) {
            edit((doc) => {
              const index = doc.nodes.findIndex((n) => n.id === id);
              const node = doc.nodes[index];
              if (!node || !isContainer(node) || Boolean(node.collapsed) === collapsed) return undefined;
              const next = { ...node };
              if (collapsed) next.collapsed = true;
              else delete next.collapsed;
              return { ...doc, nodes: doc.nodes.with(index, next) };
            });
          },

          removeNodes(ids) {
            // A container's body goes with it: body steps cannot live outside their container.
            const gone = withDescendants(get().document, ids);
            edit(
              (doc) => (doc.nodes.some((n) => gone.has(n.id)) ? withoutNodes(doc, gone) : undefined),
              (doc) => ({ selection: pruneSelection(doc, get().selection) }),
            );
          },
          removeSelected() {
            const { nodes, edges } = get().selection;
            edit(
              (doc) => {
                const next = withoutNodes(doc, withDescendants(doc, nodes), new Set(edges));
                return next.nodes.length === doc.nodes.length && next.edges.length === doc.edges.length ? undefined : next;
              },
              () => ({ selection: { nodes: [], edges: [] } }),
            );
          },
          removeEdges(ids) {
            const gone = new Set(ids);
            edit(
              (doc) => (doc.edges.some((e) => gone.has(e.id)) ? { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) } : undefined),
              (doc) => ({ selection: pruneSelection(doc, get().selection) }),
            );
          },

          canConnect: (connection) => checkConnection(get().document, connection),
          connect(connection) {
            const doc = get().document;
            const check = checkConnection(doc, connection);
            if (!check.ok) return check;
            const edge: FlowEdge = { ...normalizeConnection(connection), id: uniqueEdgeId(new Set(doc.edges.map((e) => e.id))) };
            commit({ ...doc, edges: [...doc.edges, edge] });
            return { ok: true, edgeId: edge.id };
          },

          /*
           * `config` replaces the whole config rather than merging: a form edits a copy of the
           * current config and hands it back, and only replacing can remove a key or shorten a
           * list (a shallow merge could do neither, and a deep merge would guess about lists).
           */
          updateNode(id, patch) {
            const doc = get().document;
            const index = doc.nodes.findIndex((n) => n.id === id);
            const node = doc.nodes[index];
            if (!node) return false;
            const next: FlowNode = { ...node };
            if (patch.name !== undefined) {
              if (patch.name.trim()) next.name = patch.name;
              else delete next.name;
            }
            if (patch.config !== undefined) next.config = patch.config;
            if (patch.policy !== undefined) {
              if (patch.policy === null) delete next.policy;
              else next.policy = patch.policy;
            }
            // A form writing back what is already there (as some do when they mount) is no edit: no undo step, not dirty.
            if (JSON.stringify(next) === jsonOf(node)) return true;
            const nodes = [...doc.nodes];
            nodes[index] = next;
            commit({ ...doc, nodes });
            return true;
          },
          renameFlow(name) {
            edit((doc) => (doc.name === name ? undefined : { ...doc, name }));
          },
          setDescription(description) {
            edit((doc) => {
              if ((doc.description ?? '') === description) return undefined;
              const next = { ...doc };
              if (description) next.description = description;
              else delete next.description;
              return next;
            });
          },
          setFlowSettings(settings) {
            const before = get().document;
            const next: Flow = { ...before };
            const put = <K extends 'description' | 'tags' | 'vars'>(key: K, value: Flow[K] | undefined, empty: boolean) => {
              if (empty) delete next[key];
              else next[key] = value;
            };
            if (settings.description !== undefined) put('description', settings.description, settings.description.trim() === '');
            if (settings.tags !== undefined) {
              const tags = normalizeTags(settings.tags);
              put('tags', tags, tags.length === 0);
            }
            if (settings.vars !== undefined) put('vars', { ...settings.vars }, Object.keys(settings.vars).length === 0);
            if (settings.gate !== undefined) {
              const { gate: _gate, ...rest } = before.settings ?? {};
              const merged = Object.keys(settings.gate).length ? { ...rest, gate: settings.gate } : rest;
              if (Object.keys(merged).length) next.settings = merged;
              else delete next.settings;
            }
            if (snapshot(next) === snapshot(before)) return false;
            commit(next);
            return true;
          },
          setSamples(samples) {
            edit((doc) => {
              const list = samples?.length ? [...samples] : undefined;
              if (JSON.stringify(doc.samples) === JSON.stringify(list)) return undefined;
              const next = { ...doc };
              if (list) next.samples = list;
              else delete next.samples;
              return next;
            });
          },

          select(ids, options = {}) {
            const { document, selection } = get();
            let picked: Selection;
            if (Array.isArray(ids)) {
              const nodeIds = new Set(document.nodes.map((n) => n.id));
              const edgeIds = new Set(document.edges.map((e) => e.id));
              picked = { nodes: ids.filter((id) => nodeIds.has(id)), edges: ids.filter((id) => !nodeIds.has(id) && edgeIds.has(id)) };
            } else {
              const partial = ids as Partial<Selection>;
              picked = pruneSelection(document, { nodes: partial.nodes ?? [], edges: partial.edges ?? [] });
            }
            if (options.additive) {
              picked = { nodes: union(selection.nodes, picked.nodes), edges: union(selection.edges, picked.edges) };
            }
            set({ selection: picked });
          },
          selectAll() {
            const { document } = get();
            set({ selection: { nodes: document.nodes.map((n) => n.id), edges: document.edges.map((e) => e.id) } });
          },
          clearSelection() {
            set({ selection: { nodes: [], edges: [] } });
          },

          copySelection() {
            const { document, selection } = get();
            if (!selection.nodes.length) return 0;
            set({ clipboard: { ...extractFragment(document, selection.nodes), pastes: 0 } });
            return selection.nodes.length;
          },
          paste(offset) {
            const { clipboard, document } = get();
            if (!clipboard?.nodes.length) return [];
            const pastes = clipboard.pastes + 1;
            const step = offset ?? { x: PASTE_OFFSET * pastes, y: PASTE_OFFSET * pastes };
            set({ clipboard: { ...clipboard, pastes } });
            return insert(instantiateFragment(document, clipboard, step));
          },
          duplicateSelection() {
            const { document, selection } = get();
            if (!selection.nodes.length) return [];
            return insert(instantiateFragment(document, extractFragment(document, selection.nodes), { x: PASTE_OFFSET, y: PASTE_OFFSET }));
          },

          undo() {
            flushDrag({ document: get().document });
            history().undo();
            afterHistory();
          },
          redo() {
            // A pending drag is a new change: it closes first, and (like any change) ends redo.
            flushDrag({ document: get().document });
            history().redo();
            afterHistory();
          },
          clearHistory() {
            dragOrigin = undefined;
            history().clear();
          },
          canUndo: () => dragOrigin !== undefined || history().pastStates.length > 0,
          canRedo: () => dragOrigin === undefined && history().futureStates.length > 0,

          problemsByNode: () => groupProblems(get().document, get().problems),
        };
      },
      {
        partialize: (state): Tracked => ({ document: state.document }),
        // Selection, clipboard, problems and the saved marker change without a history step.
        equality: (past, current) => past.document === current.document,
        limit: HISTORY_LIMIT,
        handleSet: (handleSet) => {
          record = handleSet as unknown as RawHandleSet;
          return (past, _replace, current) => {
            const before = past as unknown as Tracked;
            if (gesture === 'frame') {
              dragOrigin ??= before;
              return;
            }
            if (gesture === 'drop') {
              const origin = dragOrigin ?? before;
              dragOrigin = undefined;
              record(origin, undefined, current);
              return;
            }
            // Something else changed the document mid-drag: the drag so far is its own step.
            if (dragOrigin) flushDrag(before);
            record(before, undefined, current);
          };
        },
      },
    ),
  );
  return store;
}

/** Everything that follows from a document. `problems` given: reuse them (only positions changed). */
function derive(document: Flow, savedSnapshot: string, problems?: Problem[]): Pick<FlowData, 'document' | 'problems' | 'dirty'> {
  return { document, problems: problems ?? validateFlow(document).problems, dirty: snapshot(document) !== savedSnapshot };
}

/** Drops ids that no longer exist (after a removal or an undo). */
function pruneSelection(doc: Flow, selection: Selection): Selection {
  const nodeIds = new Set(doc.nodes.map((n) => n.id));
  const edgeIds = new Set(doc.edges.map((e) => e.id));
  const nodes = selection.nodes.filter((id) => nodeIds.has(id));
  const edges = selection.edges.filter((id) => edgeIds.has(id));
  return nodes.length === selection.nodes.length && edges.length === selection.edges.length ? selection : { nodes, edges };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/*
 * The same problems give the same Map, so `useStore(store, (s) => s.problemsByNode())` does not
 * re-render (or loop) on every store change.
 */
const grouped = new WeakMap<Problem[], { edges: FlowEdge[]; byNode: Map<string, Problem[]> }>();

export function groupProblems(document: Flow, problems: Problem[]): Map<string, Problem[]> {
  // Keyed by the problems and the edges: a move changes neither (any other edit revalidates).
  const known = grouped.get(problems);
  if (known && known.edges === document.edges) return known.byNode;
  const nodeIds = new Set(document.nodes.map((n) => n.id));
  const edges = new Map(document.edges.map((e) => [e.id, e]));
  const byNode = new Map<string, Problem[]>();
  const add = (id: string, p: Problem) => byNode.set(id, [...(byNode.get(id) ?? []), p]);
  for (const p of problems) {
    if (p.nodeId) add(p.nodeId, p);
    const edge = p.edgeId ? edges.get(p.edgeId) : undefined;
    if (edge) {
      const owner = nodeIds.has(edge.target) ? edge.target : nodeIds.has(edge.source) ? edge.source : undefined;
      if (owner && owner !== p.nodeId) add(owner, p);
    }
  }
  grouped.set(problems, { edges: document.edges, byNode });
  return byNode;
}
