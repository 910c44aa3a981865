import { useStore } from 'zustand';
import type { ApiClient } from '../api';
import type { FlowState, FlowStore } from '../store/flow-store';

const selectSelection = (s: FlowState) => s.selection;

/** The selected node's settings, as a form drawn from its kind's field hints. */
export function Inspector({ store }: { store: FlowStore; api: ApiClient }) {
  const selection = useStore(store, selectSelection);
  return (
    <section className="inspector" aria-label="Inspector">
      <h2>Inspector</h2>
      {selection.nodes.length === 0 ? <p className="note">Select a node to edit it.</p> : <p className="note">{selection.nodes.length} selected.</p>}
    </section>
  );
}
