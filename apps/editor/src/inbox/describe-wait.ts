import type { ApprovalStatus, Flow, InboxItem } from '@trellis/schema';

/** What a wait asks of a person, in a word, for its card and the kind filter. */
export const KIND_LABEL: Record<InboxItem['kind'], string> = {
  approval: 'Approval',
  tool_approval: 'Tool call approval',
  question: 'Question',
};

/** How a decided wait ended, as the history says it. */
export const OUTCOME_LABEL: Record<ApprovalStatus, string> = {
  pending: 'Waiting',
  approved: 'Approved',
  rejected: 'Rejected',
  answered: 'Answered',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
};

/** The step's name in the flow's latest version, else its id (a step renamed or removed since). */
export function stepNameOf(flow: Flow | null | undefined, nodeId: string): string {
  const node = flow?.nodes.find((n) => n.id === nodeId);
  return node?.name || nodeId;
}

/** A value for reading (an answer, an edited payload): a string as is, anything else as JSON. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 2) ?? '';
}
