import { z } from 'zod';
import { SLUG_MAX_LENGTH, SLUG_PATTERN } from '../slug.js';
import { Timestamp } from './common.js';
import { CORS_ORIGINS_MAX } from './limits.js';

/** A published flow's slug, as a request names it. */
export const Slug = z
  .string()
  .min(1)
  .max(SLUG_MAX_LENGTH)
  .regex(SLUG_PATTERN, 'use lowercase letters, digits and "-", starting with a letter or digit');

export const CorsSettings = z
  .object({
    /** Origins allowed to call the endpoint from a browser; `*` for any. */
    origins: z.array(z.union([z.literal('*'), z.url()])).max(CORS_ORIGINS_MAX).meta({ description: 'Origins allowed to call the endpoint from a browser; `*` for any' }),
  })
  .meta({ id: 'Cors' });
export type CorsSettings = z.infer<typeof CorsSettings>;

export const PublishRequest = z
  .object({
    slug: Slug,
    version: z.number().int().min(1).optional().meta({ description: 'The version to serve; the latest when absent' }),
    cors: CorsSettings.nullable().optional(),
    override: z
      .object({
        reason: z.string().trim().min(3, 'say why (at least 3 characters)').max(1000),
        by: z.string().trim().min(1).max(100).optional(),
      })
      .strict()
      .optional()
      .meta({ description: "Publish although the flow's publish gate fails: why, and who says so. The flow's publish log keeps both." }),
  })
  .strict()
  .meta({ id: 'Publish' });
export type PublishRequest = z.infer<typeof PublishRequest>;

/** A published endpoint as the store keeps it. */
export const PublishedEndpoint = z.object({
  slug: z.string(),
  flowId: z.string(),
  version: z.number().int(),
  cors: CorsSettings.nullable(),
  createdAt: Timestamp,
});
export type PublishedEndpoint = z.infer<typeof PublishedEndpoint>;

/** A published endpoint as the API shows it, with the path it answers on. */
export const Published = PublishedEndpoint.extend({ url: z.string().meta({ example: '/v1/flows/triage' }) }).meta({ id: 'Published' });
export type Published = z.infer<typeof Published>;

/** One publish of a flow, as its publish log keeps it: which version went out under which slug, and how its gate went. */
export const PublishRecord = z
  .object({
    flowId: z.string(),
    version: z.number().int(),
    slug: z.string(),
    at: Timestamp,
    /** `passed`: the gate ran and passed; `overridden`: it failed and someone published anyway; `none`: the flow has no gate. */
    gate: z.enum(['passed', 'overridden', 'none']),
    reason: z.string().optional(),
    by: z.string().optional(),
    /** The cases that failed, when the gate was overridden. */
    failedCases: z.array(z.string()).optional(),
  })
  .meta({ id: 'PublishRecord' });
export type PublishRecord = z.infer<typeof PublishRecord>;
