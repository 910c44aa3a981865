import type { LanguageModelV3, LanguageModelV3Middleware, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import type { Budget, Usage } from '@trellis/schema';
import { TrellisError, addCallUsage, emptyUsage, priceTable } from '@trellis/nodes/server';
import { wrapLanguageModel } from 'ai';

export { emptyUsage };

/**
 * The price table, or none when TRELLIS_MODEL_PRICES is malformed (GET /api/models reports it):
 * for model calls made outside a run (a prompt's "Try it", an experiment's judge), whose cost is
 * then unknown rather than an error.
 */
export function knownPrices(): Record<string, readonly [number, number]> {
  try {
    return priceTable();
  } catch {
    return {};
  }
}

/**
 * Counts every model call and its tokens into the node's and the run's usage, and enforces
 * the run's budget: a call over `maxModelCalls` is refused before it is made; a call that
 * takes the run over `maxTokens` or `maxCostUsd` fails the step once its usage is known.
 * Built as AI SDK middleware, so the wrapped model is a model like any other (provider, id and
 * supported URLs pass through) and both ways of calling it are metered.
 */
export function metered(
  inner: LanguageModelV3,
  accounts: { run: Usage; node: Usage },
  budget: Budget | undefined,
  prices: Record<string, readonly [number, number]>,
): LanguageModelV3 {
  const before = () => {
    if (budget?.maxModelCalls !== undefined && accounts.run.modelCalls >= budget.maxModelCalls) {
      throw budgetError(`the run has made its ${budget.maxModelCalls} allowed model calls`);
    }
    if (budget?.maxTokens !== undefined && accounts.run.totalTokens >= budget.maxTokens) {
      throw budgetError(`the run has used its ${budget.maxTokens} allowed tokens`);
    }
    accounts.run.modelCalls++;
    accounts.node.modelCalls++;
  };
  const after = (usage: LanguageModelV3Usage) => {
    // The SDK's provider ids read `openai.chat`, `ollama.chat`: prices are keyed by the first part.
    const call = { provider: inner.provider.split('.')[0]!, modelId: inner.modelId, inputTokens: usage.inputTokens.total ?? 0, outputTokens: usage.outputTokens.total ?? 0 };
    for (const account of [accounts.run, accounts.node]) addCallUsage(account, prices, call);
    if (budget?.maxTokens !== undefined && accounts.run.totalTokens > budget.maxTokens) {
      return budgetError(`the run used ${accounts.run.totalTokens} tokens, over its budget of ${budget.maxTokens}`);
    }
    if (budget?.maxCostUsd !== undefined && (accounts.run.costUsd ?? 0) > budget.maxCostUsd) {
      return budgetError(`the run cost $${accounts.run.costUsd?.toFixed(4)}, over its budget of $${budget.maxCostUsd}`);
    }
    return undefined;
  };
  const meter: LanguageModelV3Middleware = {
    specificationVersion: 'v3',
    async wrapGenerate({ doGenerate }) {
      before();
      const result = await doGenerate();
      const over = after(result.usage);
      if (over) throw over;
      return result;
    },
    async wrapStream({ doStream }) {
      before();
      const result = await doStream();
      const stream = result.stream.pipeThrough(
        new TransformStream<LanguageModelV3StreamPart, LanguageModelV3StreamPart>({
          transform(part, controller) {
            if (part.type === 'finish') {
              const over = after(part.usage);
              if (over) return controller.error(over);
            }
            controller.enqueue(part);
          },
        }),
      );
      return { ...result, stream };
    },
  };
  return wrapLanguageModel({ model: inner, middleware: meter });
}

function budgetError(what: string): TrellisError {
  return new TrellisError('budget_exceeded', `budget exceeded: ${what}. Raise the flow's budget or make the step cheaper.`);
}
