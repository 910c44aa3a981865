import { z } from 'zod';
import { PromptPin } from './prompts.js';
import { FlowPin, RunParent } from './subflows.js';
import { RUN_STATUSES } from './run-status.js';

export const RunStatus = z.enum(RUN_STATUSES).meta({ id: 'RunStatus' });
export type RunStatus = z.infer<typeof RunStatus>;
export { hasEnded, RUN_STATUSES } from './run-status.js';

export const Usage = z.object({
  inputTokens: z.number().int().min(0),
  outputTokens: z.number().int().min(0),
  totalTokens: z.number().int().min(0),
  modelCalls: z.number().int().min(0),
  /** Known only when every model used has a price; null otherwise. */
  costUsd: z.number().min(0).nullable(),
}).meta({ id: 'Usage' });
export type Usage = z.infer<typeof Usage>;

export const ErrorInfo = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean().optional(),
  nodeId: z.string().optional(),
}).meta({ id: 'RunError' });
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export const ModelInfo = z.object({
  /** The model id the node asked for, e.g. `openai:gpt-4.1-mini`. */
  requested: z.string(),
  /** The provider that answered: `test` when the deterministic test provider stood in. */
  provider: z.string(),
  modelId: z.string(),
  /** Why the test provider answered, when it did. */
  testReason: z.string().optional(),
}).meta({ id: 'ModelInfo' });

/** What a run waits for: a person's approval of a step or of an agent's tool call, or their answer to a question. */
export const WaitKind = z.enum(['approval', 'tool_approval', 'question']).meta({ id: 'WaitKind' });
export type WaitKind = z.infer<typeof WaitKind>;
export type ModelInfo = z.infer<typeof ModelInfo>;

/**
 * The runner that executed what follows (its id, `TRELLIS_RUNNER_ID` or its host and process):
 * on a run's start, on each resume, and on each step's start, when runners share a database.
 */
const Runner = z.string().optional();

const base = {
  runId: z.string(),
  seq: z.number().int().min(1),
  ts: z.string(),
};
/**
 * Where a step inside a container's body ran: the containers and the item (map) or iteration
 * (loop) from the outside in, then the node, e.g. `["summarise", 3, "draft"]`. Absent for the
 * flow's own steps. `nodeId` is the node's own id either way.
 */
const bodyPath = { path: z.array(z.union([z.string(), z.number()])).optional() };
const onNode = { ...base, nodeId: z.string(), ...bodyPath };

/**
 * Which agent attached to the step took the turn an event belongs to: absent for the step's own
 * node. `path` lists the attached agents from the step down to it (a worker's worker is
 * `["researcher", "fact_checker"]`); `call` is the orchestrator's tool call that started a
 * worker's run, so two runs of one worker in parallel tell apart.
 */
const nested = {
  agent: z.string().optional(),
  path: z.array(z.string()).optional(),
  call: z.string().optional(),
};

export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run.started'),
    data: z.object({
      flowId: z.string(),
      flowVersion: z.number().int().optional(),
      input: z.unknown(),
      mocked: z.array(z.string()).optional(),
      /** The library prompt versions this run uses, resolved when it started. */
      prompts: z.array(PromptPin).optional(),
      /** The versions of other flows its sub-flow nodes run, resolved when it started. */
      flows: z.array(FlowPin).optional(),
      /** Set when a sub-flow node of another run started this one. */
      parent: RunParent.optional(),
      runner: Runner,
    }),
  }).meta({ id: 'RunStartedEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.started'),
    data: z.object({
      kind: z.string(),
      attempt: z.number().int().min(1),
      name: z.string().optional(),
      /** The step goes on after a person's answer (not a new attempt). */
      resumed: z.boolean().optional(),
      /**
       * The step was cut off when the process running it stopped (its earlier start has no end in
       * the trace), and runs again from its start as the same attempt, with the same idempotency key.
       */
      recovered: z.boolean().optional(),
      runner: Runner,
    }),
  }).meta({ id: 'NodeStartedEvent' }),
  z.object({ ...onNode, type: z.literal('node.delta'), data: z.object({ text: z.string(), ...nested }) }).meta({ id: 'NodeDeltaEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.tool_call'),
    data: z.object({
      toolCallId: z.string(),
      tool: z.string(),
      toolNodeId: z.string().optional(),
      args: z.unknown(),
      ...nested,
    }),
  }).meta({ id: 'NodeToolCallEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.tool_result'),
    data: z.object({
      toolCallId: z.string(),
      tool: z.string(),
      toolNodeId: z.string().optional(),
      result: z.unknown().optional(),
      error: z.string().optional(),
      durationMs: z.number().optional(),
      ...nested,
    }),
  }).meta({ id: 'NodeToolResultEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.handoff'),
    /** An agent handed the conversation to another agent attached at its `handoffs` (or back to the one that handed it over). */
    data: z.object({
      from: z.string(),
      to: z.string(),
      reason: z.string(),
      /** How many handoffs the step has made, this one included. */
      count: z.number().int().min(1),
      /** What the target was given: the whole conversation, or a summary of it. */
      history: z.enum(['full', 'summary']),
      ...nested,
    }),
  }).meta({ id: 'NodeHandoffEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.guardrail'),
    /**
     * An agent checked its task (`input`, before any model call) or its answer (`output`, once per
     * answer) against its guardrails. `passed`, `redactions` and `verdicts` are the guardrail
     * node's decision (spans masked); `then` is what came of it: the step went on, the agent was
     * asked to answer again (the reason fed back to it), or the step failed.
     */
    data: z.object({
      stage: z.enum(['input', 'output']),
      /** Which check of this stage: the answer's number for `output` (1, then 2 after a retry …). */
      attempt: z.number().int().min(1),
      passed: z.boolean(),
      redactions: z.number().int().min(0),
      verdicts: z.array(z.record(z.string(), z.unknown())),
      then: z.enum(['continue', 'retry', 'fail']),
      ...nested,
    }),
  }).meta({ id: 'NodeGuardrailEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.subflow'),
    /**
     * The step started another flow as a child run (or, run again after a crash or an answer,
     * went back to the one it started): the child's own trace is under its run id.
     */
    data: z.object({
      childRunId: z.string(),
      flowId: z.string(),
      flowVersion: z.number().int(),
      /** Which child of the step, when it starts several (a map's item index). */
      key: z.string().optional(),
      resumed: z.boolean().optional(),
    }),
  }).meta({ id: 'NodeSubflowEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.completed'),
    data: z.object({
      output: z.unknown(),
      /** From the step's start to its end; for a step that waited for a person, from its first start, the wait included. */
      durationMs: z.number(),
      /** How long the step waited for people (approvals, questions), when it did: part of `durationMs`. */
      waitedMs: z.number().optional(),
      usage: Usage,
      /** Source handles that fired; the others' downstream is skipped. */
      ports: z.array(z.string()),
      /** Why the node chose what it chose (a condition's branch and the values it saw, an approver's decision). */
      decision: z.unknown().optional(),
      models: z.array(ModelInfo).optional(),
    }),
  }).meta({ id: 'NodeCompletedEvent' }),
  z.object({
    ...onNode,
    type: z.literal('node.failed'),
    data: z.object({
      error: ErrorInfo,
      durationMs: z.number(),
      attempt: z.number().int().min(1),
      /** True when the engine will try again after a backoff. */
      willRetry: z.boolean(),
      retryInMs: z.number().optional(),
    }),
  }).meta({ id: 'NodeFailedEvent' }),
  z.object({ ...onNode, type: z.literal('node.skipped'), data: z.object({ reason: z.string() }) }).meta({ id: 'NodeSkippedEvent' }),
  z.object({
    ...base,
    type: z.literal('run.waiting'),
    nodeId: z.string(),
    ...bodyPath,
    data: z.object({
      waitId: z.string(),
      kind: WaitKind,
      message: z.string(),
      payload: z.unknown().optional(),
      /** A question's answer form: the JSON Schema its answer must match. */
      schema: z.record(z.string(), z.unknown()).optional(),
      deadline: z.string().optional(),
    }),
  }).meta({ id: 'RunWaitingEvent' }),
  z.object({
    ...base,
    type: z.literal('run.resumed'),
    nodeId: z.string().optional(),
    ...bodyPath,
    data: z.object({
      /** `subflow`: a child run a step waited on ended. */
      reason: z.enum(['decision', 'recovered', 'timeout', 'subflow']),
      runner: Runner,
      waitId: z.string().optional(),
      decision: z
        .object({
          approved: z.boolean(),
          by: z.string().optional(),
          comment: z.string().optional(),
          payload: z.unknown().optional(),
          edited: z.boolean().optional(),
          /** A question's answer, as checked against its schema. */
          answer: z.unknown().optional(),
        })
        .optional(),
    }),
  }).meta({ id: 'RunResumedEvent' }),
  z.object({
    ...base,
    type: z.literal('run.completed'),
    data: z.object({ output: z.unknown(), durationMs: z.number(), usage: Usage }),
  }).meta({ id: 'RunCompletedEvent' }),
  z.object({
    ...base,
    type: z.literal('run.failed'),
    data: z.object({ error: ErrorInfo, usage: Usage }),
  }).meta({ id: 'RunFailedEvent' }),
  z.object({ ...base, type: z.literal('run.cancelled'), data: z.object({ reason: z.string().optional() }) }).meta({ id: 'RunCancelledEvent' }),
]).meta({ id: 'RunEvent', description: 'One event of a run\'s trace; `seq` increases by one per run.' });
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];
/** The event of a given type, e.g. `EventOf<'node.completed'>`. */
export type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
