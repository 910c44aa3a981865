import { z } from 'zod';
import { ID_PATTERN } from '../flow.js';
import { Timestamp } from './common.js';
import { CREDENTIAL_NAME_MAX, CREDENTIAL_VALUE_MAX } from './limits.js';

/** How a flow names a secret (`http.auth.secret`) and the API's path names one: like an id. */
export const CredentialName = z
  .string()
  .min(1)
  .max(CREDENTIAL_NAME_MAX)
  .regex(ID_PATTERN, 'must start with a letter or _ and use only letters, digits, _ and -')
  .meta({ example: 'crm-token' });

/** A model provider's name, as in `provider:model` (e.g. `openai`, or an OpenAI-compatible server's name). */
export const ProviderName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_-]*$/, 'must be lowercase letters, digits, _ and -, starting with a letter')
  .meta({ example: 'openai' });

/** `provider`: a model provider's key; `secret`: a value HTTP tools send by name. */
export const CredentialKind = z.enum(['provider', 'secret']);
export type CredentialKind = z.infer<typeof CredentialKind>;

/** A stored credential as the API shows it: never its value. */
export const Credential = z
  .object({
    name: z.string(),
    kind: CredentialKind,
    /** For a provider key: which provider it is for. */
    provider: z.string().optional(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastUsedAt: Timestamp.optional(),
  })
  .meta({ id: 'Credential' });
export type Credential = z.infer<typeof Credential>;

export const PutCredentialRequest = z
  .object({
    kind: CredentialKind,
    provider: ProviderName.optional().meta({ description: 'Required for kind "provider": the provider the key is for' }),
    value: z.string().min(1).max(CREDENTIAL_VALUE_MAX).meta({ description: 'Write-only: stored encrypted, never sent back' }),
  })
  .strict()
  .refine((body) => (body.kind === 'provider') === (body.provider !== undefined), {
    message: 'a provider key names its provider ("provider"); a secret names none',
    path: ['provider'],
  })
  .meta({ id: 'PutCredential' });
export type PutCredentialRequest = z.infer<typeof PutCredentialRequest>;

/** Where a provider's key comes from: the runner's environment wins over a stored credential. */
export const ProviderStatus = z
  .object({
    id: z.string().meta({ example: 'openai' }),
    configured: z.boolean(),
    source: z.enum(['env', 'credential', 'none', 'local']).meta({ description: "Where its key comes from: 'env' wins over 'credential'; 'local' needs none" }),
    /** The credential that holds its key, when that is where it comes from. */
    credential: z.string().optional(),
    note: z.string().optional().meta({ description: 'What runs do with this provider, in words' }),
  })
  .meta({ id: 'ProviderStatus' });
export type ProviderStatus = z.infer<typeof ProviderStatus>;

export const ProviderTestResult = z
  .object({
    ok: z.boolean(),
    /** What the call found, in words (never the key). */
    message: z.string(),
    durationMs: z.number(),
  })
  .meta({ id: 'ProviderTestResult' });
export type ProviderTestResult = z.infer<typeof ProviderTestResult>;
