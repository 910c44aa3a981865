import { kinds, type KindSpec } from '@trellis/nodes';
import type { FlowNode, NodePolicy, Problem } from '@trellis/schema';
import { useCallback, useMemo } from 'react';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { FlowState, FlowStore } from '../store/flow-store';
import { AgentTools } from './AgentTools';
import { useDraft, type CommitResult } from './drafts';
import { FieldControl, type FieldContext } from './fields/FieldControl';
import { Messages, problemMessages } from './fields/FieldShell';
import { getPath, isShown, sameValue, setPath } from './paths';
import { PolicySection, type PolicyKey } from './PolicySection';
import { PromptRefField } from './prompt-ref/PromptRefField';
import { sortProblems } from './problems';
import { templateEnv } from './scope';

const NO_PROBLEMS: Problem[] = [];
const findNode = (s: FlowState, id: string): FlowNode | undefined => s.document.nodes.find((n) => n.id === id);
/** Ids, kinds and names of the nodes: what the scope and names depend on, compared as a string so moves do not count. */
const nodesKey = (s: FlowState) => s.document.nodes.map((n) => `${n.id}\u0000${n.type}\u0000${n.name ?? ''}`).join('\u0001');

/**
 * What an empty field falls back to: the config parsed without that key, where the kind's schema
 * fills in its default. Nothing when the rest of the config does not parse yet.
 */
function fallbacks(spec: KindSpec<unknown>, config: Record<string, unknown>, paths: readonly string[]): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const path of paths) {
    const parsed = spec.configSchema.safeParse(setPath(config, path, undefined));
    if (parsed.success) {
      const value = getPath(parsed.data, path);
      if (value !== undefined) result.set(path, value);
    }
  }
  return result;
}

const domId = (text: string) => text.replace(/[^A-Za-z0-9_-]/g, '-');

/** The form of one node: its kind, name, a control per field hint of its kind, tools and run policy. */
export function NodeForm({ store, api, nodeId }: { store: FlowStore; api: ApiClient; nodeId: string }) {
  const type = useStore(store, (s) => findNode(s, nodeId)?.type);
  const name = useStore(store, (s) => findNode(s, nodeId)?.name);
  const config = useStore(store, (s) => findNode(s, nodeId)?.config);
  const policy = useStore(store, (s) => findNode(s, nodeId)?.policy);
  const problems = useStore(store, (s) => s.problemsByNode().get(nodeId)) ?? NO_PROBLEMS;
  const edges = useStore(store, (s) => s.document.edges);
  const vars = useStore(store, (s) => s.document.vars);
  const nodes = useStore(store, nodesKey);
  const spec = type ? kinds.get(type) : undefined;

  const writeAt = useCallback(
    (path: string, value: unknown) => {
      const state = store.getState();
      const node = findNode(state, nodeId);
      // Read at commit time: another field may have committed since this one rendered.
      if (!node || sameValue(getPath(node.config, path), value)) return;
      state.updateNode(nodeId, { config: setPath(node.config, path, value) });
    },
    [store, nodeId],
  );
  const writePolicy = useCallback(
    (key: PolicyKey, value: number | undefined) => {
      const state = store.getState();
      const node = findNode(state, nodeId);
      if (!node || node.policy?.[key] === value) return;
      const next: NodePolicy = { ...node.policy };
      if (value === undefined) delete next[key];
      else next[key] = value;
      state.updateNode(nodeId, { policy: Object.keys(next).length ? next : null });
    },
    [store, nodeId],
  );

  const context = useMemo<FieldContext>(
    () => ({
      api,
      nodeId,
      edges,
      env: templateEnv(store.getState().document, nodeId, () => store.getState().document),
      nameOf: (id) => findNode(store.getState(), id)?.name ?? id,
      config: config ?? {},
      writeAt,
    }),
    // `nodes` and `vars` are not read here (the document is read whole) but change the scope.
    [api, nodeId, edges, nodes, vars, store, config, writeAt],
  );

  const hints = useMemo(() => (spec && config ? spec.fields.filter((h) => isShown(h, config)) : []), [spec, config]);
  const defaults = useMemo(() => (spec && config ? fallbacks(spec, config, hints.map((h) => h.path)) : new Map<string, unknown>()), [spec, config, hints]);
  const sorted = useMemo(() => sortProblems(problems, hints.map((h) => h.path)), [problems, hints]);

  if (!type || !config) return <p className="inspector-note">This node no longer exists.</p>;
  const base = `inspector-${domId(nodeId)}`;
  const usedBy = edges.filter((e) => e.source === nodeId && e.sourceHandle === 'tool').map((e) => context.nameOf(e.target));

  return (
    <div className="inspector-form">
      <header className="inspector-header">
        <h3>{spec?.label ?? `Unknown kind "${type}"`}</h3>
        <p className="inspector-help">{spec?.description ?? 'This Trellis does not know this kind of node, so it cannot show its settings.'}</p>
        <p className="inspector-id">
          Id: <code>{nodeId}</code>
        </p>
      </header>
      <Messages id={`${base}-problems`} messages={problemMessages(sorted.rest)} />
      <NameField store={store} nodeId={nodeId} name={name} fieldId={`${base}-name`} />
      {usedBy.length > 0 && (
        <p className="inspector-note">
          Wired as a tool to {usedBy.join(', ')}: its templates can also read {'{{ args }}'}, the arguments the agent passes.
        </p>
      )}
      {hints.map((hint) => {
        const control = (
          <FieldControl
            key={hint.path}
            hint={hint}
            value={getPath(config, hint.path)}
            write={(value) => writeAt(hint.path, value)}
            problems={sorted.byField.get(hint.path) ?? NO_PROBLEMS}
            fieldId={`${base}-${domId(hint.path)}`}
            fallback={defaults.get(hint.path)}
            context={context}
          />
        );
        // A field whose text may come from the prompt library: inline (the control above) or a library prompt.
        const refPath = hint.promptRef?.path;
        if (refPath === undefined) return control;
        return (
          <PromptRefField
            key={hint.path}
            hint={hint}
            source={getPath(config, refPath)}
            writeSource={(value) => writeAt(refPath, value)}
            api={api}
            env={context.env}
            fieldId={`${base}-${domId(hint.path)}`}
            problems={sorted.byField.get(hint.path) ?? NO_PROBLEMS}
          >
            {control}
          </PromptRefField>
        );
      })}
      {type === 'agent' && <AgentTools store={store} agentId={nodeId} />}
      {spec && <PolicySection policy={policy} defaults={spec.defaultPolicy} write={writePolicy} fieldId={`${base}-policy`} />}
    </div>
  );
}

/** The node's name on the canvas; empty removes it, and the canvas shows the id. */
function NameField({ store, nodeId, name, fieldId }: { store: FlowStore; nodeId: string; name: string | undefined; fieldId: string }) {
  const commit = useCallback(
    (draft: string): CommitResult<string | undefined> => {
      const next = draft.trim() === '' ? undefined : draft;
      const state = store.getState();
      if ((findNode(state, nodeId)?.name ?? undefined) !== next) state.updateNode(nodeId, { name: next ?? '' });
      return { written: true, value: next };
    },
    [store, nodeId],
  );
  const { draft, change, flush } = useDraft<string | undefined, string>({ value: name, toDraft: (v) => v ?? '', commit });
  const id = `${fieldId}-input`;
  return (
    <div className="inspector-field">
      <label className="inspector-label" htmlFor={id}>
        Name
      </label>
      <input id={id} type="text" value={draft} maxLength={200} placeholder={nodeId} aria-describedby={`${fieldId}-help`} onChange={(e) => change(e.target.value)} onBlur={flush} />
      <p id={`${fieldId}-help`} className="inspector-help">
        Shown on the canvas; empty shows the id.
      </p>
    </div>
  );
}
