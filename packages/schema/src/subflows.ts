import { z } from 'zod';
import { Id } from './flow.js';

/** A flow runs other flows (sub-flows) at most this deep, counting itself as 1. */
export const MAX_SUBFLOW_DEPTH = 5;

/** A flow a node runs: a version, or `latest` (the newest version when the run starts). */
export interface FlowReference {
  flowId: string;
  version: number | 'latest';
}

export const FlowRefVersion = z.union([z.number().int().min(1), z.literal('latest')]);

/** The version of another flow a run uses for one of its nodes, resolved when the run started. */
export const FlowPin = z
  .object({
    nodeId: Id,
    flowId: Id,
    /** As the node asks for it: a version number or `latest`. */
    ref: FlowRefVersion,
    version: z.number().int().min(1),
  })
  .meta({ id: 'FlowPin' });
export type FlowPin = z.infer<typeof FlowPin>;

/** The run (and its step) that started this run as a sub-flow; `depth` counts from the top run (1). */
export const RunParent = z
  .object({
    runId: z.string(),
    /** The step of the parent that runs this one, by its key (`summarise.3.lookup` inside a body). */
    nodeId: z.string(),
    depth: z.number().int().min(2),
  })
  .meta({ id: 'RunParent' });
export type RunParent = z.infer<typeof RunParent>;
