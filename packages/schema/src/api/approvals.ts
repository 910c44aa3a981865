import { z } from 'zod';
import { WaitKind } from '../events.js';
import { Timestamp } from './common.js';
import { AUTHOR_MAX, COMMENT_MAX, ID_PARAM_MAX } from './limits.js';

export const ApprovalStatus = z.enum(['pending', 'approved', 'rejected', 'timed_out', 'cancelled']).meta({ id: 'ApprovalStatus' });
export type ApprovalStatus = z.infer<typeof ApprovalStatus>;
/** How a decided approval ended: by a person's answer, or by its deadline. */
export const DecidedStatus = ApprovalStatus.extract(['approved', 'rejected', 'timed_out']);
export type DecidedStatus = z.infer<typeof DecidedStatus>;

/** What a waiting run asks of a person. */
export const Wait = z.object({
  nodeId: z.string(),
  waitId: z.string(),
  kind: WaitKind,
  message: z.string(),
  payload: z.unknown().optional(),
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
}).meta({ id: 'Approval' });
export type Approval = z.infer<typeof Approval>;

/** GET /api/approvals: pending ones unless `status` says otherwise. */
export const ApprovalQuery = z.object({
  status: ApprovalStatus.optional(),
  runId: z.string().max(ID_PARAM_MAX).optional(),
  flowId: z.string().max(ID_PARAM_MAX).optional(),
});
export type ApprovalQuery = z.infer<typeof ApprovalQuery>;

/** POST /api/approvals/:id: a person's answer as a request carries it (the engine's answer is `approved: boolean`). */
export const DecisionRequest = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(COMMENT_MAX).optional(),
    payload: z.unknown().optional().meta({ description: 'The edited payload, when the approver changed it' }),
    by: z.string().min(1).max(AUTHOR_MAX).optional().meta({ description: 'Who decided; kept in the trace' }),
  })
  .strict()
  .meta({ id: 'Decision' });
export type DecisionRequest = z.infer<typeof DecisionRequest>;
