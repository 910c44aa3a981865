import { callPrompt, createModelResolver, emptyUsage, normalizeError, renderTemplate, type ModelResolver } from '@trellis/nodes/server';
import type { MockReply, TryPromptResult } from '@trellis/schema';
import { knownPrices, metered } from '../engine/meter.js';

/** Model calls of one try that run at once. */
const CALLS_AT_ONCE = 4;
/** The longest a model may take to answer one call. */
export const CALL_TIMEOUT_MS = 60_000;
/** The longest a whole try may take: calls still running then are cut off, each with its error. */
export const TRY_TIMEOUT_MS = 150_000;

export interface TryOptions {
  /** The texts to try, by version (0 for a draft), in the order the results should come. */
  templates: ReadonlyArray<{ version: number; template: string }>;
  samples: ReadonlyArray<Record<string, unknown>>;
  model: string;
  mock?: MockReply | MockReply[] | undefined;
  system?: string | undefined;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** The runner's model resolver (the engine's); the runner's default when it was given none. */
  models?: ModelResolver | undefined;
  /** Aborts the calls still running, e.g. when the client goes away. */
  signal?: AbortSignal | undefined;
  callTimeoutMs?: number;
  totalTimeoutMs?: number;
}

/**
 * "Try it": renders each template with each sample's variables, as a prompt node renders its
 * template (the same Liquid, the sample as the scope), and sends it to the model the way the
 * prompt node does (`callPrompt`, metered like a run's calls, so usage and cost are counted
 * the same). Every result carries its own error (a template that does not render, a model that
 * fails or is too slow): one bad pair never spoils the others.
 */
export async function tryPrompt(options: TryOptions): Promise<TryPromptResult[]> {
  const models = options.models ?? createModelResolver();
  const pairs = options.templates.flatMap(({ version, template }) => options.samples.map((sample, index) => ({ version, template, sample, index })));
  const whole = AbortSignal.timeout(options.totalTimeoutMs ?? TRY_TIMEOUT_MS);
  const stop = options.signal ? AbortSignal.any([options.signal, whole]) : whole;
  const results: TryPromptResult[] = new Array(pairs.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < pairs.length; i = next++) {
      const { version, template, sample, index } = pairs[i]!;
      results[i] = await tryOne({ ...options, version, template, sample, index, models, stop, whole });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CALLS_AT_ONCE, pairs.length) }, worker));
  return results;
}

interface Pair {
  version: number;
  template: string;
  sample: Record<string, unknown>;
  index: number;
  models: ModelResolver;
  /** Aborts when the client goes away or the whole try is out of time. */
  stop: AbortSignal;
  whole: AbortSignal;
}

async function tryOne(options: TryOptions & Pair): Promise<TryPromptResult> {
  const started = performance.now();
  const { version, index } = options;
  const callTimeoutMs = options.callTimeoutMs ?? CALL_TIMEOUT_MS;
  const call = AbortSignal.timeout(callTimeoutMs);
  let rendered = '';
  let testProvider = false;
  const fail = (error: unknown): TryPromptResult => {
    // Which limit stopped the call says more than the error the provider code made of the abort.
    const why = call.aborted
      ? `the model did not answer within ${seconds(callTimeoutMs)}`
      : options.whole.aborted
        ? `stopped: a whole try may take ${seconds(options.totalTimeoutMs ?? TRY_TIMEOUT_MS)}`
        : options.stop.aborted
          ? 'stopped: the request was cancelled'
          : normalizeError(error).message;
    return { version, sample: index, rendered, error: why, durationMs: elapsed(started), testProvider };
  };
  try {
    rendered = await renderTemplate(options.template, options.sample);
    const system = options.system ? await renderTemplate(options.system, options.sample) : undefined;
    if (options.stop.aborted) return fail(options.stop.reason);
    const mocks = options.mock === undefined ? undefined : Array.isArray(options.mock) ? options.mock : [options.mock];
    const usage = emptyUsage();
    const ctx = {
      signal: AbortSignal.any([options.stop, call]),
      emit: () => {}, // the answer comes back whole; nobody follows a try's deltas
      model: (requested: string) => {
        const { model, info } = options.models({ requested, nodeId: 'try', mocks, cursor: { value: 0 } });
        testProvider = info.provider === 'test';
        return metered(model, { run: emptyUsage(), node: usage }, undefined, knownPrices());
      },
    };
    const result = await callPrompt(ctx, {
      model: options.model,
      system,
      prompt: rendered,
      temperature: options.temperature,
      maxOutputTokens: options.maxOutputTokens,
    });
    return { version, sample: index, rendered, text: result.text, usage, durationMs: elapsed(started), testProvider };
  } catch (error) {
    return fail(error);
  }
}

const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);
const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;
