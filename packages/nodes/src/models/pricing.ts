import type { Usage } from '@trellis/schema';

/**
 * Prices in USD per million tokens (input, output), as the providers list them. A model not
 * listed has no known cost: the trace says "cost unknown" rather than guessing.
 * Override or extend with TRELLIS_MODEL_PRICES='{"openai:my-model":[1.5,6]}'.
 */
const PRICES: Record<string, readonly [number, number]> = {
  'openai:gpt-4.1': [2, 8],
  'openai:gpt-4.1-mini': [0.4, 1.6],
  'openai:gpt-4.1-nano': [0.1, 0.4],
  'openai:gpt-4o': [2.5, 10],
  'openai:gpt-4o-mini': [0.15, 0.6],
  'openai:o4-mini': [1.1, 4.4],
  'anthropic:claude-sonnet-4-5': [3, 15],
  'anthropic:claude-haiku-4-5': [1, 5],
  'anthropic:claude-opus-4-1': [15, 75],
};

export function priceTable(env: Record<string, string | undefined> = process.env): Record<string, readonly [number, number]> {
  const extra = env.TRELLIS_MODEL_PRICES;
  if (!extra) return PRICES;
  try {
    return { ...PRICES, ...(JSON.parse(extra) as Record<string, [number, number]>) };
  } catch {
    throw new Error('TRELLIS_MODEL_PRICES is not valid JSON: expected {"provider:model": [inputPerMillion, outputPerMillion]}');
  }
}

/** Cost in USD, 0 for the test provider and local servers, undefined when the price is not known. */
export function costOf(
  prices: Record<string, readonly [number, number]>,
  provider: string,
  modelId: string,
  inputTokens: number,
  outputTokens: number,
): number | undefined {
  if (provider === 'test') return 0;
  const price = prices[`${provider}:${modelId}`];
  if (!price) return undefined;
  return (inputTokens * price[0] + outputTokens * price[1]) / 1_000_000;
}

/** No model call yet: the start of a run's, a node's or a try's account. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 };
}

/**
 * Adds one model call's tokens and cost to an account. The cost stays known only while every
 * call's price is known: one call of a model with no price makes the account's cost unknown
 * (null) rather than too low. `provider` is the provider's name as model ids spell it (`openai`).
 */
export function addCallUsage(
  account: Usage,
  prices: Record<string, readonly [number, number]>,
  call: { provider: string; modelId: string; inputTokens: number; outputTokens: number },
): void {
  const cost = costOf(prices, call.provider, call.modelId, call.inputTokens, call.outputTokens);
  account.inputTokens += call.inputTokens;
  account.outputTokens += call.outputTokens;
  account.totalTokens += call.inputTokens + call.outputTokens;
  account.costUsd = account.costUsd === null || cost === undefined ? null : account.costUsd + cost;
}
