import { z } from 'zod';

/** A model the editor's picker offers (GET /api/models). */
export const ModelOption = z
  .object({
    /** `provider:model`, e.g. `openai:gpt-4.1-mini`. */
    id: z.string().meta({ example: 'openai:gpt-4.1-mini' }),
    provider: z.string().meta({ example: 'openai' }),
    /** Whether the runner has what the provider needs (its key); never the key itself. */
    configured: z.boolean().meta({ description: "Whether the runner has what the model's provider needs (its key)" }),
    /** USD per million tokens, when the price table knows the model. */
    price: z
      .object({ inputPerMillionUsd: z.number(), outputPerMillionUsd: z.number() })
      .optional()
      .meta({ description: 'USD per million tokens, from the price table' }),
  })
  .meta({ id: 'ModelOption' });
export type ModelOption = z.infer<typeof ModelOption>;

export const ModelProviderInfo = z
  .object({
    id: z.string().meta({ example: 'anthropic' }),
    configured: z.boolean(),
    /** What runs do with this provider, in words (e.g. that they fall back to the test provider). */
    note: z.string().optional().meta({ description: 'What runs do with this provider, in words' }),
  })
  .meta({ id: 'ModelProvider' });
export type ModelProviderInfo = z.infer<typeof ModelProviderInfo>;

export const ModelCatalog = z
  .object({
    items: z.array(ModelOption),
    providers: z.array(ModelProviderInfo),
    /** Settings the runner could not read (e.g. a malformed TRELLIS_MODEL_PRICES). */
    warnings: z.array(z.string()).optional().meta({ description: 'Settings the runner could not read' }),
  })
  .meta({ id: 'ModelList' });
export type ModelCatalog = z.infer<typeof ModelCatalog>;
