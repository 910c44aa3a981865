import { z } from 'zod';

/*
 * A flow's test cases are its samples: a sample input, an optional mock script, and what the
 * run must do (`expect`), with the answers the case gives to the people the run would ask
 * (`answers`). A sample without `expect` is a case too: its run must succeed.
 */

/** A dot path into the run's output (`reply.text`, `items.0.id`); the whole output when left out. */
const OutputPath = z.string().min(1).max(500).optional();
const NodeRef = z.string().min(1).max(200);
/** Why the team expects this, shown beside a failure. */
const Note = z.string().max(500).optional();

export const ASSERTION_TYPES = [
  'equals',
  'contains',
  'json_subset',
  'json_schema',
  'cel',
  'status',
  'ran',
  'skipped',
  'branch',
  'handoff',
  'tool_called',
  'waited',
  'max',
] as const;

export const CaseMetric = z.enum(['model_calls', 'tokens', 'cost_usd', 'duration_ms']);
export type CaseMetric = z.infer<typeof CaseMetric>;

export const Assertion = z.discriminatedUnion('type', [
  // On the output.
  z.object({ type: z.literal('equals'), path: OutputPath, value: z.unknown(), note: Note }).meta({ description: 'The output (or the value at `path`) is exactly this JSON.' }),
  z.object({ type: z.literal('contains'), path: OutputPath, value: z.unknown(), note: Note }).meta({ description: 'A text output holds this text; a list output holds this item.' }),
  z.object({ type: z.literal('json_subset'), path: OutputPath, value: z.unknown(), note: Note }).meta({ description: 'Every field given here is in the output with the same value (other fields may be there too).' }),
  z.object({ type: z.literal('json_schema'), path: OutputPath, schema: z.record(z.string(), z.unknown()), note: Note }).meta({ description: 'The output matches this JSON Schema.' }),
  z
    .object({ type: z.literal('cel'), expression: z.string().min(1).max(4000), note: Note })
    .meta({ description: 'A CEL expression over `output`, `status`, `error`, `nodes` (by id: status, output, ports), `trace` (the events), `toolCalls`, `usage` and `durationMs` is true.' }),
  z
    .object({
      type: z.literal('status'),
      status: z.enum(['succeeded', 'failed', 'waiting', 'cancelled']),
      /** For a failed run: text its error message holds. */
      error: z.string().max(1000).optional(),
      note: Note,
    })
    .meta({ description: 'How the run ends (without it, a case expects `succeeded`).' }),
  // On the path.
  z.object({ type: z.literal('ran'), nodes: z.array(NodeRef).min(1).max(200), note: Note }).meta({ description: 'Each of these steps completed.' }),
  z.object({ type: z.literal('skipped'), nodes: z.array(NodeRef).min(1).max(200), note: Note }).meta({ description: 'None of these steps ran (their branch was not taken).' }),
  z.object({ type: z.literal('branch'), node: NodeRef, port: z.string().min(1).max(200), note: Note }).meta({ description: 'A condition (or any step with several outputs) took this output port.' }),
  z.object({ type: z.literal('handoff'), from: NodeRef, to: NodeRef, note: Note }).meta({ description: 'An agent handed the conversation to another.' }),
  // On tool calls.
  z
    .object({
      type: z.literal('tool_called'),
      tool: z.string().min(1).max(200),
      /** Only calls made by this step (an agent's id). */
      node: NodeRef.optional(),
      /** Every field given here is in the call's arguments with the same value. */
      args: z.unknown().optional(),
      /** Exactly this many matching calls (0: never called); at least one when left out. */
      count: z.number().int().min(0).max(10_000).optional(),
      note: Note,
    })
    .meta({ description: 'A tool was called (with these arguments, this many times).' }),
  // On waits.
  z
    .object({ type: z.literal('waited'), node: NodeRef, kind: z.enum(['approval', 'question']).optional(), note: Note })
    .meta({ description: 'The run waited for a person at this step (the case answers it from `answers`).' }),
  // Bounds.
  z.object({ type: z.literal('max'), metric: CaseMetric, value: z.number().min(0), note: Note }).meta({ description: 'At most this many model calls, tokens, dollars or milliseconds.' }),
]);
export type Assertion = z.infer<typeof Assertion>;
export type AssertionType = Assertion['type'];

/**
 * What a case answers a person's wait with, by the waiting step's id (or the asking agent's, or
 * the wait's own id): an approval is approved unless `approved` is false; a question gets `answer`.
 */
export const CaseAnswer = z.object({
  approved: z.boolean().optional(),
  answer: z.unknown().optional(),
  comment: z.string().max(2000).optional(),
  /** An approver's edit of the payload it was shown. */
  payload: z.unknown().optional(),
});
export type CaseAnswer = z.infer<typeof CaseAnswer>;

export const MAX_CASE_ASSERTIONS = 50;

export const METRIC_LABEL = { model_calls: 'model calls', tokens: 'tokens', cost_usd: 'cost (USD)', duration_ms: 'duration (ms)' } as const;

/** One line naming an assertion, for reports and errors. */
export function describeAssertion(a: Assertion): string {
  const { where, list, times, format, short } = caseWords;
  switch (a.type) {
    case 'equals':
    case 'contains':
    case 'json_subset':
      return `${where(a.path)} ${a.type === 'json_subset' ? 'has' : a.type} ${short(a.value)}`;
    case 'json_schema':
      return `${where(a.path)} matches a schema`;
    case 'cel':
      return a.expression;
    case 'status':
      return `the run ${a.status}${a.error ? ` saying "${a.error}"` : ''}`;
    case 'ran':
      return `${list(a.nodes)} ran`;
    case 'skipped':
      return `${list(a.nodes)} skipped`;
    case 'branch':
      return `"${a.node}" takes "${a.port}"`;
    case 'handoff':
      return `"${a.from}" hands off to "${a.to}"`;
    case 'tool_called':
      return `${a.tool} called${a.count === undefined ? '' : ` ${times(a.count)}`}`;
    case 'waited':
      return `waits at "${a.node}"`;
    case 'max':
      return `${METRIC_LABEL[a.metric]} ≤ ${format(a.value)}`;
  }
}

/** The words reports use for values, paths and counts (here, so the editor says them as the CLI does). */
export const caseWords = {
  /** Where in the output a path points: `the output`, `output.reply`. */
  where: (path: string | undefined) => (path === undefined ? 'the output' : `output.${path}`),
  /** Step ids in a line: `"a", "b"`. */
  list: (ids: readonly string[]) => ids.map((id) => `"${id}"`).join(', '),
  times: (n: number) => (n === 1 ? 'once' : `${n} times`),
  format: (n: number) => (Number.isInteger(n) ? n.toLocaleString('en-US') : n.toPrecision(3)),
  /** A value in a line: its JSON, cut short. */
  short(value: unknown): string {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 77)}…` : text;
  },
};

// Scorers: how experiments (api/evals.ts) and the publish gate score a row.

/** Where a scorer looks: a dot path into the output (the whole output when absent), and into `expected`. */
const Target = { path: z.string().max(500).optional(), expectedPath: z.string().max(500).optional() };
const ScorerBase = { id: z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/, 'use lowercase letters, digits, _ and -, starting with a letter').optional(), ...Target };

export const Scorer = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('exact'), ...ScorerBase }).meta({ description: "1 when the output equals the row's expected value" }),
    z.object({ type: z.literal('contains'), ...ScorerBase, value: z.string().max(10_000).optional(), ignoreCase: z.boolean().optional() }).meta({ description: 'The output text holds `value` (or the expected text)' }),
    z.object({ type: z.literal('regex'), ...ScorerBase, pattern: z.string().min(1).max(1000), flags: z.string().regex(/^[imsu]*$/).optional() }).meta({ description: 'The output text matches the pattern (RE2: linear time, no backtracking)' }),
    z.object({ type: z.literal('json_match'), ...ScorerBase }).meta({ description: "The share of the expected value's fields the output has with the same value (1: all)" }),
    z.object({ type: z.literal('json_schema'), ...ScorerBase, schema: z.record(z.string(), z.unknown()) }).meta({ description: 'The output matches the schema' }),
    z.object({ type: z.literal('cel'), ...ScorerBase, expression: z.string().min(1).max(4000) }).meta({ description: 'A CEL expression over `output`, `expected`, `input` and `metadata`: true/false, or a number from 0 to 1' }),
    z.object({ type: z.literal('numeric'), ...ScorerBase, tolerance: z.number().min(0).optional(), relative: z.number().min(0).optional() }).meta({ description: 'A number within `tolerance` (absolute) or `relative` (a share) of the expected number' }),
    z
      .object({
        type: z.literal('judge'),
        ...ScorerBase,
        /** The rubric, a library prompt at a pinned version: it sees `input`, `output`, `expected` and `metadata`. */
        rubric: z.object({ name: z.string().min(1).max(200), version: z.number().int().min(1) }).strict(),
        model: z.string().min(3).max(200),
        /** The score from which a row passes (0.5 when absent). */
        threshold: z.number().min(0).max(1).optional(),
      })
      .meta({ description: 'A model grades the output with a rubric kept in the prompt library, answering a score from 0 to 1 and why' }),
  ])
  .meta({ id: 'Scorer' });
export type Scorer = z.infer<typeof Scorer>;

export const SCORERS_MAX = 20;
