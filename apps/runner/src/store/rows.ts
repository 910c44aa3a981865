import type { ErrorInfo, FlowPin, PromptPin, RunEvent, RunParent, Usage } from '@trellis/schema';
import { LRUCache } from 'lru-cache';
import type { Selectable } from 'kysely';
import type { ApiKeysTable, ApprovalsTable, PublishedTable, RunEventsTable, RunsTable } from './tables.js';
import type { ApiKey, Approval, CorsSettings, PublishedEndpoint, RateLimit, RunSummary } from './types.js';

/** JSON in a text column; `undefined` becomes NULL so that it comes back as `undefined`, not `null`. */
export function toJson(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

export function fromJson<T = unknown>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** Copies the non-null entries: optional fields are absent rather than null, as in the domain types. */
export function present<T extends object>(fields: T): { [K in keyof T]?: NonNullable<T[K]> } {
  const out: Partial<Record<keyof T, unknown>> = {};
  for (const key of Object.keys(fields) as (keyof T)[]) {
    if (fields[key] !== null && fields[key] !== undefined) out[key] = fields[key];
  }
  return out as { [K in keyof T]?: NonNullable<T[K]> };
}

/**
 * A Map that forgets its least recently used entry past `limit` (lru-cache; `peek` reads without
 * counting as a use).
 */
export class BoundedMap<K extends NonNullable<unknown>, V extends NonNullable<unknown>> extends LRUCache<K, V> {
  constructor(limit: number) {
    super({ max: limit });
  }
}

export type SummaryRow = Pick<
  Selectable<RunsTable>,
  'id' | 'flow_id' | 'flow_version' | 'status' | 'input' | 'output' | 'error' | 'usage' | 'labels' | 'prompts' | 'parent' | 'flow_pins' | 'created_at' | 'started_at' | 'finished_at'
>;

export const summaryColumns = ['id', 'flow_id', 'flow_version', 'status', 'input', 'output', 'error', 'usage', 'labels', 'prompts', 'parent', 'flow_pins', 'created_at', 'started_at', 'finished_at'] as const;

export function toRunSummary(row: SummaryRow): RunSummary {
  return {
    id: row.id,
    flowId: row.flow_id,
    ...present({ flowVersion: row.flow_version }),
    status: row.status,
    input: fromJson(row.input),
    ...present({ output: fromJson(row.output), error: fromJson<ErrorInfo>(row.error) }),
    usage: fromJson<Usage>(row.usage)!,
    ...present({ labels: fromJson<Record<string, string>>(row.labels), prompts: fromJson<PromptPin[]>(row.prompts) }),
    ...present({ flows: fromJson<FlowPin[]>(row.flow_pins), parent: fromJson<RunParent>(row.parent) }),
    createdAt: row.created_at,
    ...present({ startedAt: row.started_at, finishedAt: row.finished_at }),
  };
}

export function toEvent(runId: string, row: Pick<Selectable<RunEventsTable>, 'seq' | 'ts' | 'type' | 'node_id' | 'path' | 'data'>): RunEvent {
  // Stored events were valid when the engine emitted them; the store does not re-check them.
  return {
    runId, seq: row.seq, ts: row.ts, type: row.type, ...present({ nodeId: row.node_id }),
    ...(row.path ? { path: JSON.parse(row.path) as unknown[] } : {}),
    data: JSON.parse(row.data),
  } as RunEvent;
}

export function toApproval(row: Selectable<ApprovalsTable>): Approval {
  return {
    id: row.id,
    runId: row.run_id,
    flowId: row.flow_id,
    nodeId: row.node_id,
    waitId: row.wait_id,
    kind: row.kind,
    message: row.message,
    ...present({ payload: fromJson(row.payload), schema: fromJson<Record<string, unknown>>(row.answer_schema), deadline: row.deadline }),
    status: row.status,
    createdAt: row.created_at,
    ...present({ decidedAt: row.decided_at, decidedBy: row.decided_by, comment: row.comment }),
    // A question's answer is kept where an approver's edited payload is.
    ...present(row.kind === 'question' ? { answer: fromJson(row.edited_payload) } : { editedPayload: fromJson(row.edited_payload) }),
  };
}

export function toPublished(row: Selectable<PublishedTable>): PublishedEndpoint {
  return { slug: row.slug, flowId: row.flow_id, version: row.version, cors: fromJson<CorsSettings>(row.cors) ?? null, createdAt: row.created_at };
}

export function toApiKey(row: Omit<Selectable<ApiKeysTable>, 'hash'>): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    slugs: fromJson<string[]>(row.slugs) ?? null,
    rateLimit: fromJson<RateLimit>(row.rate_limit) ?? null,
    createdAt: row.created_at,
    ...present({ revokedAt: row.revoked_at, lastUsedAt: row.last_used_at }),
  };
}

/** A constraint that a concurrent writer won the race for, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
