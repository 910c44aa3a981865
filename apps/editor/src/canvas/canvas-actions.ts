import { createContext, useContext } from 'react';

/**
 * What a node drawn on the canvas may ask of the editor. Passed by context rather than in each
 * node's `data`, so that data stays plain and keeps its identity (see use-canvas-elements).
 */
export interface CanvasActions {
  setCollapsed(id: string, collapsed: boolean): void;
}

const none: CanvasActions = { setCollapsed: () => {} };
export const CanvasActionsContext = createContext<CanvasActions>(none);
export const useCanvasActions = () => useContext(CanvasActionsContext);
