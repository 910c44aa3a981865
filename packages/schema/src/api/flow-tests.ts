import { z } from 'zod';
import { ErrorInfo, RunStatus, Usage } from '../events.js';
import { Assertion } from '../test-cases.js';
import { FlowDocument } from './flows.js';

/** Run a flow's test cases (its samples with `expect`) offline: the editor's Tests tab, CI through the API. */
export const RunFlowTests = z
  .object({
    document: FlowDocument.optional().meta({ description: "The flow as drawn (an unsaved draft, its cases included); the flow's latest saved version when absent" }),
    cases: z.array(z.string().min(1).max(100)).max(100).optional().meta({ description: 'The names of the cases to run; every case when absent' }),
  })
  .strict()
  .meta({ id: 'RunFlowTests' });
export type RunFlowTests = z.infer<typeof RunFlowTests>;

/** One assertion of a case, checked. */
export const AssertionCheck = z
  .object({
    assertion: Assertion,
    /** Its place in the case's `expect`; absent for the implicit "the run succeeds". */
    index: z.number().int().min(0).optional(),
    implicit: z.boolean().optional(),
    passed: z.boolean(),
    /** What was checked, or what went wrong, in a sentence. */
    message: z.string(),
    /** For a failed comparison: what the case expects and what the run gave. */
    expected: z.unknown().optional(),
    actual: z.unknown().optional(),
  })
  .meta({ id: 'AssertionCheck' });
export type AssertionCheck = z.infer<typeof AssertionCheck>;

export const CaseReport = z
  .object({
    name: z.string(),
    passed: z.boolean(),
    status: RunStatus,
    durationMs: z.number(),
    usage: Usage,
    output: z.unknown().optional(),
    error: ErrorInfo.optional(),
    checks: z.array(AssertionCheck),
  })
  .meta({ id: 'CaseReport' });
export type CaseReport = z.infer<typeof CaseReport>;

export const FlowTestReport = z
  .object({
    flowId: z.string(),
    /** The saved version tested; absent when a draft was. */
    version: z.number().int().optional(),
    passed: z.number().int(),
    failed: z.number().int(),
    durationMs: z.number(),
    cases: z.array(CaseReport),
  })
  .meta({ id: 'FlowTestReport' });
export type FlowTestReport = z.infer<typeof FlowTestReport>;
