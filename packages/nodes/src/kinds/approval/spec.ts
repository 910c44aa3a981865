import { z } from 'zod';
import { defineKind } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { humanPolicy } from '../../lib/policy.js';

export const ApprovalConfig = z.object({
  /** What the approver reads; a template over the scope. */
  message: z.string().min(1, 'tell the approver what they approve').max(20_000),
  /** Data the approver sees and may edit before approving (templates, like the output node's value). */
  payload: z.unknown().optional(),
  /** With no answer after this long, the step resolves as `onTimeout` says. */
  timeoutMs: z.number().int().min(1_000).max(30 * 86_400_000).optional(),
  onTimeout: z.enum(['reject', 'approve']).default('reject'),
});
export type ApprovalConfig = z.infer<typeof ApprovalConfig>;

export const approvalSpec = defineKind<ApprovalConfig>({
  type: 'approval',
  version: 1,
  label: 'Approval',
  description: 'Pauses the run until a person approves or rejects; the approver may edit the payload.',
  category: 'human',
  configSchema: ApprovalConfig,
  defaults: () => ({ message: 'Approve this?', onTimeout: 'reject' as const }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      { id: 'approved', label: 'Approved', type: 'data' },
      {
        id: 'rejected',
        label: 'Rejected',
        type: 'data',
        unwired: 'nothing is wired to Rejected: a rejected run would end here and succeed with no output from this branch; wire Rejected to an output (or a step) that says what a rejection gives',
      },
    ],
  }),
  check: (config, ctx) => [
    ...checkTemplate(config.message, ctx, ['message']),
    ...templateLeaves(config.payload, ['payload']).flatMap(([t, path]) => checkTemplate(t, ctx, path)),
  ],
  fields: [
    { path: 'message', label: 'Message', widget: 'template' },
    { path: 'payload', label: 'Payload', widget: 'template-json', help: 'Data the approver may edit.' },
    { path: 'timeoutMs', label: 'Timeout (ms)', widget: 'number' },
    { path: 'onTimeout', label: 'On timeout', widget: 'select', options: ['reject', 'approve'] },
  ],
  defaultPolicy: humanPolicy,
});
