import { z } from 'zod';
import { JsonSchemaObject } from '../../lib/json-schema.js';

/** What every tool shares: how an agent sees it, and whether a person approves each call. */
export const common = {
  /** The name an agent calls it by; defaults to the node id. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')
    .optional(),
  description: z.string().max(2_000).optional(),
  /** JSON Schema of the arguments an agent passes (templates see them as `args`). */
  parameters: JsonSchemaObject.optional(),
  /** Pause the run for a person's approval before each call an agent makes. */
  requiresApproval: z.boolean().default(false),
};
