import { inputSchemaOf, type Flow } from '@trellis/schema';
import { TrellisError } from '../../errors.js';
import { renderValue } from '../../lib/template.js';
import { defineExecutor, type ChildResult, type ToolContext } from '../../runtime.js';
import { kinds } from '../../index.js';
import type { SubflowConfig } from './spec.js';

/** What a finished child gives its caller: its output, or an error naming the flow, the child and why. */
function outputOf(config: SubflowConfig, child: ChildResult & { status: 'succeeded' | 'failed' }): unknown {
  if (child.status === 'succeeded') return child.output;
  throw new TrellisError('subflow_failed', `the flow "${config.flow}" failed (run ${child.runId}): ${child.error.message}`, { details: { childRunId: child.runId, error: child.error } });
}

/**
 * The flow as an agent's tool: its input schema is the arguments (an input that is not an object
 * is passed as `input`), each call a child run of the agent's step.
 */
async function flowTool({ config, node, flowDocument, runChild }: ToolContext<SubflowConfig>) {
  if (!flowDocument || !runChild) throw new TrellisError('unsupported', 'this engine cannot run sub-flows as tools');
  const flow = (await flowDocument()) as Flow | undefined;
  if (!flow) throw new TrellisError('unresolved_flow', `node "${node.id}": the flow "${config.flow}" is gone`);
  const schema = inputSchemaOf(flow, kinds);
  const wrapped = schema.type !== 'object';
  return {
    name: config.name ?? node.id,
    description: config.description ?? (flow.description ? `${flow.name}: ${flow.description}` : `Runs the flow "${flow.name}"`),
    inputSchema: wrapped ? { type: 'object', properties: { input: schema }, required: ['input'] } : schema,
    requiresApproval: config.requiresApproval,
    async execute(args: Record<string, unknown>, signal: AbortSignal, call?: { callId: string }) {
      const child = await runChild(wrapped ? args.input : args, call?.callId ?? 'call', signal);
      if (child.status === 'waiting') {
        // An agent's tool call cannot pause its step: the child goes on alone, and the agent hears so.
        throw new TrellisError('subflow_waiting', `the flow "${config.flow}" (run ${child.runId}) waits for a person, so its result cannot come back to this call`);
      }
      if (child.status === 'stopped') throw new TrellisError('shutting_down', `the flow "${config.flow}" (run ${child.runId}) was stopped before it finished`, { retryable: true });
      return outputOf(config, child);
    },
  };
}

export const subflowExecutor = defineExecutor<SubflowConfig>({
  type: 'subflow',
  async execute({ config, scope, runChild }) {
    if (!runChild) throw new TrellisError('unsupported', 'this engine cannot run sub-flows');
    const input = config.input === undefined ? scope.input : await renderValue(config.input, scope);
    const child = await runChild(input);
    // The child waits for a person, or was drained: this step goes on when it ends.
    if (child.status === 'waiting' || child.status === 'stopped') return { status: 'suspend' };
    return { status: 'done', output: outputOf(config, child), decision: { childRunId: child.runId, flowId: config.flow } };
  },
  asTool: () => undefined, // its arguments are the flow's input schema, known once the flow is read: see toolset
  toolset: async (ctx) => [await flowTool(ctx)],
});
