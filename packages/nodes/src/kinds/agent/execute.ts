import type { ModelMessage } from 'ai';
import { TrellisError } from '../../errors.js';
import { callModel, type PendingApproval } from '../../lib/model-call.js';
import { promptText } from '../../lib/prompt-source.js';
import { renderTemplate } from '../../lib/template.js';
import { defineExecutor, type ExecResult, type WaitRequest } from '../../runtime.js';
import type { AgentConfig } from './spec.js';

/** What an agent keeps while a person decides on one of its tool calls. */
interface AgentState {
  messages: ModelMessage[];
  stepsUsed: number;
  pending: PendingApproval[];
  answered: { type: 'tool-approval-response'; approvalId: string; approved: boolean; reason?: string }[];
}

function askFor(approval: PendingApproval, nodeId: string): WaitRequest {
  return {
    id: `${nodeId}:${approval.approvalId}`,
    kind: 'tool_approval',
    message: `Agent "${nodeId}" wants to call ${approval.tool} with ${JSON.stringify(approval.args)}`,
    payload: { tool: approval.tool, toolNodeId: approval.toolNodeId, args: approval.args },
  };
}

export const agentExecutor = defineExecutor<AgentConfig>({
  type: 'agent',
  async execute(ctx): Promise<ExecResult> {
    const { config, scope, node } = ctx;
    const instructions = await promptText(ctx, config.instructions);
    const [system, task] = await Promise.all([renderTemplate(instructions, scope), renderTemplate(config.prompt, scope)]);
    const state: AgentState = (ctx.state as AgentState | undefined) ?? {
      messages: [{ role: 'user', content: task }],
      stepsUsed: 0,
      pending: [],
      answered: [],
    };

    if (ctx.resume) {
      const [current, ...rest] = state.pending;
      if (current) {
        const { decision } = ctx.resume;
        const reason = decision.comment ?? (decision.timedOut ? 'no answer in time' : undefined);
        state.answered.push({ type: 'tool-approval-response', approvalId: current.approvalId, approved: decision.approved, ...(reason ? { reason } : {}) });
        state.pending = rest;
      }
      if (state.pending.length) return { status: 'wait', wait: askFor(state.pending[0]!, node.id), state };
      if (state.answered.length) {
        state.messages.push({ role: 'tool', content: state.answered });
        state.answered = [];
      }
    }

    const remaining = config.maxSteps - state.stepsUsed;
    if (remaining <= 0) throw maxStepsError(node.id, config.maxSteps);
    const result = await callModel(ctx, {
      model: config.model,
      system,
      messages: state.messages,
      tools: ctx.tools('tools'),
      maxSteps: remaining,
      schema: config.output?.schema,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
    });
    state.stepsUsed += result.steps;
    state.messages.push(...result.messages);

    if (result.approvals.length) {
      state.pending = result.approvals;
      return { status: 'wait', wait: askFor(result.approvals[0]!, node.id), state };
    }
    if (result.finishReason === 'tool-calls') throw maxStepsError(node.id, config.maxSteps);
    return { status: 'done', output: result.output, decision: { steps: state.stepsUsed } };
  },
});

function maxStepsError(nodeId: string, maxSteps: number) {
  return new TrellisError(
    'agent_max_steps',
    `agent "${nodeId}" used all ${maxSteps} steps without a final answer: raise maxSteps or narrow its task`,
  );
}
