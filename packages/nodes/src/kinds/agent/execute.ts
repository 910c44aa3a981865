import type { ModelMessage, ToolResultPart } from 'ai';
import { errorMessage } from '@trellis/schema';
import { TrellisError } from '../../errors.js';
import { callModel, type ModelCallContext, type ModelTool, type PendingApproval } from '../../lib/model-call.js';
import { promptText } from '../../lib/prompt-source.js';
import { renderTemplate } from '../../lib/template.js';
import { defineExecutor, type AttachedNode, type AttachedTool, type Decision, type ExecContext, type ExecResult, type Nesting, type NodeEmission, type WaitRequest } from '../../runtime.js';
import type { AgentConfig } from './spec.js';
import { guardInput, guardOutput } from './guardrails.js';
import { answerQuestion, askPersonTools, askWait, isAsked, settleQuestions, takeQuestions, waitingQuestion, type AskedQuestion, type Asking } from './ask-person.js';

/*
 * An agent step is one conversation loop, and the agents attached to it take part in it:
 * - an agent on `handoffs` is a handoff target: the model gets a `transfer_to_<id>` tool per
 *   target; calling one hands the conversation (whole or summarised, as the target's
 *   `handoffHistory` says) to that agent, which goes on with its own instructions, model and tools,
 *   and may hand it back (`transfer_to_<id>` of whoever handed it over) or on to its own targets,
 *   up to the step agent's `maxHandoffs`; the step's output is the last agent's answer;
 * - an agent on `tools` is a worker: a tool named by its id taking `{ task }`; the worker runs its
 *   own loop (with its own workers and handoffs) and its answer is the tool's result; the workers
 *   a model asks for in one turn run in parallel, their results returned in the order asked.
 * Every model turn runs alone (one model call and the tools it calls), and the step's progress is
 * saved after each turn, handoff and worker's turn, so a step cut off mid-way goes on from there.
 */

type Approved = { type: 'tool-approval-response'; approvalId: string; approved: boolean; reason?: string };

/** One conversation loop (the step's, or a worker's run), as saved. */
interface Loop extends Asking {
  /** The agent taking the turns now. */
  agent: string;
  messages: ModelMessage[];
  /** Model calls made, by agent. */
  steps: Record<string, number>;
  handoffs: { from: string; to: string; reason: string }[];
  /** Who last handed the conversation to each agent: its way back. */
  cameFrom: Record<string, string>;
  /** Tool calls waiting for a person (the first is being asked). */
  pending: PendingApproval[];
  answered: Approved[];
  /** Workers the last turn asked for, while they run. */
  workers?: WorkerCall[];
  /** A transfer the last turn asked for, made once its workers are done. */
  transfer?: { toolCallId: string; tool: string; to: string; reason: string };
  /** Output guardrail checks made (./guardrails.ts). */
  outputChecks?: number;
}

interface WorkerCall {
  toolCallId: string;
  nodeId: string;
  task: string;
  loop: Loop;
  result?: { output: unknown } | { error: string };
  startedAt?: number;
}

/** What the agent saved before handoffs and workers existed: a waiting run from then resumes. */
interface LegacyState {
  messages: ModelMessage[];
  stepsUsed: number;
  pending: PendingApproval[];
  answered: Approved[];
}

type Outcome = { done: true; output: unknown } | { done: false; wait: PendingApproval | AskedQuestion; agent: string; path: string[] };

const MAX_WORKER_DEPTH = 8;
const TRANSFER = 'transfer_to_';

/** How the loops of one step reach their agents, their configs and the step's saved progress. */
class StepAgents {
  private readonly systems = new Map<string, Promise<string>>();
  private readonly toolsets = new Map<string, Promise<AttachedTool[]>>();

  constructor(
    readonly root: ExecContext<AgentConfig>,
    readonly state: Loop,
  ) {}

  save(): Promise<void> {
    return this.root.save ? this.root.save(structuredClone(this.state)) : Promise.resolve();
  }

  /** A node's toolset, found once per process. */
  toolset(nodeId: string, find: () => Promise<AttachedTool[]>): Promise<AttachedTool[]> {
    let tools = this.toolsets.get(nodeId);
    if (!tools) this.toolsets.set(nodeId, (tools = find()));
    return tools;
  }

  /** The system text of an agent, rendered once per process. */
  system(ctx: ExecContext<unknown>, args?: Record<string, unknown>): Promise<string> {
    const key = `${ctx.node.id}:${JSON.stringify(args ?? null)}`;
    let text = this.systems.get(key);
    if (!text) {
      const config = ctx.config as AgentConfig;
      text = promptText(ctx, config.instructions).then((t) => renderTemplate(t, { ...ctx.scope, ...(args ? { args } : {}) }));
      this.systems.set(key, text);
    }
    return text;
  }
}

/**
 * The tools an agent's attached nodes give it, in the order they are attached: a node's own tool,
 * or the tools it offers when asked (an MCP server's), asked once per step (per process: a resumed
 * step asks again, so an approved call finds its tool).
 */
function toolsOf(step: StepAgents, attached: readonly AttachedNode[]): Promise<AttachedTool[]> {
  return Promise.all(
    attached.map((a) => {
      if (a.node.type === 'agent') return [];
      if (a.tool) return [a.tool];
      if (!a.toolset) return [];
      return step.toolset(a.nodeId, a.toolset);
    }),
  ).then((lists) => lists.flat());
}

/** A loop's agents: its owner and the agents reachable from it over `handoffs` attachments. */
function agentsOf(owner: ExecContext<unknown>): Map<string, ExecContext<unknown>> {
  const found = new Map<string, ExecContext<unknown>>([[owner.node.id, owner]]);
  const queue = [owner];
  for (let i = 0; i < queue.length; i++) {
    for (const target of queue[i]!.attached('handoffs')) {
      if (found.has(target.nodeId)) continue;
      found.set(target.nodeId, target.context);
      queue.push(target.context);
    }
  }
  return found;
}

function newLoop(agent: string, task: string): Loop {
  return { agent, messages: [{ role: 'user', content: task }], steps: {}, handoffs: [], cameFrom: {}, pending: [], answered: [] };
}

function fromLegacy(nodeId: string, saved: Loop | LegacyState): Loop {
  if ('agent' in saved) return saved;
  return { agent: nodeId, messages: saved.messages, steps: { [nodeId]: saved.stepsUsed }, handoffs: [], cameFrom: {}, pending: saved.pending, answered: saved.answered };
}

/** A person's answer goes to the first tool call waiting, depth first: the one that was asked. */
function applyAnswer(loop: Loop, answer: Approved, decision: Decision): boolean {
  const [current, ...rest] = loop.pending;
  if (current) {
    loop.answered.push({ ...answer, approvalId: current.approvalId });
    loop.pending = rest;
    return true;
  }
  if (answerQuestion(loop, decision)) return true;
  return (loop.workers ?? []).some((w) => !w.result && applyAnswer(w.loop, answer, decision));
}

function askFor(outcome: Extract<Outcome, { done: false }>, nodeId: string): WaitRequest {
  const { wait, agent, path } = outcome;
  if (isAsked(wait)) return askWait(nodeId, wait, path);
  return {
    id: `${nodeId}:${wait.approvalId}`,
    kind: 'tool_approval',
    message: `Agent "${agent}" wants to call ${wait.tool} with ${JSON.stringify(wait.args)}`,
    payload: { tool: wait.tool, toolNodeId: wait.toolNodeId, args: wait.args, ...(path.length ? { agent, path } : {}) },
  };
}

/** A context whose events say which attached agent took the turn. */
function nested(ctx: ExecContext<unknown>, nesting: Nesting): ModelCallContext {
  if (!nesting.agent) return ctx;
  return {
    model: (id) => ctx.model(id),
    get signal() {
      return ctx.signal;
    },
    emit: (emission) => ctx.emit({ ...emission, data: { ...emission.data, ...nesting } } as NodeEmission),
  };
}

function toolResult(toolCallId: string, toolName: string, value: { output: unknown } | { error: string }): ToolResultPart {
  if ('error' in value) return { type: 'tool-result', toolCallId, toolName, output: { type: 'error-text', value: value.error } };
  const output = value.output;
  return {
    type: 'tool-result',
    toolCallId,
    toolName,
    output: typeof output === 'string' ? { type: 'text', value: output } : { type: 'json', value: (output ?? null) as never },
  };
}

/** Adds tool results to the conversation: into the tool message the turn ended with, if any. */
function addToolResults(messages: ModelMessage[], parts: ToolResultPart[]): void {
  if (!parts.length) return;
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') last.content.push(...parts);
  else messages.push({ role: 'tool', content: parts });
}

/** What a handoff target is given with `handoffHistory: summary`. */
function summary(messages: ModelMessage[], from: string, reason: string): string {
  const lines: string[] = [];
  for (const message of messages) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const text = typeof message.content === 'string'
      ? message.content
      : message.content.flatMap((p) => (p.type === 'text' ? [p.text] : [])).join('');
    if (text.trim()) lines.push(`${message.role === 'user' ? 'User' : 'Assistant'}: ${text.trim()}`);
  }
  return [`The conversation so far, summarised (agent "${from}" handed it to you: ${reason}):`, ...lines].join('\n');
}

/**
 * Runs a loop until its agent answers or a tool call waits for a person. `base` is the loop's
 * place in the trace: the attached agents from the step down to its owner (empty for the step's
 * own loop); `call` the tool call that started a worker's run.
 */
async function advance(step: StepAgents, owner: ExecContext<unknown>, loop: Loop, base: string[], call: string | undefined, depth: number): Promise<Outcome> {
  const agents = agentsOf(owner);
  const ownerConfig = owner.config as AgentConfig;
  const nestingOf = (agent: string): Nesting => {
    const path = agent === owner.node.id ? base : [...base, agent];
    return path.length ? { agent: path[path.length - 1]!, path, ...(call ? { call } : {}) } : {};
  };
  const ctxOf = (agent: string) => {
    const ctx = agents.get(agent);
    if (!ctx) throw new TrellisError('invalid_wiring', `agent "${agent}" is no longer attached to "${owner.node.id}": the flow changed under the run`);
    return ctx;
  };

  for (;;) {
    if (loop.pending.length) return { done: false, wait: loop.pending[0]!, agent: loop.agent, path: nestingOf(loop.agent).path ?? [] };
    const question = waitingQuestion(loop);
    if (question) return { done: false, wait: question, agent: question.agent, path: nestingOf(question.agent).path ?? [] };
    if (loop.answered.length) {
      loop.messages.push({ role: 'tool', content: loop.answered });
      loop.answered = [];
    }
    if (loop.asked) {
      const events = nested(ctxOf(loop.agent), nestingOf(loop.agent));
      const settled = settleQuestions(loop, (data) => events.emit({ type: 'node.tool_result', data }));
      addToolResults(loop.messages, settled.map((q) => toolResult(q.toolCallId, q.tool, q.result)));
      await step.save();
    }

    if (loop.workers) {
      const active = ctxOf(loop.agent);
      const events = nested(active, nestingOf(loop.agent));
      const open = loop.workers.filter((w) => !w.result);
      const outcomes = await Promise.all(open.map(async (w): Promise<Outcome | undefined> => {
        const worker = active.attached('tools').find((a) => a.nodeId === w.nodeId)?.context;
        let outcome: Outcome;
        try {
          if (!worker) throw new TrellisError('invalid_wiring', `agent "${w.nodeId}" is no longer a worker of "${loop.agent}"`);
          if (depth >= MAX_WORKER_DEPTH) throw new TrellisError('invalid_wiring', `workers are nested more than ${MAX_WORKER_DEPTH} deep`);
          w.startedAt ??= Date.now();
          const workerBase = [...(nestingOf(loop.agent).path ?? []), w.nodeId];
          outcome = await advance(step, worker, w.loop, workerBase, w.toolCallId, depth + 1);
        } catch (error) {
          // Cancellation and the run's budget end the step; anything else is the worker's failure, for the model to read.
          if (error instanceof TrellisError && (error.code === 'cancelled' || error.code === 'budget_exceeded')) throw error;
          if (owner.signal.aborted) throw error;
          outcome = { done: true, output: undefined };
          w.result = { error: errorMessage(error) };
        }
        if (!outcome.done) return outcome;
        w.result ??= { output: outcome.output };
        events.emit({
          type: 'node.tool_result',
          data: {
            toolCallId: w.toolCallId,
            tool: w.nodeId,
            toolNodeId: w.nodeId,
            ...('error' in w.result ? { error: w.result.error } : { result: w.result.output }),
            ...(w.startedAt === undefined ? {} : { durationMs: Date.now() - w.startedAt }),
          },
        });
        await step.save();
        return undefined;
      }));
      const waiting = outcomes.find((o) => o !== undefined);
      if (waiting) return waiting;
      addToolResults(loop.messages, loop.workers.map((w) => toolResult(w.toolCallId, w.nodeId, w.result!)));
      delete loop.workers;
      await step.save();
    }

    if (loop.transfer) {
      const { toolCallId, tool, to, reason } = loop.transfer;
      const from = loop.agent;
      const events = nested(ctxOf(from), nestingOf(from));
      delete loop.transfer;
      const target = agents.get(to);
      let result: { output: unknown } | { error: string };
      if (!target) {
        result = { error: `there is no agent "${to}" to hand over to` };
      } else if (loop.handoffs.length >= ownerConfig.maxHandoffs) {
        result = { error: `handoff refused: this conversation has made all ${ownerConfig.maxHandoffs} handoffs it may (maxHandoffs of "${owner.node.id}"); answer yourself` };
      } else {
        result = { output: `The conversation is now with agent "${to}".` };
      }
      events.emit({ type: 'node.tool_result', data: { toolCallId, tool, toolNodeId: to, ...('error' in result ? { error: result.error } : { result: result.output }) } });
      addToolResults(loop.messages, [toolResult(toolCallId, tool, result)]);
      if (target && !('error' in result)) {
        const history = (target.config as AgentConfig).handoffHistory ?? 'full';
        loop.handoffs.push({ from, to, reason });
        events.emit({ type: 'node.handoff', data: { from, to, reason, count: loop.handoffs.length, history } });
        loop.cameFrom[to] = from;
        loop.agent = to;
        if (history === 'summary') loop.messages = [{ role: 'user', content: summary(loop.messages, from, reason) }];
      }
      await step.save();
    }

    const agent = loop.agent;
    const ctx = ctxOf(agent);
    const config = ctx.config as AgentConfig;
    const used = loop.steps[agent] ?? 0;
    if (used >= config.maxSteps) throw maxStepsError(agent, config.maxSteps);

    const attachedTools = ctx.attached('tools');
    const workers = attachedTools.filter((a) => a.node.type === 'agent');
    const targets = ctx.attached('handoffs').map((a) => a.nodeId);
    const back = loop.cameFrom[agent];
    if (back && back !== agent && !targets.includes(back) && agents.has(back)) targets.push(back);
    const tools: ModelTool[] = [
      ...(await toolsOf(step, attachedTools)),
      ...askPersonTools(config),
      ...workers.map((w): ModelTool => ({
        nodeId: w.nodeId,
        name: w.nodeId,
        description: describe(w.context, 'An agent that works on a task and answers with its result'),
        inputSchema: {
          type: 'object',
          properties: { task: { type: 'string', description: 'What the agent should do, with everything it needs to know' } },
          required: ['task'],
          additionalProperties: false,
        },
        requiresApproval: false,
      })),
      ...targets.map((id): ModelTool => ({
        nodeId: id,
        name: `${TRANSFER}${id}`,
        description: id === back && !ctx.attached('handoffs').some((a) => a.nodeId === id)
          ? `Hand the conversation back to agent "${id}", which handed it to you: ${describe(agents.get(id)!, 'the agent you came from')}`
          : `Hand the conversation to agent "${id}": ${describe(agents.get(id)!, 'another agent')}`,
        inputSchema: {
          type: 'object',
          properties: { reason: { type: 'string', description: 'Why the conversation goes to this agent' } },
          required: ['reason'],
          additionalProperties: false,
        },
        requiresApproval: false,
      })),
    ];
    refuseClashingNames(agent, tools);
    const args = agent === owner.node.id && base.length ? { task: firstUserText(loop) } : undefined;

    const result = await callModel(nested(ctx, nestingOf(agent)), {
      model: config.model,
      system: await step.system(ctx, args),
      messages: loop.messages,
      tools,
      maxSteps: 1,
      schema: config.output?.schema,
      temperature: config.temperature,
      maxOutputTokens: config.maxOutputTokens,
    });
    loop.steps[agent] = used + result.steps;
    loop.messages.push(...result.messages);

    const workerIds = new Set(workers.map((w) => w.nodeId));
    const ours = result.toolCalls.filter((c) => workerIds.has(c.toolName) || (c.toolName.startsWith(TRANSFER) && targets.includes(c.toolName.slice(TRANSFER.length))));
    const calls = ours.filter((c) => workerIds.has(c.toolName));
    if (calls.length) {
      loop.workers = calls.map((c) => {
        const task = String((c.input as { task?: unknown } | undefined)?.task ?? '');
        return { toolCallId: c.toolCallId, nodeId: c.toolName, task, loop: newLoop(c.toolName, task) };
      });
    }
    const [transfer, ...extra] = ours.filter((c) => !workerIds.has(c.toolName));
    if (transfer) {
      const reason = String((transfer.input as { reason?: unknown } | undefined)?.reason ?? '');
      loop.transfer = { toolCallId: transfer.toolCallId, tool: transfer.toolName, to: transfer.toolName.slice(TRANSFER.length), reason };
    }
    if (extra.length) {
      const refused = { error: 'ignored: one handoff per turn, and this turn already hands the conversation over' };
      const events = nested(ctx, nestingOf(agent));
      for (const c of extra) events.emit({ type: 'node.tool_result', data: { toolCallId: c.toolCallId, tool: c.toolName, error: refused.error } });
      addToolResults(loop.messages, extra.map((c) => toolResult(c.toolCallId, c.toolName, refused)));
    }
    if (result.approvals.length) loop.pending = result.approvals;
    const asked = takeQuestions(loop, agent, config, result.toolCalls);
    await step.save();
    if (loop.pending.length || ours.length || asked || result.finishReason === 'tool-calls') continue;
    return { done: true, output: result.output };
  }
}

function firstUserText(loop: Loop): string {
  const first = loop.messages.find((m) => m.role === 'user');
  return typeof first?.content === 'string' ? first.content : '';
}

function describe(ctx: ExecContext<unknown>, fallback: string): string {
  return (ctx.config as AgentConfig).description ?? ctx.node.name ?? fallback;
}

export const agentExecutor = defineExecutor<AgentConfig>({
  type: 'agent',
  async execute(ctx): Promise<ExecResult> {
    const { config, scope, node } = ctx;
    let state: Loop;
    if (ctx.state) {
      state = fromLegacy(node.id, ctx.state as Loop | LegacyState);
    } else {
      state = newLoop(node.id, await renderTemplate(config.prompt, scope));
      await guardInput(ctx, state);
    }
    const step = new StepAgents(ctx, state);

    if (ctx.resume) {
      const { decision } = ctx.resume;
      const reason = decision.comment ?? (decision.timedOut ? 'no answer in time' : undefined);
      applyAnswer(state, { type: 'tool-approval-response', approvalId: '', approved: decision.approved, ...(reason ? { reason } : {}) }, decision);
    }

    let outcome = await advance(step, ctx as ExecContext<unknown>, state, [], undefined, 0);
    while (outcome.done && (await guardOutput(ctx, state, outcome, () => step.save()))) outcome = await advance(step, ctx as ExecContext<unknown>, state, [], undefined, 0);
    if (!outcome.done) return { status: 'wait', wait: askFor(outcome, node.id), state };
    const steps = Object.values(state.steps).reduce((a, b) => a + b, 0);
    return {
      status: 'done',
      output: outcome.output,
      decision: { steps, ...(state.handoffs.length ? { agent: state.agent, handoffs: state.handoffs } : {}) },
    };
  },
});

/**
 * Two tools of one name would leave the model one of them, silently: a tool named like a worker
 * agent, a `transfer_to_…` or `ask_a_person`. Refused, naming both and what to rename.
 */
function refuseClashingNames(agent: string, tools: readonly ModelTool[]): void {
  const seen = new Map<string, ModelTool>();
  for (const tool of tools) {
    const first = seen.get(tool.name);
    if (first) {
      const what = (t: ModelTool) => (t.nodeId ? `node "${t.nodeId}"` : 'its ask_a_person tool');
      throw new TrellisError('invalid_wiring', `agent "${agent}" has two tools named "${tool.name}" (${what(first)} and ${what(tool)}): rename one of the tools`);
    }
    seen.set(tool.name, tool);
  }
}

function maxStepsError(nodeId: string, maxSteps: number) {
  return new TrellisError(
    'agent_max_steps',
    `agent "${nodeId}" used all ${maxSteps} steps without a final answer: raise maxSteps or narrow its task`,
  );
}
