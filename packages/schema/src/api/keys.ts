import { z } from 'zod';
import { Timestamp } from './common.js';
import { KEY_NAME_MAX, KEY_SLUGS_MAX, RATE_LIMIT_REQUESTS_MAX, RATE_LIMIT_WINDOW_MAX_SECONDS } from './limits.js';
import { Slug } from './publishing.js';

export const RateLimit = z
  .object({
    /** Requests allowed per window. */
    requests: z.number().int().min(1).max(RATE_LIMIT_REQUESTS_MAX),
    windowSeconds: z.number().int().min(1).max(RATE_LIMIT_WINDOW_MAX_SECONDS),
  })
  .meta({ id: 'RateLimit' });
export type RateLimit = z.infer<typeof RateLimit>;

export const CreateKeyRequest = z
  .object({
    name: z.string().min(1).max(KEY_NAME_MAX),
    slugs: z.array(Slug).max(KEY_SLUGS_MAX).nullable().optional().meta({ description: 'Slugs the key may call; every slug when absent' }),
    rateLimit: RateLimit.nullable().optional().meta({ description: 'Requests per window; 600 a minute when absent, none when null' }),
  })
  .strict()
  .meta({ id: 'CreateKey' });
export type CreateKeyRequest = z.infer<typeof CreateKeyRequest>;

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The first characters of the secret, to recognise it in a list. */
    prefix: z.string(),
    /** Slugs the key may call; null for every slug. */
    slugs: z.array(z.string()).nullable(),
    rateLimit: RateLimit.nullable(),
    createdAt: Timestamp,
    revokedAt: Timestamp.optional(),
    lastUsedAt: Timestamp.optional(),
  })
  .meta({ id: 'ApiKey' });
export type ApiKey = z.infer<typeof ApiKey>;

export const CreatedKey = z
  .object({ key: ApiKey, secret: z.string().meta({ description: 'Shown once; only its hash is stored' }) })
  .meta({ id: 'CreatedKey' });
export type CreatedKey = z.infer<typeof CreatedKey>;
