import { z } from '@hono/zod-openapi';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '@trellis/schema';

/** Payloads of the HTTP API. The flow document itself is checked by the flow loader, not here. */

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'not_found' }),
      message: z.string().openapi({ example: 'there is no flow "triage"' }),
      details: z.unknown().optional(),
    }),
  })
  .openapi('Error');

const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });
export const errorResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorSchema, ERROR_TEXT[s] ?? 'Error')])) as Record<number, ReturnType<typeof json<typeof ErrorSchema>>>;
const ERROR_TEXT: Record<number, string> = {
  400: 'The request is malformed or a field is wrong (details name it)',
  401: 'Missing or wrong credentials',
  403: 'The credentials do not allow this',
  404: 'No such resource',
  409: 'The resource is in another state',
  413: 'The body is larger than the limit',
  422: 'The flow has problems (details list them)',
  429: 'Rate limited; see Retry-After',
  502: 'The run failed',
};
export { json };

export const FlowId = z.string().min(1).max(64).regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'use letters, digits, "-" and "_"');
export const Slug = z
  .string()
  .min(1)
  .max(SLUG_MAX_LENGTH)
  .regex(SLUG_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit');

export const FlowDocument = z
  .object({ schema: z.string(), id: z.string(), name: z.string(), nodes: z.array(z.unknown()), edges: z.array(z.unknown()) })
  .passthrough()
  .openapi('FlowDocument', { description: 'A flow in the trellis.flow/v1 format (see `trellis schema`).' });

export const Problem = z
  .object({
    severity: z.enum(['error', 'warning']),
    code: z.string(),
    message: z.string(),
    nodeId: z.string().optional(),
    edgeId: z.string().optional(),
    path: z.array(z.union([z.string(), z.number()])),
  })
  .openapi('Problem');

export const FlowSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().optional(),
    latestVersion: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('FlowSummary');

export const StoredFlow = FlowSummary.extend({ document: FlowDocument, problems: z.array(Problem) }).openapi('Flow');

export const FlowVersionSummary = z
  .object({ flowId: z.string(), version: z.number().int(), createdAt: z.string(), message: z.string().optional(), author: z.string().optional() })
  .openapi('FlowVersionSummary');
export const FlowVersion = FlowVersionSummary.extend({ document: FlowDocument }).openapi('FlowVersion');

export const RestoreFlow = z
  .object({
    version: z.number().int().min(1).openapi({ description: 'The version whose document becomes the new version' }),
    message: z.string().max(500).optional(),
    author: z.string().trim().min(1).max(200).optional(),
    expectVersion: z.number().int().min(0).optional().openapi({ description: 'Refused with 409 when the latest version is another one' }),
  })
  .strict()
  .openapi('RestoreFlow');

export const Usage = z
  .object({
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    totalTokens: z.number().int(),
    modelCalls: z.number().int(),
    costUsd: z.number().nullable(),
  })
  .openapi('Usage');

export const RunStatus = z.enum(['queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled']).openapi('RunStatus');
export const ErrorInfo = z
  .object({ code: z.string(), message: z.string(), retryable: z.boolean().optional(), nodeId: z.string().optional() })
  .openapi('RunError');

export const Approval = z
  .object({
    id: z.string(),
    runId: z.string(),
    flowId: z.string(),
    nodeId: z.string(),
    waitId: z.string(),
    kind: z.enum(['approval', 'tool_approval']),
    message: z.string(),
    payload: z.unknown().optional(),
    deadline: z.string().optional(),
    status: z.enum(['pending', 'approved', 'rejected', 'timed_out', 'cancelled']),
    createdAt: z.string(),
    decidedAt: z.string().optional(),
    decidedBy: z.string().optional(),
    comment: z.string().optional(),
    editedPayload: z.unknown().optional(),
  })
  .openapi('Approval');

export const Run = z
  .object({
    id: z.string(),
    flowId: z.string(),
    flowVersion: z.number().int().optional(),
    status: RunStatus,
    input: z.unknown(),
    output: z.unknown().optional(),
    error: ErrorInfo.optional(),
    usage: Usage,
    labels: z.record(z.string(), z.string()).optional(),
    prompts: z
      .array(z.object({ ref: z.string(), name: z.string(), version: z.number().int(), nodeId: z.string(), field: z.string() }))
      .optional()
      .openapi({ description: 'The library prompt versions the run used, pinned when it started' }),
    createdAt: z.string(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    durationMs: z.number().optional(),
  })
  .openapi('Run');
export const RunDetail = Run.extend({ approvals: z.array(Approval) }).openapi('RunDetail');

export const StartRun = z
  .object({
    input: z.unknown().optional().openapi({ description: "The run's input, checked against the flow's input schema" }),
    version: z.number().int().min(1).optional().openapi({ description: 'The flow version to run; the latest when absent' }),
    mocks: z.record(z.string(), z.unknown()).optional().openapi({ description: 'Replies for the test provider, by node id' }),
  })
  .strict()
  .openapi('StartRun');

export const RunEvent = z
  .object({ runId: z.string(), seq: z.number().int(), ts: z.string(), type: z.string(), nodeId: z.string().optional(), data: z.unknown() })
  .openapi('RunEvent');

export const DecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']),
    comment: z.string().max(10_000).optional(),
    payload: z.unknown().optional().openapi({ description: 'The edited payload, when the approver changed it' }),
    by: z.string().min(1).max(200).optional().openapi({ description: 'Who decided; kept in the trace' }),
  })
  .strict()
  .openapi('Decision');

export const CorsSettings = z.object({ origins: z.array(z.union([z.literal('*'), z.string().url()])).max(100) }).openapi('Cors');

export const PublishBody = z
  .object({
    slug: Slug,
    version: z.number().int().min(1).optional().openapi({ description: 'The version to serve; the latest when absent' }),
    cors: CorsSettings.nullable().optional(),
  })
  .strict()
  .openapi('Publish');

export const Published = z
  .object({ slug: z.string(), flowId: z.string(), version: z.number().int(), cors: CorsSettings.nullable(), createdAt: z.string(), url: z.string() })
  .openapi('Published');

export const RateLimit = z.object({ requests: z.number().int().min(1).max(1_000_000), windowSeconds: z.number().int().min(1).max(86_400) }).openapi('RateLimit');

export const CreateKey = z
  .object({
    name: z.string().min(1).max(200),
    slugs: z.array(Slug).max(1000).nullable().optional().openapi({ description: 'Slugs the key may call; every slug when absent' }),
    rateLimit: RateLimit.nullable().optional().openapi({ description: 'Requests per window; 600 a minute when absent, none when null' }),
  })
  .strict()
  .openapi('CreateKey');

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string(),
    slugs: z.array(z.string()).nullable(),
    rateLimit: RateLimit.nullable(),
    createdAt: z.string(),
    revokedAt: z.string().optional(),
    lastUsedAt: z.string().optional(),
  })
  .openapi('ApiKey');

export const CreatedKey = z.object({ key: ApiKey, secret: z.string().openapi({ description: 'Shown once; only its hash is stored' }) }).openapi('CreatedKey');

export const IdParam = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) });
