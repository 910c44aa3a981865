import { FlowRefVersion, Id, type CheckContext } from '@trellis/schema';
import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';
import { containerPolicy } from '../../lib/policy.js';
import { common } from '../tool/common.js';

export const SubflowConfig = z.object({
  /** The id of the saved flow to run. */
  flow: Id,
  /** A version number, or `latest`: the newest version when the run starts (the run records which). */
  version: FlowRefVersion.default('latest'),
  /** The child's input: JSON whose string leaves are templates. Default: this run's own input. */
  input: z.unknown().optional(),
  /** Wired to an agent's tools: the name the agent calls it by (default the node id), and when to use it. */
  name: common.name,
  description: common.description,
  requiresApproval: common.requiresApproval,
});
export type SubflowConfig = z.infer<typeof SubflowConfig>;

function check(config: SubflowConfig, ctx: CheckContext): KindProblem[] {
  return templateLeaves(config.input, ['input']).flatMap(([t, path]) => checkTemplate(t, ctx, path));
}

export const subflowSpec = defineKind<SubflowConfig>({
  type: 'subflow',
  version: 1,
  label: 'Sub-flow',
  description: 'Runs another saved flow as a child run with its own trace; its output is the child\'s output.',
  category: 'logic',
  configSchema: SubflowConfig,
  defaults: () => ({ flow: 'my-flow', version: 'latest', requiresApproval: false }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [
      { id: 'out', label: 'Out', type: 'data' },
      { id: 'tool', label: 'As tool', type: 'tool', description: "Wire to an agent's tools: the flow's input schema is the tool's arguments" },
    ],
  }),
  check,
  // Read from stored documents too, whose configs are not parsed (no defaults filled in).
  flowReference: (config) => ({ flowId: config.flow, version: config.version ?? 'latest' }),
  fields: [
    { path: 'flow', label: 'Flow', widget: 'flow-ref', versionPath: 'version', help: 'The saved flow to run, at its newest version when the run starts or at a pinned one.' },
    { path: 'input', label: 'Input', widget: 'template-json', help: "The child's input; leave empty to pass this run's input." },
    { path: 'name', label: 'Tool name', widget: 'text', help: "As an agent's tool: the name it calls it by." },
    { path: 'description', label: 'Tool description', widget: 'textarea', help: "As an agent's tool: when to use it (default: the flow's own description)." },
    { path: 'requiresApproval', label: 'Needs approval', widget: 'boolean' },
  ],
  // The child's own steps are bounded each; the step waits for the child as long as a container would.
  defaultPolicy: containerPolicy,
});
