import { z } from 'zod';
import { ErrorInfo, ModelInfo, RunEvent, Usage } from '../events.js';
import { FlowDocument } from './flows.js';

/**
 * "Test this step": one node of a flow run on its own, with the scope a person gives (the last
 * run's upstream outputs, or values typed by hand), as n8n's "execute step". Nothing is stored.
 */
export const StepScope = z
  .object({
    input: z.unknown().optional().meta({ description: "The run's input as the step sees it (`input`); the input schema's defaults are filled in" }),
    nodes: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({ description: 'The outputs of the steps before this one, by node id (`nodes.<id>.output`)' }),
    vars: z.record(z.string(), z.unknown()).optional().meta({ description: "Values for the flow's vars, over the flow's own" }),
  })
  .strict()
  .meta({ id: 'StepScope' });
export type StepScope = z.infer<typeof StepScope>;

export const TestStep = z
  .object({
    document: FlowDocument.optional().meta({ description: "The flow as drawn (an unsaved draft); the flow's latest saved version when absent" }),
    scope: StepScope.optional(),
    // Checked by the engine against the flow (it names unknown node ids), as a run's are.
    mocks: z.record(z.string(), z.unknown()).optional().meta({ description: 'Replies for the test provider, by node id, as a run carries them' }),
  })
  .strict()
  .meta({ id: 'TestStep' });
export type TestStep = z.infer<typeof TestStep>;

/** What a step would ask a person: an approval or a question that a real run would wait on. */
export const StepWait = z.object({
  kind: z.string(),
  message: z.string(),
  payload: z.unknown().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
});
export type StepWait = z.infer<typeof StepWait>;

export const StepTestResult = z
  .object({
    nodeId: z.string(),
    status: z.enum(['succeeded', 'failed', 'waiting']),
    output: z.unknown().optional(),
    /** Source handles that fired (a condition's branch, an approval's outcome). */
    ports: z.array(z.string()).optional(),
    decision: z.unknown().optional(),
    error: ErrorInfo.optional(),
    /** What a real run would wait for a person on (no wait is stored). */
    waits: z.array(StepWait).optional(),
    durationMs: z.number(),
    usage: Usage,
    models: z.array(ModelInfo).optional(),
    /** The step's own events, as a run's trace would have them (their runId is not a stored run). */
    events: z.array(RunEvent),
  })
  .meta({ id: 'StepTestResult' });
export type StepTestResult = z.infer<typeof StepTestResult>;
