import type { RunEvent, RunStatus, Usage } from '@trellis/schema';

export type StepStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

export interface Step {
  nodeId: string;
  kind?: string;
  status: StepStatus;
  attempt: number;
  durationMs?: number;
  usage?: Usage;
  output?: unknown;
  error?: string;
  /** Streamed text, as it arrived. */
  text: string;
  /** The agent's tool calls and their results, in order. */
  tools: Array<{ id: string; tool: string; args: unknown; result?: unknown; error?: string }>;
  /** Why a condition or an approval went the way it did. */
  decision?: unknown;
}

export interface Trace {
  status: RunStatus;
  steps: Step[];
  lastSeq: number;
  output?: unknown;
  error?: string;
  usage?: Usage;
  durationMs?: number;
  /** Steps the deterministic test provider answered, with why. */
  testProvider: string[];
  /** A wait the run stopped at, until it resumes. */
  waiting?: { nodeId: string; waitId: string; message: string; payload?: unknown };
}

export const emptyTrace = (): Trace => ({ status: 'queued', steps: [], lastSeq: 0, testProvider: [] });

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
      break;
    case 'node.started': {
      const resumed = event.data.resumed && next.steps.some((s) => s.nodeId === event.nodeId);
      if (resumed) step(event.nodeId, (s) => ({ ...s, status: 'running' }));
      else next.steps = [...next.steps, { nodeId: event.nodeId, kind: event.data.kind, status: 'running', attempt: event.data.attempt, text: '', tools: [] }];
      break;
    }
    case 'node.delta':
      step(event.nodeId, (s) => ({ ...s, text: s.text + event.data.text }));
      break;
    case 'node.tool_call':
      step(event.nodeId, (s) => ({ ...s, tools: [...s.tools, { id: event.data.toolCallId, tool: event.data.tool, args: event.data.args }] }));
      break;
    case 'node.tool_result': {
      const { toolCallId, result, error } = event.data;
      step(event.nodeId, (s) => ({ ...s, tools: s.tools.map((t) => (t.id === toolCallId ? { ...t, result, ...(error ? { error } : {}) } : t)) }));
      break;
    }
    case 'node.completed': {
      const test = event.data.models?.filter((m) => m.provider === 'test') ?? [];
      if (test.length) next.testProvider = [...next.testProvider, `${event.nodeId}${test[0]?.testReason ? ` (${test[0].testReason})` : ''}`];
      step(event.nodeId, (s) => ({ ...s, status: 'succeeded', durationMs: event.data.durationMs, usage: event.data.usage, output: event.data.output, decision: event.data.decision }));
      break;
    }
    case 'node.failed':
      step(event.nodeId, (s) => ({ ...s, status: event.data.willRetry ? 'running' : 'failed', durationMs: event.data.durationMs, error: event.data.error.message }));
      break;
    case 'node.skipped':
      next.steps = [...next.steps, { nodeId: event.nodeId, status: 'skipped', attempt: 0, text: '', tools: [] }];
      break;
    case 'run.waiting':
      next.status = 'waiting';
      next.waiting = { nodeId: event.nodeId, waitId: event.data.waitId, message: event.data.message, ...(event.data.payload === undefined ? {} : { payload: event.data.payload }) };
      step(event.nodeId, (s) => ({ ...s, status: 'waiting' }));
      break;
    case 'run.resumed':
      next.status = 'running';
      if (next.waiting && (!('waitId' in event.data) || event.data.waitId === next.waiting.waitId)) delete next.waiting;
      break;
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
      break;
  }
  return next;
}

/** Each node's latest status, for the canvas to light up. */
export function statusByNode(trace: Trace): Map<string, StepStatus> {
  const map = new Map<string, StepStatus>();
  for (const s of trace.steps) map.set(s.nodeId, s.status);
  return map;
}
