import { z } from 'zod';
import { WaitKind } from '../events.js';
import { Timestamp } from './common.js';
import { APPROVALS_PAGE_DEFAULT, APPROVALS_PAGE_MAX, AUTHOR_MAX, COMMENT_MAX, CURSOR_MAX, ID_PARAM_MAX } from './limits.js';

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'answered', 'timed_out', 'cancelled']).meta({ id: 'ApprovalStatus' });
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;
/** How a decided wait ended: by a person's decision or answer (a question), or by its deadline. */
export const DecidedStatus = ApprovalStatus.extract(['approved', 'rejected', 'answered', 'timed_out']);
export type DecidedStatus = z.infer<typeof DecidedStatus>;

/** A question's answer form: a JSON Schema (an object with simple fields renders as one field each). */
export const AnswerSchema = z.record(z.string(), z.unknown()).meta({ id: 'AnswerSchema', description: 'The JSON Schema the answer must match' });
export type AnswerSchema = z.infer<typeof AnswerSchema>;

/** What a waiting run asks of a person: to approve (`approval`, `tool_approval`) or to answer a question (`question`, with `schema`). */
export const Wait = z.object({
  nodeId: z.string(),
  waitId: z.string(),
  kind: WaitKind,
  /** The approval's message, or the question. */
  message: z.string(),
  payload: z.unknown().optional(),
  /** A question's answer form (kind `question` only). */
  schema: AnswerSchema.optional(),
  deadline: Timestamp.optional(),
});
export type Wait = z.infer<typeof Wait>;

/** A wait kept with its decision. */
export const Approval = Wait.extend({
  /** The store's own id (URL-safe). */
  id: z.string(),
  runId: z.string(),
  flowId: z.string(),
  status: ApprovalStatus,
  createdAt: Timestamp,
  decidedAt: Timestamp.optional(),
  decidedBy: z.string().optional(),
  comment: z.string().optional(),
  /** The payload the approver sent back, when they edited it. */
  editedPayload: z.unknown().optional(),
  /** A question's answer (status `answered`). */
  answer: z.unknown().optional(),
}).meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

/** What GET /api/approvals lists: one status, `decided` (every status but pending), or `any`. */
export const ApprovalFilter = z.union([ApprovalStatus, z.enum(['decided', 'any'])]).meta({ id: 'ApprovalFilter' });
export type ApprovalFilter = z.infer<typeof ApprovalFilter>;

/**
 * GET /api/approvals, the inbox across flows: pending ones unless `status` says otherwise.
 * Pending ones come oldest first (who has waited longest); any other list newest first (the history).
 */
export const ApprovalQuery = z.object({
  status: ApprovalFilter.optional().meta({ description: '`pending` (the default), `decided`, `any`, or one status' }),
  kind: WaitKind.optional(),
  runId: z.string().max(ID_PARAM_MAX).optional(),
  flowId: z.string().max(ID_PARAM_MAX).optional(),
  limit: z.coerce.number().int().min(1).max(APPROVALS_PAGE_MAX).optional().meta({ description: `1..${APPROVALS_PAGE_MAX}, default ${APPROVALS_PAGE_DEFAULT}` }),
  cursor: z.string().max(CURSOR_MAX).optional().meta({ description: 'The `nextCursor` of the previous page (the same filters must be given with it)' }),
});
export type ApprovalQuery = z.infer<typeof ApprovalQuery>;

/** An approval or question in the inbox: with the name of its flow. */
export const InboxItem = Approval.extend({ flowName: z.string().optional() }).meta({ id: 'InboxItem' });
export type InboxItem = z.infer<typeof InboxItem>;

/** GET /api/approvals/count: the inbox's badge. */
export const ApprovalCount = z
  .object({
    pending: z.number().int().meta({ description: 'Approvals and questions waiting for a person' }),
    runsWaiting: z.number().int().meta({ description: 'Runs waiting for a person (one may wait on several)' }),
  })
  .meta({ id: 'ApprovalCount' });
export type ApprovalCount = z.infer<typeof ApprovalCount>;

/**
 * POST /api/approvals/:id: a person's answer as a request carries it (the engine's answer is
 * `approved: boolean`). An approval takes `decision`; a question takes `answer`, checked against
 * its schema (400 `invalid_input` naming each field under `answer`).
 */
export const DecisionRequest = z
  .object({
    decision: z.enum(['approve', 'reject']).optional().meta({ description: 'For an approval (required there)' }),
    answer: z.unknown().optional().meta({ description: "For a question (required there): a value matching the question's schema" }),
    comment: z.string().max(COMMENT_MAX).optional(),
    payload: z.unknown().optional().meta({ description: 'The edited payload, when the approver changed it' }),
    by: z.string().min(1).max(AUTHOR_MAX).optional().meta({ description: 'Who decided; kept in the trace' }),
  })
  .strict()
  .meta({ id: 'Decision' });
export type DecisionRequest = z.infer<typeof DecisionRequest>;
