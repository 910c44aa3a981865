import type { FlowNode, ModelInfo, Usage } from '@trellis/schema';
import {
  TrellisError,
  type AttachedNode,
  type AttachedTool,
  type BodyLocals,
  type BodyResult,
  type ChildResult,
  type ExecContext,
  type NetworkPolicy,
  type NodeEmission,
  type Scope,
} from '@trellis/nodes/server';
import type { NodeState } from './checkpoint.js';
import type { Level } from './level.js';
import { metered } from './meter.js';
import type { StepSignal } from './step-signal.js';
import type { StepHost } from './step-runner.js';

/*
 * The contexts a step's executor runs with: one object per node, its methods on the prototype
 * and its scope made on first use, rather than a handful of closures and a scope per step. A
 * step that never reads its scope or calls a model (most steps of a busy endpoint) pays for none.
 */

/** What the step runner lends the contexts of a step: a pinned prompt's text, and a child run. */
export interface StepServices {
  promptTemplate(nodeId: string, ref: string): Promise<string>;
  runChild(level: Level, stepId: string, stepState: NodeState, flowNodeId: string, input: unknown, childKey: string, signal: AbortSignal): Promise<ChildResult>;
}

/** What the contexts of one step share: the step's own node's and its attached nodes' (an agent's tools, workers). */
export interface StepFrame {
  readonly host: StepHost;
  readonly services: StepServices;
  readonly level: Level;
  readonly stepId: string;
  readonly stepState: NodeState;
  readonly step: StepSignal;
  /** The step's usage and models: an attached node's calls count toward its step. */
  readonly usage: Usage;
  readonly models: Map<string, ModelInfo>;
  /** Each attached node's own mock cursor. */
  readonly cursors: Map<string, { value: number }>;
}

/** The context a node runs in as part of a step: the step's own node, or a node attached to it (at any depth). */
export class NodeContext implements ExecContext<unknown> {
  readonly runId: string;
  readonly node: FlowNode;
  readonly config: unknown;
  readonly network: NetworkPolicy;
  readonly secret: ((name: string) => Promise<string>) | undefined;
  attempt = 1;
  private scopeMade: Scope | undefined;

  constructor(
    protected readonly frame: StepFrame,
    readonly nodeId: string,
    /** This node's mock replies: where the next one is. */
    protected readonly cursor: { value: number },
  ) {
    const { deps, record } = frame.host;
    this.runId = record.id;
    this.node = deps.graph.nodes.get(nodeId)!;
    this.config = this.node.config;
    this.network = deps.network;
    this.secret = deps.secret;
  }

  get scope(): Scope {
    if (!this.scopeMade) {
      const { host, level } = this.frame;
      this.scopeMade = { input: host.record.input, nodes: level.scopeNodes, vars: host.deps.flow.vars ?? {}, ...level.locals };
    }
    return this.scopeMade;
  }

  get signal(): AbortSignal {
    return this.frame.step.signal;
  }

  live(): boolean {
    return this.frame.host.deps.watched(this.runId);
  }

  emit(emission: NodeEmission): void {
    const { host, level, stepId } = this.frame;
    const path = level.pathOf(stepId);
    if (emission.type === 'node.delta') {
      const { text, ...nesting } = emission.data;
      host.journal.bufferDelta(stepId, text, nesting, path);
    } else void host.journal.emit(emission.type, stepId, emission.data as never, path);
  }

  model(requested: string) {
    const { host, usage, models } = this.frame;
    const { record, deps } = host;
    const mocks = record.mocks?.[this.nodeId];
    const resolved = deps.models({ requested, nodeId: this.nodeId, mocks: mocks === undefined ? undefined : Array.isArray(mocks) ? mocks : [mocks], cursor: this.cursor });
    models.set(requested, resolved.info);
    return metered(resolved.model, { run: record.usage, node: usage }, record.budget, deps.prices);
  }

  promptTemplate(ref: string): Promise<string> {
    return this.frame.services.promptTemplate(this.nodeId, ref);
  }

  attached(handle: string): AttachedNode[] {
    const { frame } = this;
    const { host, level, stepId, stepState, step, services, cursors } = frame;
    const { graph, executors } = host.deps;
    return (graph.attachments.get(this.nodeId)?.get(handle) ?? []).map((attachedId) => {
      const attachedNode = graph.nodes.get(attachedId)!;
      let own = cursors.get(attachedId);
      if (!own) cursors.set(attachedId, (own = { value: 0 }));
      const context = new NodeContext(frame, attachedId, own);
      const attachedExecutor = executors.get(attachedNode.type);
      const pin = host.record.flows?.find((p) => p.nodeId === attachedId);
      const toolContext = {
        runId: host.record.id,
        node: attachedNode,
        config: attachedNode.config,
        scope: this.scope,
        network: host.deps.network,
        secret: host.deps.secret,
        // A saved flow used as a tool: its children belong to the consumer's step, one per tool call.
        ...(pin
          ? {
              flowDocument: async () => (await host.deps.flowVersion(pin.flowId, pin.version))?.document,
              runChild: (input: unknown, key: string, signal: AbortSignal) => services.runChild(level, stepId, stepState, attachedId, input, `${attachedId}:${key}`, signal),
            }
          : {}),
      };
      const definition = attachedExecutor?.asTool?.(toolContext);
      // A node without one tool may offer several, found when its consumer asks (an MCP server's).
      const toolset = !definition && attachedExecutor?.toolset
        ? async () => ((await attachedExecutor.toolset!({ ...toolContext, signal: step.signal })) ?? []).map((d) => ({ nodeId: attachedId, ...d }))
        : undefined;
      return { nodeId: attachedId, node: attachedNode, context, ...(definition ? { tool: { nodeId: attachedId, ...definition } } : {}), ...(toolset ? { toolset } : {}) };
    });
  }

  tools(handle: string): AttachedTool[] {
    return this.attached(handle).map((a) => {
      if (!a.tool) throw new TrellisError('invalid_wiring', `node "${a.nodeId}" (${a.node.type}) cannot be used as a tool`);
      return a.tool;
    });
  }
}

/** The context of a step's own node: its attempt and idempotency key, what it saved, and `save`. */
export class StepContext extends NodeContext {
  readonly idempotencyKey: string;
  readonly resume?: NodeState['resume'];
  readonly state?: unknown;
  // Own properties, and only on the kinds that use them: a map takes them out of its context.
  readonly runBody?: (round: number, locals: BodyLocals, signal?: AbortSignal) => Promise<BodyResult>;
  readonly runChild?: (input: unknown, childKey?: string, signal?: AbortSignal) => Promise<ChildResult>;

  constructor(
    frame: StepFrame,
    cursor: { value: number },
    /** Keeps the attached nodes' mock cursors in the step's state. */
    private readonly keepCursors: () => void,
    options: { container: boolean; runsFlows: boolean },
  ) {
    super(frame, frame.stepId, cursor);
    const { host, level, stepId, stepState, step, services } = frame;
    this.attempt = stepState.attempts;
    // The same for the same attempt run again after a crash, so a service can tell a repeat from a new request.
    this.idempotencyKey = `${host.record.id}:${level.key(stepId)}:${stepState.attempts}`;
    if (stepState.resume) this.resume = stepState.resume;
    if (stepState.saved !== undefined) this.state = stepState.saved;
    // A round stops with the container's step, and with the signal its executor gives (a map stopping the rest).
    if (options.container) this.runBody = (round, locals, signal) => host.runRound(level, stepId, round, locals, signal ? [step.signal, signal] : [step.signal]);
    if (options.runsFlows) {
      this.runChild = (input, childKey = '', signal) => services.runChild(level, stepId, stepState, stepId, input, childKey, signal ? AbortSignal.any([signal, step.signal]) : step.signal);
    }
  }

  async save(progress: unknown): Promise<void> {
    const { frame, cursor } = this;
    const { step, stepState: state, usage, models, host, level, stepId } = frame;
    // An attempt already given up (timed out, cancelled) saves nothing: a retry may be under way.
    if (step.signal.aborted) return;
    // Stored with what it used so far: a step cut off after this goes on from here, its mock
    // replies from the next one, and an answer it was resumed with is part of the progress.
    state.saved = progress;
    delete state.resume;
    state.usage = { ...usage };
    state.mockCursor = cursor.value;
    this.keepCursors();
    if (models.size) state.models = [...models.values()];
    host.journal.touch(level.key(stepId));
    await host.journal.commit();
  }
}
