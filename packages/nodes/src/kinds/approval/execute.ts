import { renderTemplate, renderValue } from '../../lib/template.js';
import { defineExecutor } from '../../runtime.js';
import type { ApprovalConfig } from './spec.js';

interface ApprovalState {
  message: string;
  payload: unknown;
}

export const approvalExecutor = defineExecutor<ApprovalConfig>({
  type: 'approval',
  async execute({ config, scope, node, resume, state }) {
    if (!resume) {
      const asked: ApprovalState = {
        message: await renderTemplate(config.message, scope),
        payload: config.payload === undefined ? undefined : await renderValue(config.payload, scope),
      };
      return {
        status: 'wait',
        wait: { id: node.id, kind: 'approval', message: asked.message, payload: asked.payload, ...(config.timeoutMs ? { timeoutMs: config.timeoutMs } : {}) },
        state: asked,
      };
    }
    const asked = state as ApprovalState;
    const { decision } = resume;
    const approved = decision.timedOut ? config.onTimeout === 'approve' : decision.approved;
    const payload = decision.payload === undefined ? asked.payload : decision.payload;
    const output = {
      approved,
      payload,
      ...(decision.comment ? { comment: decision.comment } : {}),
      ...(decision.by ? { by: decision.by } : {}),
      ...(decision.timedOut ? { timedOut: true } : {}),
    };
    const edited = decision.payload !== undefined && JSON.stringify(decision.payload) !== JSON.stringify(asked.payload);
    return { status: 'done', output, ports: [approved ? 'approved' : 'rejected'], decision: { ...output, edited } };
  },
});
