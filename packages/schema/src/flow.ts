import { z } from 'zod';
import { TAG_MAX_LENGTH, TAGS_MAX } from './names.js';
import { Assertion, CaseAnswer, MAX_CASE_ASSERTIONS, SCORERS_MAX, Scorer } from './test-cases.js';

/** The current flow document version. Older documents are migrated on read (see migrate.ts). */
export const FLOW_SCHEMA_V1 = 'trellis.flow/v1';

/** Ids appear in URLs, templates (`nodes.<id>.output`) and expressions, so keep them plain. */
export const ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;
export const MAX_ID_LENGTH = 64;
export const Id = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`)
  .regex(ID_PATTERN, 'must start with a letter or _ and use only letters, digits, _ and -');

/**
 * Turns any text into something `Id` accepts (letters, digits, `_`, `-`, not starting with a
 * digit or `-`), leaving room for a `-N` suffix, so a kind's name or a label can seed an id.
 */
export function idBase(text: string): string {
  let base = text.replace(/[^A-Za-z0-9_-]+/g, '_');
  if (!/^[A-Za-z_]/.test(base)) base = `_${base}`;
  return base.slice(0, MAX_ID_LENGTH - 6) || 'node';
}

/**
 * The first free node id of the form `base`, `base-2`, `base-3`, … A copy of `classify-2` is
 * named from `classify`, so copies read `classify-3` rather than `classify-2-2`.
 */
export function uniqueId(wanted: string, taken: ReadonlySet<string>): string {
  const base = idBase(wanted.replace(/-\d+$/, ''));
  if (!taken.has(base) && ID_PATTERN.test(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken.has(id)) return id;
  }
}

/** Edge ids are `e1`, `e2`, …: short, and nobody reads them but the file. */
export function uniqueEdgeId(taken: ReadonlySet<string>): string {
  for (let n = taken.size + 1; ; n++) {
    const id = `e${n}`;
    if (!taken.has(id)) return id;
  }
}

export const Position = z.object({ x: z.number(), y: z.number() });

/** How the engine runs one node: a bound on time and a retry policy for retryable errors. */
export const NodePolicy = z.object({
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  backoffMs: z.number().int().min(0).max(600_000).optional(),
});
export type NodePolicy = z.infer<typeof NodePolicy>;

export const FlowNode = z.object({
  id: Id,
  type: z.string().min(1, 'must name a node kind'),
  /** The version of the kind's config this node was written for; kinds migrate older configs. */
  typeVersion: z.number().int().min(1).optional(),
  name: z.string().max(200).optional(),
  position: Position.default({ x: 0, y: 0 }),
  config: z.record(z.string(), z.unknown()).default({}),
  policy: NodePolicy.optional(),
  /**
   * The container (a `map` or `loop`) whose body this node belongs to. A body's edges stay
   * inside it, and its nodes run once per item or iteration of the container.
   */
  parent: Id.optional(),
  /** The size a container is drawn at on the canvas (its body's nodes sit inside, placed relative to it). */
  size: z.object({ width: z.number().min(40).max(50_000), height: z.number().min(40).max(50_000) }).optional(),
  /** A container drawn folded to one node showing a summary of its body. */
  collapsed: z.boolean().optional(),
});
export type FlowNode = z.infer<typeof FlowNode>;

/** The handles an edge joins when the file leaves them out: the usual `out` → `in`. */
export const DEFAULT_SOURCE_HANDLE = 'out';
export const DEFAULT_TARGET_HANDLE = 'in';

export const FlowEdge = z.object({
  id: Id,
  source: Id,
  sourceHandle: z.string().min(1).default(DEFAULT_SOURCE_HANDLE),
  target: Id,
  targetHandle: z.string().min(1).default(DEFAULT_TARGET_HANDLE),
});
export type FlowEdge = z.infer<typeof FlowEdge>;

export const Budget = z.object({
  maxModelCalls: z.number().int().min(1).max(100_000).optional(),
  maxTokens: z.number().int().min(1).optional(),
  maxCostUsd: z.number().positive().optional(),
});
export type Budget = z.infer<typeof Budget>;

const MockToolCall = z.object({
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
});

/** One scripted reply of the test provider: text, a structured object, tool calls, or an error. */
export const MockReply = z
  .object({
    text: z.string().optional(),
    object: z.unknown().optional(),
    toolCalls: z.array(MockToolCall).max(32).optional(),
    error: z.object({ status: z.number().int().optional(), message: z.string() }).optional(),
    /** Delay before the reply, to rehearse slow models and timeouts. */
    delayMs: z.number().int().min(0).max(600_000).optional(),
  })
  .strict();
export type MockReply = z.infer<typeof MockReply>;

/** Replies per node id; a list is played one reply per model call. */
export const MockScript = z.record(z.string(), z.union([MockReply, z.array(MockReply).max(1000)]));
export type MockScript = z.infer<typeof MockScript>;

/**
 * A sample input saved with the flow, and a test case of it (test-cases.ts): `trellis test`, the
 * editor's Tests tab and the publish gate run it offline with its mock script and check `expect`.
 */
export const Sample = z.object({
  name: z.string().min(1).max(100),
  description: z.string().optional(),
  input: z.unknown(),
  mocks: MockScript.optional(),
  /** What the run must do; a sample without it must succeed. */
  expect: z.array(Assertion).max(MAX_CASE_ASSERTIONS, `a case holds at most ${MAX_CASE_ASSERTIONS} assertions`).optional(),
  /** The answers the case gives the people the run asks, by step id (or asking agent, or wait id). */
  answers: z.record(z.string(), CaseAnswer).optional(),
});
export type Sample = z.infer<typeof Sample>;

/** What a version must pass before it is published (an override, with a reason, goes past it). */
export const PublishGate = z.object({
  /** Every test case (sample) passes, run offline as `trellis test` runs them. */
  cases: z.boolean().optional(),
  /**
   * An experiment on a dataset (its latest version, offline) scores at least `minScore`, and no
   * more than `maxDrop` below the version the slug serves now. The score is the mean of the first
   * scorer (or of `scorer`, by id).
   */
  experiment: z
    .object({
      dataset: Id,
      scorers: z.array(Scorer).min(1).max(SCORERS_MAX),
      scorer: z.string().max(40).optional(),
      minScore: z.number().min(0).max(1).optional(),
      maxDrop: z.number().min(0).max(1).optional(),
    })
    .strict()
    .optional(),
});
export type PublishGate = z.infer<typeof PublishGate>;

export const FlowSettings = z.object({
  budget: Budget.optional(),
  gate: PublishGate.optional(),
});

/** A flow's tag, kept normalised (`normalizeTag`) so "Billing" and "billing " are one tag. */
export const FlowTag = z
  .string()
  .min(1, 'must not be empty')
  .max(TAG_MAX_LENGTH, `must be at most ${TAG_MAX_LENGTH} characters`)
  .regex(/^[^\s\p{Cc}\p{Lu}]+$/u, 'must be lowercase, with "-" instead of spaces');

export const Flow = z.object({
  schema: z.literal(FLOW_SCHEMA_V1),
  id: Id,
  name: z.string().min(1, 'must not be empty').max(200),
  description: z.string().max(10_000).optional(),
  /** Words that group flows in the list (see `normalizeTag`: lowercase, no spaces). */
  tags: z.array(FlowTag).max(TAGS_MAX, `a flow has at most ${TAGS_MAX} tags`).optional(),
  /** Constants the flow's templates and expressions see as `vars`. */
  vars: z.record(z.string(), z.unknown()).optional(),
  settings: FlowSettings.optional(),
  nodes: z.array(FlowNode).max(5000, 'a flow holds at most 5000 nodes'),
  edges: z.array(FlowEdge).max(20_000, 'a flow holds at most 20000 edges'),
  /** Sample inputs (and mock scripts) saved with the flow for test runs. */
  samples: z.array(Sample).max(100).optional(),
});
export type Flow = z.infer<typeof Flow>;

/**
 * One edge with its handles spelled out (a handle left out, empty or `null`, as a canvas gives
 * for a handle without an id, is the default one).
 */
export function edgeWithHandles<E extends { source: string; target: string; sourceHandle?: string | null | undefined; targetHandle?: string | null | undefined }>(
  edge: E,
): Omit<E, 'sourceHandle' | 'targetHandle'> & { sourceHandle: string; targetHandle: string } {
  return { ...edge, sourceHandle: edge.sourceHandle || DEFAULT_SOURCE_HANDLE, targetHandle: edge.targetHandle || DEFAULT_TARGET_HANDLE };
}

/**
 * The flow with every edge's handles spelled out, for code that reads a document as stored
 * (not parsed by `Flow`, which fills them in) and compares handles.
 */
export function withEdgeHandles<F extends Pick<Flow, 'edges'>>(doc: F): F {
  if (doc.edges.every((e) => e.sourceHandle && e.targetHandle)) return doc;
  return {
    ...doc,
    edges: doc.edges.map((e) => (e.sourceHandle && e.targetHandle ? e : edgeWithHandles(e))),
  };
}
