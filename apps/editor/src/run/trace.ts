import { kinds } from '@trellis/nodes';
import { nodePorts, portOf, type EventOf, type Flow, type ModelInfo, type PromptPin, type RunEvent, type RunParent, type RunStatus, type Usage, type Wait } from '@trellis/schema';

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
  /** The child runs (sub-flows) the step started, each with its own trace under its run id. */
  subflows?: SubflowRun[];
  /** A container's (map, loop) rounds of its body, in round order: its body steps live here, not in the flat list. */
  rounds?: Round[];
}

/** A child run a step started (node.subflow). */
export type SubflowRun = Omit<EventOf<'node.subflow'>['data'], 'resumed'>;

/** One round of a container's body: a map's item (0-based index) or a loop's iteration (from 1). */
export interface Round {
  key: number;
  steps: Step[];
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
  /** The run (and step) that started this one as a sub-flow. */
  parent?: RunParent;
  /** When the run started, as the event's ISO time. */
  startedAt?: string;
  /** Node ids the run's mock script had replies for. */
  mocked?: string[];
  output?: unknown;
  error?: string;
  usage?: Usage;
  durationMs?: number;
  /** The wait the run stopped at first, until it resumes: the first of `waits`. */
  waiting?: PendingWait;
  /**
   * Every wait not answered yet, oldest first. Rounds of a map go on while one of them waits, so
   * several may wait at once (one per item); each is answered by its own wait id.
   */
  waits?: PendingWait[];
  cancelReason?: string;
}

/** A wait for a person; `path` places one inside a container's body (which round of which container). */
export type PendingWait = Omit<Wait, 'kind'> & { kind?: Wait['kind']; path?: BodyPath };

/** The trace with these pending waits (the first of them shown as `waiting`). */
function withWaits(trace: Trace, waits: PendingWait[]): void {
  if (waits.length) {
    trace.waits = waits;
    trace.waiting = waits[0];
  } else {
    delete trace.waits;
    delete trace.waiting;
  }
}

export const emptyTrace = (): Trace => ({ status: 'queued', steps: [], lastSeq: 0 });

/** Where a body step ran, as events carry it: `[container, round, …, nodeId]`. */
export type BodyPath = ReadonlyArray<string | number>;

/** The rounds of a container, the round with this key created (in key order) when it is new. */
function withRound(rounds: readonly Round[], key: number, change: (steps: Step[]) => Step[]): Round[] {
  const at = rounds.findIndex((r) => r.key === key);
  if (at >= 0) return rounds.with(at, { key, steps: change(rounds[at]!.steps) });
  // Rounds of a map run a few at a time, so they may start out of order; the list stays sorted.
  const after = rounds.findIndex((r) => r.key > key);
  const round = { key, steps: change([]) };
  return after < 0 ? [...rounds, round] : rounds.toSpliced(after, 0, round);
}

/**
 * Applies `change` to the steps of one level: the run's own steps for an empty prefix, else the
 * steps of round `prefix[1]` of container `prefix[0]` (and so on down, for nested containers).
 * Immutable all the way down, so a memoized view of an untouched round keeps its identity.
 */
export function atLevel(steps: Step[], prefix: BodyPath, change: (steps: Step[]) => Step[]): Step[] {
  if (prefix.length < 2) return change(steps);
  const [container, round, ...rest] = prefix;
  const id = String(container);
  let list = steps;
  let index = list.findLastIndex((s) => s.nodeId === id);
  // A body event before its container's own start (never expected) still gets a place to show.
  if (index < 0) {
    list = [...list, newStep(id, { status: 'running', attempt: 1 })];
    index = list.length - 1;
  }
  const holder = list[index]!;
  return list.with(index, { ...holder, rounds: withRound(holder.rounds ?? [], Number(round), (inner) => atLevel(inner, rest, change)) });
}

/** The level an event's step is at: its path without the node id (empty for the flow's own steps). */
const levelOf = (path: BodyPath | undefined): BodyPath => (path && path.length > 1 ? path.slice(0, -1) : []);

/** A round's status: failed or still going when one of its steps is; done when all are. */
export function roundStatus(round: Round): StepStatus {
  const statuses = new Set(round.steps.map((s) => s.status));
  for (const status of ['failed', 'waiting', 'running', 'cancelled'] as const) if (statuses.has(status)) return status;
  return round.steps.length && [...statuses].every((s) => s === 'skipped') ? 'skipped' : 'succeeded';
}

const newStep = (nodeId: string, fields: Partial<Step> & Pick<Step, 'status' | 'attempt'>): Step => ({ nodeId, text: '', tools: [], retries: [], answers: [], ...fields });

/**
 * Folds one run event into the trace the panel shows. Pure, and safe against a repeated event
 * (a reconnect may deliver one twice): an event at or below the last seq is ignored.
 */
export function applyEvent(trace: Trace, event: RunEvent): Trace {
  if (event.seq <= trace.lastSeq) return trace;
  const next: Trace = { ...trace, lastSeq: event.seq, steps: trace.steps };
  // A body step's events carry its path; they change the steps of its round, not the run's own.
  const level = levelOf('path' in event ? event.path : undefined);
  const steps = (change: (list: Step[]) => Step[]) => {
    next.steps = atLevel(next.steps, level, change);
  };
  const step = (nodeId: string, change: (s: Step) => Step) =>
    steps((list) => {
      const index = list.findLastIndex((s) => s.nodeId === nodeId);
      return index < 0 ? list : list.with(index, change(list[index]!));
    });
  switch (event.type) {
    case 'run.started':
      next.status = 'running';
      next.input = event.data.input;
      next.startedAt = event.ts;
      if (event.data.flowVersion !== undefined) next.flowVersion = event.data.flowVersion;
      if (event.data.prompts?.length) next.prompts = event.data.prompts;
      if (event.data.mocked?.length) next.mocked = event.data.mocked;
      if (event.data.parent) next.parent = event.data.parent;
      break;
    case 'node.started':
      steps((list) => {
        const index = list.findLastIndex((s) => s.nodeId === event.nodeId);
        const last = list[index];
        // A step that goes on after a person's answer, or tries again after a failure, stays one step.
        const continues = last && (event.data.resumed || (last.status === 'running' && last.retries.length > 0));
        if (continues) return list.with(index, { ...last, status: 'running', attempt: event.data.attempt });
        const fields = { kind: event.data.kind, status: 'running', attempt: event.data.attempt, startedAt: event.ts } as const;
        return [...list, newStep(event.nodeId, event.data.name ? { ...fields, name: event.data.name } : fields)];
      });
      break;
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
    case 'node.subflow': {
      const { childRunId, flowId, flowVersion, key } = event.data;
      // Gone back to after a crash or an answer: the same child, listed once.
      step(event.nodeId, (s) =>
        s.subflows?.some((c) => c.childRunId === childRunId) ? s : { ...s, subflows: [...(s.subflows ?? []), { childRunId, flowId, flowVersion, ...(key === undefined ? {} : { key }) }] },
      );
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
      steps((list) => [...list, newStep(event.nodeId, { status: 'skipped', attempt: 0, skipReason: event.data.reason, startedAt: event.ts })]);
      break;
    case 'run.waiting': {
      const { waitId, kind, message, payload, schema, deadline } = event.data;
      next.status = 'waiting';
      const wait: PendingWait = {
        nodeId: event.nodeId, waitId, kind, message,
        ...(payload === undefined ? {} : { payload }), ...(schema ? { schema } : {}), ...(deadline ? { deadline } : {}), ...(event.path?.length ? { path: event.path } : {}),
      };
      // The same wait told again (a run that resumed elsewhere and stopped at it once more) replaces itself.
      withWaits(next, [...(next.waits ?? []).filter((w) => w.waitId !== waitId), wait]);
      step(event.nodeId, (s) => ({ ...s, status: 'waiting' }));
      break;
    }
    case 'run.resumed': {
      next.status = 'running';
      const { waitId, decision, reason } = event.data;
      const pending = next.waits ?? [];
      const waited = waitId === undefined ? next.waiting : pending.find((w) => w.waitId === waitId);
      // A resume that names no wait (a recovered run) ends them all: the run says again what it waits for.
      withWaits(next, waitId === undefined ? [] : pending.filter((w) => w.waitId !== waitId));
      // The resume names the step (and inside a body its round, by its path) as its wait did.
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
      withWaits(next, []);
      if (event.data.reason) next.cancelReason = event.data.reason;
      // Steps cut short did not fail, and will not finish: they stop where they were (inside bodies too).
      next.steps = cancelSteps(next.steps);
      break;
  }
  return next;
}

function cancelSteps(steps: Step[]): Step[] {
  return steps.map((s) => {
    const cut = s.status === 'running' || s.status === 'waiting' ? { ...s, status: 'cancelled' as const } : s;
    return s.rounds ? { ...cut, rounds: s.rounds.map((r) => ({ ...r, steps: cancelSteps(r.steps) })) } : cut;
  });
}

/** Every step of the run, body steps of every round included, depth first. */
export function* allSteps(steps: readonly Step[]): Generator<Step> {
  for (const s of steps) {
    yield s;
    for (const round of s.rounds ?? []) yield* allSteps(round.steps);
  }
}

/** The steps the deterministic test provider answered (no real model was called), with why. */
export function testProviderSteps(trace: Trace): Array<{ step: Step; reason?: string }> {
  // A body step runs once per round: it is named once.
  const seen = new Set<string>();
  return [...allSteps(trace.steps)].flatMap((step) => {
    const test = step.models?.find((m) => m.provider === 'test');
    if (!test || seen.has(step.nodeId)) return [];
    seen.add(step.nodeId);
    return [test.testReason ? { step, reason: test.testReason } : { step }];
  });
}

/** How the rounds of a body step went: the canvas shows `done/total` on the node. */
export interface RoundTally {
  done: number;
  total: number;
}

/**
 * Each node's status, for the canvas to light up. A body node runs once per round: it shows
 * failed if any round failed, else still going while any round is, else its latest round's status;
 * `tally` (when given) is filled with how many of its rounds are done.
 */
export function statusByNode(trace: Trace, tally?: Map<string, RoundTally>): Map<string, StepStatus> {
  const map = new Map<string, StepStatus>();
  const rank = (s: StepStatus | undefined) => (s === 'failed' ? 3 : s === 'running' || s === 'waiting' ? 2 : 1);
  const visit = (steps: readonly Step[], inBody: boolean) => {
    for (const s of steps) {
      if (!inBody || rank(s.status) >= rank(map.get(s.nodeId))) map.set(s.nodeId, s.status);
      if (inBody && tally) {
        const t = tally.get(s.nodeId) ?? { done: 0, total: 0 };
        tally.set(s.nodeId, { done: t.done + (s.status === 'succeeded' || s.status === 'skipped' ? 1 : 0), total: t.total + 1 });
      }
      for (const round of s.rounds ?? []) visit(round.steps, true);
    }
  };
  visit(trace.steps, false);
  return map;
}

/**
 * What a step was given. Events do not carry a node's input (a node reads the whole run scope),
 * so it is rebuilt from the trace: the run input for an input node, otherwise the outputs of the
 * steps wired into it, by node id. Undefined when nothing upstream has produced anything yet.
 */
export function stepInput(trace: Trace, flow: Flow, nodeId: string, level: readonly Step[] = trace.steps): unknown {
  const node = flow.nodes.find((n) => n.id === nodeId);
  if (node && kinds.get(node.type)?.entry) return trace.input;
  // Only data wires feed a step; a tool wired to an agent is used by it, not an input of it.
  const ports = node && nodePorts(kinds, node);
  const feeds = (handle: string) => (portOf(ports, 'inputs', handle)?.type ?? 'data') === 'data';
  const sources = [...new Set(flow.edges.filter((e) => e.target === nodeId && feeds(e.targetHandle)).map((e) => e.source))];
  const outputs: Record<string, unknown> = {};
  for (const id of sources) {
    // A body step's inputs are its round's steps (`level`); edges never leave a body.
    const upstream = level.findLast((s) => s.nodeId === id && s.status === 'succeeded');
    if (upstream) outputs[id] = upstream.output;
  }
  return Object.keys(outputs).length ? outputs : undefined;
}
