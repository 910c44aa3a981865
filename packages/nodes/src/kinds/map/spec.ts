import { FlowRefVersion, Id } from '@trellis/schema';
import { z } from 'zod';
import { defineKind, type KindProblem } from '../../spec.js';
import { expressionSyntaxError } from '../../lib/expression.js';
import { containerPolicy } from '../../lib/policy.js';
import { checkTemplate, templateLeaves } from '../../lib/template.js';

/** What a map does when a round of its body fails. */
export const MAP_ERROR_MODES = ['stop', 'skip', 'collect'] as const;

export const MapConfig = z.object({
  /** A CEL expression giving the list to go over, e.g. `nodes.search.output.results`. */
  items: z.string().min(1, 'say which list to go over, e.g. input.documents').max(2_000),
  /** Rounds of the body running at once. */
  concurrency: z.number().int().min(1).max(32).default(4),
  /** A longer list fails the step, naming its length: a bound on work and cost. */
  maxItems: z.number().int().min(1).max(10_000).default(1_000),
  /**
   * `stop`: the first failed item fails the map (the rounds under way are stopped); `skip`: the
   * failed items are left out of the output; `collect`: each failed item's place in the output
   * holds `{ error: { code, message } }`.
   */
  onError: z.enum(MAP_ERROR_MODES).default('stop'),
  /**
   * Instead of a drawn body: the saved flow to run once per item, as a child run (its version
   * pinned when the run starts), with `input` (JSON whose string leaves are templates; default
   * `{{ item }}`) as each child's input; the map's output is the children's outputs.
   */
  flow: z
    .object({
      id: Id,
      version: FlowRefVersion.default('latest'),
      input: z.unknown().optional(),
    })
    .optional(),
});
export type MapConfig = z.infer<typeof MapConfig>;

export const mapSpec = defineKind<MapConfig>({
  type: 'map',
  version: 1,
  label: 'Map',
  description: 'Runs the steps inside it once per item of a list, a few at a time; its output is their results in item order.',
  category: 'logic',
  configSchema: MapConfig,
  container: { scope: ['item', 'index'] },
  defaults: () => ({ items: 'input.items', concurrency: 4, maxItems: 1_000, onError: 'stop' }),
  ports: () => ({
    inputs: [{ id: 'in', label: 'In', type: 'data' }],
    outputs: [{ id: 'out', label: 'Results', type: 'data' }],
  }),
  check: (config, ctx) => {
    const problems: KindProblem[] = [];
    const syntax = expressionSyntaxError(config.items);
    if (syntax) problems.push({ code: 'invalid_expression', path: ['items'], message: `items: ${syntax}` });
    // The per-item flow's input sees the item, as a drawn body would.
    const itemScope = { ...ctx, extraRoots: new Set([...ctx.extraRoots, 'item', 'index']) };
    problems.push(...templateLeaves(config.flow?.input, ['flow', 'input']).flatMap(([t, path]) => checkTemplate(t, itemScope, path)));
    return problems;
  },
  // Read from stored documents too, whose configs are not parsed (no defaults filled in).
  flowReference: (config) => (config.flow ? { flowId: config.flow.id, version: config.flow.version ?? 'latest' } : undefined),
  fields: [
    { path: 'items', label: 'Items', widget: 'expression', help: 'A CEL expression giving a list, e.g. nodes.search.output.results. Inside, steps see item and index.' },
    { path: 'concurrency', label: 'At once', widget: 'number', help: 'Items worked on at the same time (1-32).' },
    { path: 'maxItems', label: 'Most items', widget: 'number', help: 'A longer list fails the step (up to 10,000).' },
    { path: 'onError', label: 'When an item fails', widget: 'select', options: MAP_ERROR_MODES },
    { path: 'flow.id', label: 'Run a flow per item', widget: 'flow-ref', versionPath: 'flow.version', help: 'Instead of steps drawn inside: a saved flow to run for each item.' },
    { path: 'flow.input', label: 'Flow input', widget: 'template-json', help: "Each child's input; default {{ item }}." },
  ],
  defaultPolicy: containerPolicy,
});
