import { FLOW_SCHEMA_V1, type Flow } from '@trellis/schema';
import { describe, expect, it } from 'vitest';
import { createFlowStore } from '../src/store/flow-store.js';

function flow(): Flow {
  return {
    schema: FLOW_SCHEMA_V1,
    id: 'triage',
    name: 'Triage',
    nodes: [{ id: 'in', type: 'input', position: { x: 0, y: 0 }, config: { schema: { type: 'object' } } }],
    edges: [],
  };
}

describe('flow store: samples saved with the flow', () => {
  it('adds, replaces and removes samples as undoable edits that make the flow unsaved', () => {
    const store = createFlowStore();
    store.getState().load(flow(), 1);
    const billing = { name: 'billing', input: { message: 'refund please' }, mocks: { classify: { object: { category: 'billing' } } } };

    store.getState().setSamples([billing]);
    expect(store.getState().document.samples).toEqual([billing]);
    expect(store.getState().dirty).toBe(true);
    expect(store.getState().canUndo()).toBe(true);

    // The same list again is no change: no extra undo step.
    store.getState().setSamples([{ ...billing }]);
    store.getState().undo();
    expect(store.getState().document.samples).toBeUndefined();
    expect(store.getState().dirty).toBe(false);
    store.getState().redo();
    expect(store.getState().document.samples).toEqual([billing]);

    // An empty list removes the key, so the saved file carries no empty "samples".
    store.getState().setSamples([]);
    expect('samples' in store.getState().document).toBe(false);
    expect(store.getState().dirty).toBe(false);
  });
});
