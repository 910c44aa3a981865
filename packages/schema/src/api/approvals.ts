import { z } from 'zod';
import { WaitKind } from '../events.js';
import { Timestamp } from './common.js';
import { AUTHOR_MAX, COMMENT_MAX, ID_PARAM_MAX } from './limits.js';

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

/** GET /api/approvals: pending ones unless `status` says otherwise. */
export const ApprovalQuery = z.object({
  status: ApprovalStatus.optional(),
  runId: z.string().max(ID_PARAM_MAX).optional(),
  flowId: z.string().max(ID_PARAM_MAX).optional(),
});
export type ApprovalQuery = z.infer<typeof ApprovalQuery>;

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
