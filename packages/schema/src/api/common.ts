import { z } from 'zod';
import { ERROR_CODES } from '../errors.js';

/** Every error answer: `{ error: { code, message, details? } }`, the status given by the catalog (errors.ts). */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.enum(ERROR_CODES as [string, ...string[]]).meta({ example: 'not_found' }),
      message: z.string().meta({ example: 'there is no flow "triage"' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** A list answer: `{ items }`. */
export const Items = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });
export interface Items<T> {
  items: T[];
}

/** A page of a longer list: the `nextCursor` asks for the next one. */
export const Page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** Timestamps are ISO 8601 strings, UTC. */
export const Timestamp = z.string().meta({ description: 'ISO 8601, UTC', example: '2026-01-31T12:00:00.000Z' });
