import type { LanguageModelV3 } from '@ai-sdk/provider';
import type { ErrorInfo, EventOf, FlowNode, WaitKind } from '@trellis/schema';

/** What templates and expressions see. Never JavaScript: templates are Liquid, expressions CEL. */
export interface Scope {
  input: unknown;
  nodes: Record<string, { output: unknown }>;
  vars: Record<string, unknown>;
  /** Arguments of a tool call, when a node runs as an agent's tool. */
  args?: Record<string, unknown>;
  /** Inside a map's body: the item this round works on, and its place in the list (from 0). */
  item?: unknown;
  index?: number;
  /** Inside a loop's body: the round (from 1), and what the round before gave (null in the first). */
  iteration?: number;
  previous?: unknown;
}

/** The names a container's body adds to the scope its steps see. */
export type BodyLocals = Pick<Scope, 'item' | 'index' | 'iteration' | 'previous'>;

/**
 * How one round of a container's body ended: its output node's output; the error of the step
 * that failed; `waiting` when a step in it waits for a person (the round goes on once answered);
 * `stopped` when the run is being drained or cancelled before the round could finish.
 */
export type BodyResult =
  | { status: 'succeeded'; output: unknown }
  | { status: 'failed'; error: ErrorInfo }
  | { status: 'waiting' }
  | { status: 'stopped' };

/**
 * How a child run (a sub-flow) stands when the step hears of it: ended with its output or
 * error, or `waiting` for a person (the step goes on once the child ends) or `stopped` (drained).
 */
export type ChildResult = { runId: string } & (
  | { status: 'succeeded'; output: unknown }
  | { status: 'failed'; error: ErrorInfo }
  | { status: 'waiting' }
  | { status: 'stopped' }
);

/** Which attached agent took the turn an emission belongs to (absent: the step's own node). */
export interface Nesting {
  agent?: string;
  /** The attached agents from the step down to the one that took the turn. */
  path?: string[];
  /** The tool call that started a worker agent's run. */
  call?: string;
}

/** Things a node reports while it works; the engine stamps them into run events. */
export type NodeEmission =
  | { type: 'node.delta'; data: { text: string } & Nesting }
  | { type: 'node.tool_call'; data: { toolCallId: string; tool: string; toolNodeId?: string; args: unknown } & Nesting }
  | {
      type: 'node.tool_result';
      data: { toolCallId: string; tool: string; toolNodeId?: string; result?: unknown; error?: string; durationMs?: number } & Nesting;
    }
  // The kinds of the second round emit their events exactly as the trace keeps them.
  | { type: 'node.handoff'; data: EventOf<'node.handoff'>['data'] }
  | { type: 'node.guardrail'; data: EventOf<'node.guardrail'>['data'] };

/**
 * A pause for a person: an approval step, an agent's tool that needs approval before it runs, or a
 * question (kind `question`, with `schema`: the engine checks the answer against it before the
 * node sees it, so any node, an agent mid-loop too, can ask one and read `decision.answer`).
 */
export interface WaitRequest {
  id: string;
  kind: WaitKind;
  message: string;
  payload?: unknown;
  /** A question's answer form: the JSON Schema its answer must match. */
  schema?: Record<string, unknown>;
  /** After this long with no answer, the wait resolves as a timeout. */
  timeoutMs?: number;
}

export interface Decision {
  approved: boolean;
  by?: string;
  comment?: string;
  /** The payload as the approver left it (edited or not). */
  payload?: unknown;
  /** A question's answer, valid under the wait's schema (absent when it timed out). */
  answer?: unknown;
  timedOut?: boolean;
}

/** Network rules for tools that reach out (the HTTP tool, MCP servers). */
export interface NetworkPolicy {
  /** Allow loopback, private and link-local addresses (off by default: SSRF protection). */
  allowPrivateNetwork: boolean;
  /**
   * The stdio MCP servers the operator lets flows start, by name (the runner's configuration,
   * TRELLIS_MCP_SERVERS). A flow names one; it never gives a command.
   */
  mcpServers?: Readonly<Record<string, McpStdioServer>>;
}

/** How the runner starts an operator-listed stdio MCP server. */
export interface McpStdioServer {
  command: string;
  args?: string[];
  /** Added to a minimal environment (PATH, HOME…): the runner's own secrets are not passed on. */
  env?: Record<string, string>;
  cwd?: string;
}

/** A node attached to this one as a tool, ready for a model to call. */
export interface AttachedTool {
  nodeId: string;
  name: string;
  description: string;
  /** JSON Schema of the arguments. */
  inputSchema: Record<string, unknown>;
  requiresApproval: boolean;
  execute(args: Record<string, unknown>, signal: AbortSignal, call?: { callId: string }): Promise<unknown>;
}

/**
 * A node attached at one of this node's resource handles, as part of this node's step (a tool or
 * an agent on an agent's `tools`, an agent on its `handoffs`). The engine never names a kind: the
 * consumer decides what to do with each.
 */
export interface AttachedNode {
  nodeId: string;
  node: FlowNode;
  /**
   * The context to run the node in, inside this step: its own config, mock replies (by its own
   * id), library prompts and attachments; its model usage counts toward this step and the run's
   * budget; its events go to this step's trace. It has no `resume`, `state` or `save`: the
   * consumer keeps the whole step's progress.
   */
  context: ExecContext<unknown>;
  /** The node as a tool, when its kind offers one (`asTool`). */
  tool?: AttachedTool;
  /** The tools the node offers, found when asked (an MCP server's), when its kind offers them (`toolset`). */
  toolset?: () => Promise<AttachedTool[]>;
}

export interface ExecContext<C> {
  runId: string;
  node: FlowNode;
  config: C;
  scope: Scope;
  /** Aborts on cancel and on the node's timeout. */
  signal: AbortSignal;
  attempt: number;
  /**
   * Names this attempt of this step: `runId:nodeId:attempt`. The same when the attempt runs again
   * after its process stopped mid-way, so a service called with it (the HTTP tool sends it as
   * `Idempotency-Key`) can tell a repeat from a new request. Set by the engine for every step.
   */
  idempotencyKey?: string;
  emit(emission: NodeEmission): void;
  /**
   * Whether anyone watches the step's text as it is written (a live trace is followed, or the
   * run streams to its caller). When nobody does, a model call without tools is made whole
   * rather than streamed: the same answer for a fraction of the CPU. Absent: watched.
   */
  live?(): boolean;
  /** A model by `provider:model` id, with budget, usage accounting and the test provider wired in. */
  model(id: string): LanguageModelV3;
  /** The nodes attached at one of this node's resource handles, as tools. */
  tools(handle: string): AttachedTool[];
  /** The nodes attached at one of this node's resource handles, each with a context to run it in. */
  attached(handle: string): AttachedNode[];
  /**
   * The template of a library prompt this node references (`name@3`, `name@latest`, as written
   * in its config), at the version the run pinned when it started: the same text on every
   * attempt and after a resume, however many versions were saved meanwhile.
   */
  promptTemplate(ref: string): Promise<string>;
  /** Set when the node is run again after it asked to wait. */
  resume?: { waitId: string; decision: Decision };
  /** What the node saved when it asked to wait, or last saved with `save` before its process stopped. */
  state?: unknown;
  /**
   * Stores progress made inside the step (a JSON value) with its mock cursors and usage: when the
   * process stops mid-step, the step runs again as the same attempt with this as `state` (and no
   * `resume`: an answer it was given is part of the progress), and so does a retry after a
   * retryable failure (a new attempt, with its own idempotency key). Absent on attached nodes'
   * contexts.
   */
  save?(state: unknown): Promise<void>;
  /**
   * On a container: runs one round of its body (round `round`: a map's item index, a loop's
   * iteration) with `locals` added to the scope. Each body step is checkpointed like any step,
   * under the round's number: calling it again for a round that finished (after a crash or a
   * person's answer) gives its result at once and repeats none of its steps. Aborting `signal`
   * stops that round only (a map that stops at the first failure stops the others).
   */
  runBody?(round: number, locals: BodyLocals, signal?: AbortSignal): Promise<BodyResult>;
  /**
   * On a node whose kind names a flow (`flowReference`): runs the version of that flow the run
   * pinned as a child run with this input, and resolves when it stops. The child is started once
   * per `key` (default `''`; a map gives each item's index): run again after a crash or an answer,
   * the step goes back to the child it started instead of starting another.
   */
  runChild?(input: unknown, key?: string, signal?: AbortSignal): Promise<ChildResult>;
  network: NetworkPolicy;
  /**
   * A named secret's value (the runner's credentials), for a request the executor sends: it must
   * go nowhere else (not into the output, an event, an error or a log). Rejects with an error
   * naming the secret when there is none. Absent where the host keeps no secrets.
   */
  secret?(name: string): Promise<string>;
}

export type ExecResult =
  | { status: 'done'; output: unknown; ports?: string[]; decision?: unknown }
  | { status: 'wait'; wait: WaitRequest; state?: unknown }
  /**
   * A container whose body waits for a person (or was stopped by a drain): the engine runs the
   * container again once the wait is answered (or in the process that resumes the run), and the
   * rounds that finished give their results at once.
   */
  | { status: 'suspend' };

/** The context a node gets when another node calls it as a tool. */
export interface ToolContext<C> {
  runId: string;
  node: FlowNode;
  config: C;
  scope: Scope;
  network: NetworkPolicy;
  /** A named secret's value (see ExecContext.secret). */
  secret?(name: string): Promise<string>;
  /** Aborts on cancel and on the step's timeout (given to `toolset`, which talks to a server). */
  signal?: AbortSignal;
  /** On a node that names a flow: the document of the version the run pinned. */
  flowDocument?(): Promise<unknown>;
  /** On a node that names a flow: runs it as a child run of the consumer's step, once per `key` (see ExecContext.runChild). */
  runChild?(input: unknown, key: string, signal: AbortSignal): Promise<ChildResult>;
}

export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  requiresApproval: boolean;
  /** `call.callId`: the model's id for this call, the same when a resumed step replays it. */
  execute(args: Record<string, unknown>, signal: AbortSignal, call?: { callId: string }): Promise<unknown>;
}

/** The server half of a kind: how it runs. Lives apart from the spec so `ai` stays out of the editor. */
export interface KindExecutor<C = unknown> {
  type: string;
  execute(ctx: ExecContext<C>): Promise<ExecResult>;
  /**
   * True when a step of this kind (with this config) works only on the run's own data and ends
   * quickly: no call out (HTTP, a model, MCP), no wait, no child run. Its start is not stored
   * before it runs but with the next commit: after a crash it simply runs again, to the same
   * result, and a chain of such steps costs the store one commit instead of one each. Any other
   * step's start is stored first, with every earlier step's result.
   */
  pure?(config: C): boolean;
  /** Present when nodes of this kind can be attached to an agent as tools (undefined: this node cannot, see `toolset`). */
  asTool?(ctx: ToolContext<C>): ToolDefinition | undefined;
  /**
   * Present when a node of this kind attached to an agent offers several tools found at run time
   * (an MCP server's): the agent asks once per step.
   */
  toolset?(ctx: ToolContext<C>): Promise<ToolDefinition[]> | undefined;
}

export function defineExecutor<C>(executor: KindExecutor<C>): KindExecutor<C> {
  return executor;
}
