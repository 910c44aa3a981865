import { z } from 'zod';
import { ErrorInfo, RunEvent, RunStatus, Usage } from '../events.js';
import { PromptPin } from '../prompts.js';
import { FlowPin, RunParent } from '../subflows.js';
import { Approval } from './approvals.js';
import { Timestamp } from './common.js';
import { CURSOR_MAX, EVENTS_PAGE_MAX, ID_PARAM_MAX, RUNS_PAGE_MAX } from './limits.js';
import { parseStatuses, RUN_STATUSES } from '../run-status.js';

/** A run as the store keeps it. */
export const RunSummary = z.object({
  id: z.string(),
  flowId: z.string(),
  flowVersion: z.number().int().optional(),
  status: RunStatus,
  input: z.unknown(),
  output: z.unknown().optional(),
  error: ErrorInfo.optional(),
  usage: Usage,
  /** Where the run came from, e.g. `{ source: 'endpoint', slug: 'triage' }`. */
  labels: z.record(z.string(), z.string()).optional(),
  /** The library prompt versions the run used (pinned when it started). */
  prompts: z.array(PromptPin).optional().meta({ description: 'The library prompt versions the run used, pinned when it started' }),
  /** The versions of other flows its sub-flow nodes run (pinned when it started). */
  flows: z.array(FlowPin).optional().meta({ description: 'The versions of other flows its sub-flow nodes run, pinned when it started' }),
  /** Set when another run started this one as a sub-flow. */
  parent: RunParent.optional().meta({ description: 'The run (and its step) that started this one as a sub-flow' }),
  createdAt: Timestamp,
  startedAt: Timestamp.optional(),
  finishedAt: Timestamp.optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** A run as the API shows it: with its duration once it has one. */
export const Run = RunSummary.extend({ durationMs: z.number().optional() }).meta({ id: 'Run' });
export type Run = z.infer<typeof Run>;

export const RunDetail = Run.extend({ approvals: z.array(Approval) }).meta({ id: 'RunDetail' });
export type RunDetail = z.infer<typeof RunDetail>;

export { parseStatuses } from '../run-status.js';

/** An instant as a query string gives it: ISO 8601 (a date alone is midnight UTC); undefined when it is none. */
export function parseInstant(text: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

const Instant = (what: string) =>
  z
    .string()
    .max(40)
    .refine((text) => parseInstant(text) !== undefined, { message: `is not an ISO 8601 date or time (e.g. 2026-01-31 or 2026-01-31T12:00:00Z)` })
    .optional()
    .meta({ description: what });

/** GET /api/runs: newest first, by (createdAt, id). */
export const RunQuery = z.object({
  flowId: z.string().max(ID_PARAM_MAX).optional(),
  /** One status or several, comma-separated (`waiting,failed`). */
  status: z
    .string()
    .max(200)
    .superRefine((text, ctx) => {
      const { statuses, unknown } = parseStatuses(text);
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `has an unknown status "${unknown.join('", "')}" (known: ${RUN_STATUSES.join(', ')})` });
      else if (!statuses.length) ctx.addIssue({ code: 'custom', message: 'names no status' });
    })
    .optional()
    .meta({ description: `One status or several, comma-separated: ${RUN_STATUSES.join(', ')}` }),
  /** Only runs started through this published slug. */
  slug: z.string().max(ID_PARAM_MAX).optional().meta({ description: 'Only runs started through this published slug' }),
  from: Instant('Runs created at or after this instant (ISO 8601; a date alone is midnight UTC)'),
  to: Instant('Runs created before this instant (exclusive; ISO 8601)'),
  /** The sub-flow runs this run started. */
  parentRunId: z.string().max(ID_PARAM_MAX).optional().meta({ description: 'Only the sub-flow runs this run started' }),
  limit: z.coerce.number().int().min(1).max(RUNS_PAGE_MAX).optional().meta({ description: `1..${RUNS_PAGE_MAX}, default 50` }),
  /** The `nextCursor` of the previous page. */
  cursor: z.string().max(CURSOR_MAX).optional().meta({ description: 'The `nextCursor` of the previous page (the same filters must be given with it)' }),
});
export type RunQuery = z.infer<typeof RunQuery>;

/** One change of a run's status, as GET /api/runs/changes streams it (the SSE `id` resumes after it). */
export const RunChange = z
  .object({
    id: z.string(),
    flowId: z.string(),
    status: RunStatus,
    updatedAt: Timestamp,
    parentRunId: z.string().optional(),
  })
  .meta({ id: 'RunChange' });
export type RunChange = z.infer<typeof RunChange>;

/** GET /api/runs/:id/events as JSON. */
export const EventQuery = z.object({
  after: z.coerce.number().int().min(0).optional().meta({ description: 'Events with a seq above this one' }),
  limit: z.coerce.number().int().min(1).max(EVENTS_PAGE_MAX).optional(),
});
export type EventQuery = z.infer<typeof EventQuery>;

export const EventPage = z.object({ items: z.array(RunEvent), lastSeq: z.number().int() }).meta({ id: 'EventPage' });
export type EventPage = z.infer<typeof EventPage>;

export const StartRun = z
  .object({
    input: z.unknown().optional().meta({ description: "The run's input, checked against the flow's input schema" }),
    version: z.number().int().min(1).optional().meta({ description: 'The flow version to run; the latest when absent' }),
    // Checked by the engine against the flow (it names unknown node ids), not here.
    mocks: z.record(z.string(), z.unknown()).optional().meta({ description: 'Replies for the test provider, by node id (a mock script)' }),
  })
  .strict()
  .meta({ id: 'StartRun' });
export type StartRun = z.infer<typeof StartRun>;
