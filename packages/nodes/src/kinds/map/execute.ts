import type { ErrorInfo } from '@trellis/schema';
import { TrellisError } from '../../errors.js';
import { evaluateExpression } from '../../lib/expression.js';
import { renderValue } from '../../lib/template.js';
import { defineExecutor, type BodyResult, type ExecContext } from '../../runtime.js';
import type { MapConfig } from './spec.js';

/** A map's decision lists at most this many failed items (the count is always whole). */
const MAX_FAILURES_SHOWN = 20;

function itemsOf(config: MapConfig, ctx: ExecContext<MapConfig>): unknown[] {
  let items: unknown;
  try {
    items = evaluateExpression(config.items, ctx.scope);
  } catch (error) {
    throw new TrellisError('expression_failed', `items (${config.items}): ${(error as Error).message}`);
  }
  if (!Array.isArray(items)) {
    const what = items === null ? 'null' : typeof items === 'object' ? 'an object' : `${typeof items} ${JSON.stringify(items)}`;
    throw new TrellisError('invalid_items', `items (${config.items}) gave ${what}, not a list`);
  }
  if (items.length > config.maxItems) {
    throw new TrellisError('too_many_items', `items (${config.items}) gave ${items.length} items, more than this map's limit of ${config.maxItems}: raise maxItems (up to 10,000) or split the list`);
  }
  return items;
}

/**
 * How one item is worked on: a round of the drawn body, or a child run of the map's flow (keyed by
 * the item's index, so a resumed map goes back to the children it started).
 */
function roundRunner(ctx: ExecContext<MapConfig>): (index: number, item: unknown, signal: AbortSignal) => Promise<BodyResult> {
  const { config, runBody, runChild } = ctx;
  if (config.flow) {
    const { flow } = config;
    if (!runChild) throw new TrellisError('unsupported', 'this engine cannot run sub-flows');
    return async (index, item, signal) => {
      const input = await renderValue(flow.input ?? '{{ item }}', { ...ctx.scope, item, index });
      return runChild(input, String(index), signal);
    };
  }
  if (!runBody) throw new TrellisError('unsupported', "this engine cannot run a map's body");
  return (index, item, signal) => runBody(index, { item, index }, signal);
}

export const mapExecutor = defineExecutor<MapConfig>({
  type: 'map',
  async execute(ctx) {
    const { config } = ctx;
    const runRound = roundRunner(ctx);
    const items = itemsOf(config, ctx);
    const results: unknown[] = new Array(items.length).fill(null);
    const failed: { index: number; error: ErrorInfo }[] = [];
    let first: { index: number; error: ErrorInfo } | undefined;
    let unfinished = false;
    // Stops the rounds under way when the first failure fails the map.
    const stop = new AbortController();
    let next = 0;
    const worker = async () => {
      while (next < items.length && !stop.signal.aborted) {
        const index = next++;
        const round = await runRound(index, items[index], stop.signal);
        if (round.status === 'succeeded') results[index] = round.output;
        else if (round.status === 'failed') {
          if (stop.signal.aborted) continue; // stopped because another item failed first
          failed.push({ index, error: round.error });
          if (config.onError === 'stop') {
            first = { index, error: round.error };
            stop.abort(new TrellisError('aborted', `item ${index} failed`));
          } else if (config.onError === 'collect') results[index] = { error: { code: round.error.code, message: round.error.message } };
        } else unfinished = true; // waits for a person, or was drained: the map goes on later
      }
    };
    await Promise.all(Array.from({ length: Math.min(config.concurrency, items.length) }, worker));
    if (first) {
      throw new TrellisError('item_failed', `item ${first.index} failed: ${first.error.message}`, { details: { index: first.index, error: first.error } });
    }
    if (unfinished) return { status: 'suspend' };
    failed.sort((a, b) => a.index - b.index);
    const skipped = new Set(config.onError === 'skip' ? failed.map((f) => f.index) : []);
    return {
      status: 'done',
      output: skipped.size ? results.filter((_, i) => !skipped.has(i)) : results,
      decision: {
        items: items.length,
        succeeded: items.length - failed.length,
        ...(failed.length ? { failed: failed.length, failures: failed.slice(0, MAX_FAILURES_SHOWN), onError: config.onError } : {}),
      },
    };
  },
});
