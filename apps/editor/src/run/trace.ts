import { kinds } from '@trellis/nodes';
import { nodePorts, portOf, type EventOf, type Flow, type ModelInfo, type PromptPin, type RunEvent, type RunStatus, type Usage, type Wait } from '@trellis/schema';

/** `cancelled`: the step was running or waiting when the run was cancelled. */
export type StepStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped' | 'cancelled';

export interface ToolCall {
  id: string;
  tool: string;
  /** The tool node that served the call, when the tool is a node of the flow. */
  toolNodeId?: string;
  args: unknown;
  result?: unknown;
  error?: string;
  durationMs?: number;
  /** The attached agent (a worker, a handoff target) that made the call; absent for the step's own agent. */
  agent?: string;
  /** The attached agents from the step down to the one that made the call. */
  path?: string[];
}

/** Where in the step's agents an event happened: kept by the trace apart, not per entry. */
type Nested = 'agent' | 'path' | 'call';

/** An agent of the step handed the conversation to another (node.handoff). */
export type Handoff = Omit<EventOf<'node.handoff'>['data'], Nested>;

/** An agent's guardrail check (node.guardrail): the guardrail node's decision, and what came of it. */
export type GuardrailCheck = Omit<EventOf<'node.guardrail'>['data'], Nested>;

/** Text an attached agent (a worker, a handoff target) streamed, one entry per run of turns. */
export interface NestedText {
  agent: string;
  path: string[];
  call?: string;
  text: string;
}

/** A person's answer to a wait (an approval node, or a tool call an agent asked to make). */
export interface Answer {
  approved: boolean;
  by?: string;
  comment?: string;
  payload?: unknown;
  edited?: boolean;
  /** Nobody answered in time; the node's `onTimeout` decided. */
  timedOut?: boolean;
  /** The answer to a question (the wait was a question, not an approval). */
  answer?: unknown;
  question?: boolean;
}

export interface Step {
  nodeId: string;
  kind?: string;
  /** The node's name when the run ran it (the flow document's current name is preferred on show). */
  name?: string;
  status: StepStatus;
  attempt: number;
  /** When the step (its first attempt) started, as the event's ISO time. */
  startedAt?: string;
  durationMs?: number;
  usage?: Usage;
  output?: unknown;
  error?: string;
  /** Attempts that failed and were retried, with why. */
  retries: Array<{ attempt: number; error: string; retryInMs?: number }>;
  /** Streamed text, as it arrived. */
  text: string;
  /** The agent's tool calls and their results, in order (its workers' and handoff targets' too). */
  tools: ToolCall[];
  /** The handoffs between the step's agents, in order. */
  handoffs?: Handoff[];
  /** The agent's input and output guardrail checks, in order. */
  guardrails?: GuardrailCheck[];
  /** What attached agents streamed, in order. */
  nestedText?: NestedText[];
  /** Why a condition or an approval went the way it did (node.completed's `decision`). */
  decision?: unknown;
  /** People's answers to this step's waits, in order. */
  answers: Answer[];
  /** The models that answered, and whether the test provider stood in. */
  models?: ModelInfo[];
  /** Why a skipped step did not run. */
  skipReason?: string;
}

export interface Trace {
  status: RunStatus;
  steps: Step[];
  lastSeq: number;
  /** The run's input, as run.started recorded it. */
  input?: unknown;
  /** The flow version the run used. */
  flowVersion?: number;
  /** The library prompt versions the run used, pinned when it started. */
  prompts?: PromptPin[];
  /** When the run started, as the event's ISO time. */
  startedAt?: string;
  /** Node ids the run's mock script had replies for. */
  mocked?: string[];
  output?: unknown;
  error?: string;
  usage?: Usage;
  durationMs?: number;
  /** A wait the run stopped at, until it resumes. */
  waiting?: Omit<Wait, 'kind'> & { kind?: Wait['kind'] };
  cancelReason?: string;
}

export const emptyTrace = (): Trace => ({ status: 'queued', steps: [], lastSeq: 0 });

const newStep = (nodeId: string, fields: Partial<Step> & Pick<Step, 'status' | 'attempt'>): Step => ({ nodeId, text: '', tools: [], retries: [], answers: [], ...fields });

/**
 * Folds one run event into the trace the panel shows. Pure, and safe against a repeated event
 * (a reconnect may deliver one twice): an event at or below the last seq is ignored.
 */
export function applyEvent(trace: Trace, event: RunEvent): Trace {
  if (event.seq <= trace.lastSeq) return trace;
  const next: Trace = { ...trace, lastSeq: event.seq, steps: trace.steps };
  const step = (nodeId: string, change: (s: Step) => Step) => {
    const index = next.steps.findLastIndex((s) => s.nodeId === nodeId);
    if (index < 0) return;
    next.steps = next.steps.with(index, change(next.steps[index]!));
  };
  switch (event.type) {
    case 'run.started':
      next.status = 'running';
      next.input = event.data.input;
      next.startedAt = event.ts;
      if (event.data.flowVersion !== undefined) next.flowVersion = event.data.flowVersion;
      if (event.data.prompts?.length) next.prompts = event.data.prompts;
      if (event.data.mocked?.length) next.mocked = event.data.mocked;
      break;
    case 'node.started': {
      const last = next.steps.findLast((s) => s.nodeId === event.nodeId);
      // A step that goes on after a person's answer, or tries again after a failure, stays one step.
      const continues = last && (event.data.resumed || (last.status === 'running' && last.retries.length > 0));
      if (continues) step(event.nodeId, (s) => ({ ...s, status: 'running', attempt: event.data.attempt }));
      else {
        const fields = { kind: event.data.kind, status: 'running', attempt: event.data.attempt, startedAt: event.ts } as const;
        next.steps = [...next.steps, newStep(event.nodeId, event.data.name ? { ...fields, name: event.data.name } : fields)];
      }
      break;
    }
    case 'node.delta': {
      const { text, agent, path, call } = event.data;
      if (!agent) {
        step(event.nodeId, (s) => ({ ...s, text: s.text + text }));
        break;
      }
      step(event.nodeId, (s) => {
        const list = s.nestedText ?? [];
        const last = list[list.length - 1];
        const same = last && last.agent === agent && last.call === call && JSON.stringify(last.path) === JSON.stringify(path ?? [agent]);
        const nestedText = same
          ? [...list.slice(0, -1), { ...last, text: last.text + text }]
          : [...list, { agent, path: path ?? [agent], ...(call ? { call } : {}), text }];
        return { ...s, nestedText };
      });
      break;
    }
    case 'node.tool_call': {
      const { toolCallId, tool, toolNodeId, args, agent, path } = event.data;
      const nesting = agent ? { agent, path: path ?? [agent] } : {};
      step(event.nodeId, (s) => ({ ...s, tools: [...s.tools, { id: toolCallId, tool, ...(toolNodeId ? { toolNodeId } : {}), args, ...nesting }] }));
      break;
    }
    case 'node.handoff': {
      const { from, to, reason, count, history } = event.data;
      step(event.nodeId, (s) => ({ ...s, handoffs: [...(s.handoffs ?? []), { from, to, reason, count, history }] }));
      break;
    }
    case 'node.guardrail': {
      const { stage, attempt, passed, redactions, verdicts, then } = event.data;
      step(event.nodeId, (s) => ({ ...s, guardrails: [...(s.guardrails ?? []), { stage, attempt, passed, redactions, verdicts, then }] }));
      break;
    }
    case 'node.tool_result': {
      const { toolCallId, result, error, durationMs } = event.data;
      step(event.nodeId, (s) => ({
        ...s,
        tools: s.tools.map((t) => (t.id === toolCallId ? { ...t, result, ...(error ? { error } : {}), ...(durationMs === undefined ? {} : { durationMs }) } : t)),
      }));
      break;
    }
    case 'node.completed': {
      const { models, usage, output, durationMs, decision } = event.data;
      step(event.nodeId, (s) => ({ ...s, status: 'succeeded', durationMs, usage, output, decision, ...(models?.length ? { models } : {}) }));
      break;
    }
    case 'node.failed': {
      const { error, willRetry, durationMs, attempt, retryInMs } = event.data;
      step(event.nodeId, (s) =>
        willRetry
          ? { ...s, status: 'running', retries: [...s.retries, { attempt, error: error.message, ...(retryInMs === undefined ? {} : { retryInMs }) }] }
          : { ...s, status: 'failed', durationMs, error: error.message },
      );
      break;
    }
    case 'node.skipped':
      next.steps = [...next.steps, newStep(event.nodeId, { status: 'skipped', attempt: 0, skipReason: event.data.reason, startedAt: event.ts })];
      break;
    case 'run.waiting': {
      const { waitId, kind, message, payload, schema, deadline } = event.data;
      next.status = 'waiting';
      next.waiting = { nodeId: event.nodeId, waitId, kind, message, ...(payload === undefined ? {} : { payload }), ...(schema ? { schema } : {}), ...(deadline ? { deadline } : {}) };
      step(event.nodeId, (s) => ({ ...s, status: 'waiting' }));
      break;
    }
    case 'run.resumed': {
      next.status = 'running';
      const { waitId, decision, reason } = event.data;
      const waited = next.waiting;
      if (waited && (waitId === undefined || waitId === waited.waitId)) delete next.waiting;
      const nodeId = event.nodeId ?? waited?.nodeId;
      if (nodeId && decision) {
        const answer: Answer = { ...decision, ...(reason === 'timeout' ? { timedOut: true } : {}), ...(waited?.kind === 'question' ? { question: true } : {}) };
        step(nodeId, (s) => ({ ...s, answers: [...s.answers, answer] }));
      }
      break;
    }
    case 'run.completed':
      next.status = 'succeeded';
      next.output = event.data.output;
      next.usage = event.data.usage;
      next.durationMs = event.data.durationMs;
      break;
    case 'run.failed':
      next.status = 'failed';
      next.error = event.data.error.message;
      next.usage = event.data.usage;
      break;
    case 'run.cancelled':
      next.status = 'cancelled';
      delete next.waiting;
      if (event.data.reason) next.cancelReason = event.data.reason;
      // Steps cut short did not fail, and will not finish: they stop where they were.
      next.steps = next.steps.map((s) => (s.status === 'running' || s.status === 'waiting' ? { ...s, status: 'cancelled' } : s));
      break;
  }
  return next;
}

/** The steps the deterministic test provider answered (no real model was called), with why. */
export function testProviderSteps(trace: Trace): Array<{ step: Step; reason?: string }> {
  return trace.steps.flatMap((step) => {
    const test = step.models?.find((m) => m.provider === 'test');
    return test ? [test.testReason ? { step, reason: test.testReason } : { step }] : [];
  });
}

/** Each node's latest status, for the canvas to light up. */
export function statusByNode(trace: Trace): Map<string, StepStatus> {
  const map = new Map<string, StepStatus>();
  for (const s of trace.steps) map.set(s.nodeId, s.status);
  return map;
}

/**
 * What a step was given. Events do not carry a node's input (a node reads the whole run scope),
 * so it is rebuilt from the trace: the run input for an input node, otherwise the outputs of the
 * steps wired into it, by node id. Undefined when nothing upstream has produced anything yet.
 */
export function stepInput(trace: Trace, flow: Flow, nodeId: string): unknown {
  const node = flow.nodes.find((n) => n.id === nodeId);
  if (node && kinds.get(node.type)?.entry) return trace.input;
  // Only data wires feed a step; a tool wired to an agent is used by it, not an input of it.
  const ports = node && nodePorts(kinds, node);
  const feeds = (handle: string) => (portOf(ports, 'inputs', handle)?.type ?? 'data') === 'data';
  const sources = [...new Set(flow.edges.filter((e) => e.target === nodeId && feeds(e.targetHandle)).map((e) => e.source))];
  const outputs: Record<string, unknown> = {};
  for (const id of sources) {
    const upstream = trace.steps.findLast((s) => s.nodeId === id && s.status === 'succeeded');
    if (upstream) outputs[id] = upstream.output;
  }
  return Object.keys(outputs).length ? outputs : undefined;
}
