import type { LanguageModelV3, LanguageModelV3StreamPart, LanguageModelV3Usage } from '@ai-sdk/provider';
import type { Budget, Usage } from '@trellis/schema';
import { TrellisError, costOf } from '@trellis/nodes/server';

export function emptyUsage(): Usage {
  return { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, costUsd: 0 };
}

/**
 * Counts every model call and its tokens into the node's and the run's usage, and enforces
 * the run's budget: a call over `maxModelCalls` is refused before it is made; a call that
 * takes the run over `maxTokens` or `maxCostUsd` fails the step once its usage is known.
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
    const input = usage.inputTokens.total ?? 0;
    const output = usage.outputTokens.total ?? 0;
    const cost = costOf(prices, inner.provider.split('.')[0]!, inner.modelId, input, output);
    for (const account of [accounts.run, accounts.node]) {
      account.inputTokens += input;
      account.outputTokens += output;
      account.totalTokens += input + output;
      account.costUsd = account.costUsd === null || cost === undefined ? null : account.costUsd + cost;
    }
    if (budget?.maxTokens !== undefined && accounts.run.totalTokens > budget.maxTokens) {
      return budgetError(`the run used ${accounts.run.totalTokens} tokens, over its budget of ${budget.maxTokens}`);
    }
    if (budget?.maxCostUsd !== undefined && (accounts.run.costUsd ?? 0) > budget.maxCostUsd) {
      return budgetError(`the run cost $${accounts.run.costUsd?.toFixed(4)}, over its budget of $${budget.maxCostUsd}`);
    }
    return undefined;
  };
  return {
    specificationVersion: 'v3',
    provider: inner.provider,
    modelId: inner.modelId,
    supportedUrls: inner.supportedUrls,
    async doGenerate(options) {
      before();
      const result = await inner.doGenerate(options);
      const over = after(result.usage);
      if (over) throw over;
      return result;
    },
    async doStream(options) {
      before();
      const result = await inner.doStream(options);
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
}

function budgetError(what: string): TrellisError {
  return new TrellisError('budget_exceeded', `budget exceeded: ${what}. Raise the flow's budget or make the step cheaper.`);
}
