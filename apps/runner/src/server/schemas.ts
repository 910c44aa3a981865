import { z } from '@hono/zod-openapi';
import { ERROR_CATALOG, ErrorBody, ID_PARAM_MAX, type ErrorCode, type ErrorSpec } from '@trellis/schema';

/**
 * Route declarations built from the contract's schemas (packages/schema/src/api): the payloads
 * live there; what is here is how HTTP carries them.
 */

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ content: { 'application/json': { schema } }, description });

/** A required JSON body. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });

type Status = ErrorSpec['status'];
/** The error answers a route may give, each described by the catalog's codes with that status. */
export const errorResponses = (...statuses: Status[]) =>
  Object.fromEntries(statuses.map((s) => [s, json(ErrorBody, describeStatus(s))])) as Record<number, ReturnType<typeof json<typeof ErrorBody>>>;

function describeStatus(status: Status): string {
  const codes = (Object.entries(ERROR_CATALOG) as Array<[ErrorCode, ErrorSpec]>).filter(([, spec]) => spec.status === status);
  return codes.map(([code, spec]) => `\`${code}\`: ${spec.message}`).join('; ') || 'Error';
}

/** A path parameter `{id}`. */
export const IdParam = z.object({ id: z.string().min(1).max(ID_PARAM_MAX).openapi({ param: { name: 'id', in: 'path' } }) });
