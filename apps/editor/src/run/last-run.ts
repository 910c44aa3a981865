import { createContext } from 'react';
import type { Trace } from './trace';

/**
 * The trace of the flow's last run in this editor, for "Test this step" to fill a step's scope
 * with the outputs its upstream steps had. The canvas (views/FlowEditor.tsx) provides it; without
 * a provider it is undefined and the step test starts from the flow's sample input instead.
 */
export const LastRunContext = createContext<Trace | undefined>(undefined);
