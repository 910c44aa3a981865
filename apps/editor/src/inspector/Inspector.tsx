import { useMemo, type KeyboardEvent } from 'react';
import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { FlowState, FlowStore } from '../store/flow-store';
import { DraftContext, DraftRegistry } from './drafts';
import { NodeForm } from './NodeForm';
import { StepTest } from '../run/StepTest';

const selectSelection = (s: FlowState) => s.selection;

/** The selected node's settings, as a form drawn from its kind's field hints. */
export function Inspector({ store, api }: { store: FlowStore; api: ApiClient }) {
  const selection = useStore(store, selectSelection);
  const registry = useMemo(() => new DraftRegistry(), []);

  // Saving from a field (Ctrl+S) saves what is typed in it: commit every pending draft before
  // the editor's own key handler (on window) reads the document.
  const onKeyDownCapture = (event: KeyboardEvent) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') registry.flushAll();
  };

  const count = selection.nodes.length;
  return (
    <section className="inspector" aria-label="Inspector" onKeyDownCapture={onKeyDownCapture}>
      <h2>Inspector</h2>
      <DraftContext.Provider value={registry}>
        {count === 1 ? (
          // Keyed by node: another node gets fresh drafts, and the old form commits what was typed as it goes.
          <>
            <NodeForm key={selection.nodes[0]} store={store} api={api} nodeId={selection.nodes[0]!} />
            <StepTest key={`test:${selection.nodes[0]}`} store={store} api={api} nodeId={selection.nodes[0]!} />
          </>
        ) : count > 1 ? (
          <p className="inspector-note">{count} nodes selected. Select one node to edit its settings.</p>
        ) : selection.edges.length > 0 ? (
          <p className="inspector-note">
            {selection.edges.length === 1 ? 'A wire is selected' : `${selection.edges.length} wires are selected`}: press Delete to remove {selection.edges.length === 1 ? 'it' : 'them'}, or select a node to edit it.
          </p>
        ) : (
          <p className="inspector-note">Select a node on the canvas to edit its settings.</p>
        )}
      </DraftContext.Provider>
    </section>
  );
}
