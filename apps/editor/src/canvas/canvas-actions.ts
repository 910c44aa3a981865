import { createContext, useContext, useMemo } from 'react';

/**
 * What a node drawn on the canvas may ask of the editor. Passed by context rather than in each
 * node's `data`, so that data stays plain and keeps its identity (see use-canvas-elements).
 * The node toolbar's actions are optional so an editor that does not offer them yet still
 * compiles; nodes read them through useCanvasActions, which fills in no-ops.
 */
export interface CanvasActions {
  setCollapsed(id: string, collapsed: boolean): void;
  /** Run this one step with the last run's upstream outputs (the node toolbar's "Test this step"). */
  testStep?(id: string): void;
  duplicateNode?(id: string): void;
  deleteNode?(id: string): void;
}

const none: Required<CanvasActions> = { setCollapsed: () => {}, testStep: () => {}, duplicateNode: () => {}, deleteNode: () => {} };
export const CanvasActionsContext = createContext<CanvasActions>(none);

/** The editor's canvas actions, every one callable (no-ops for those it does not offer). */
export function useCanvasActions(): Required<CanvasActions> {
  const given = useContext(CanvasActionsContext);
  return useMemo(() => ({ ...none, ...given }), [given]);
}
