// Runs one test case: the flow on the case's input (with its mock script), answering the people
// the run asks from the case's answers, until it ends or waits for an answer the case does not give.
import { MAX_SUBFLOW_DEPTH, type CaseAnswer, type Flow, type RunEvent, type Sample } from '@trellis/schema';
import { createModelResolver, emptyUsage, schemaProblems, type ModelResolver, type NetworkPolicy } from '@trellis/nodes/server';
import type { CheckpointStore } from '../engine/checkpoint.js';
import { Engine, type RunResult } from '../engine/engine.js';
import { MemoryCheckpointStore } from '../engine/memory-store.js';
import type { PromptResolver } from '../engine/prompts.js';
import type { FlowSource } from '../engine/subflows.js';
import { firstWait } from '../engine/first-wait.js';
import type { Answer, PendingWait } from '../engine/types.js';
import { askingAgent } from '../cli/question.js';
import { IMPLICIT_SUCCESS, checkCase, type AssertionResult, type CaseOutcome } from './assertions.js';

/** A run answers at most this many waits in one case: a flow that keeps asking is cut off, not looped over. */
const MAX_ANSWERS = 100;

export interface CaseRunOptions {
  engine: Engine;
  /** Where the engine keeps the runs: the waits of sub-flow runs are found there. */
  store: Pick<CheckpointStore, 'load'>;
  /** The run's trace, once it has stopped. */
  events(runId: string): Promise<readonly RunEvent[]> | readonly RunEvent[];
  /** Live: the case's mock script is left out and real models answer. */
  live?: boolean;
  /** Each case's bound (ms); the run is cancelled past it and the case fails. */
  timeoutMs: number;
}

export interface CaseResult {
  name: string;
  passed: boolean;
  outcome: CaseOutcome;
  results: AssertionResult[];
}

/** Runs a case and checks it. A case that cannot run at all (its answer does not fit the question) fails, saying why. */
export async function runCase(flow: Flow, sample: Sample, options: CaseRunOptions): Promise<CaseResult> {
  let outcome: CaseOutcome;
  try {
    outcome = await runOnce(flow, sample, options);
  } catch (error) {
    // Not run at all (an answer that does not fit, a library prompt that cannot be found): one failure saying why.
    const message = `the case could not run: ${(error as Error).message}`;
    outcome = { runId: '', status: 'failed', error: { code: 'case_error', message }, events: [], usage: emptyUsage(), durationMs: 0 };
    return { name: sample.name, passed: false, outcome, results: [{ assertion: IMPLICIT_SUCCESS, passed: false, message }] };
  }
  const results = checkCase(sample, outcome);
  return { name: sample.name, passed: results.every((r) => r.passed), outcome, results };
}

async function runOnce(flow: Flow, sample: Sample, options: CaseRunOptions): Promise<CaseOutcome> {
  const { engine } = options;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const began = performance.now();
  let result: RunResult = await engine.start(flow, { input: sample.input ?? {}, ...(options.live || sample.mocks === undefined ? {} : { mocks: sample.mocks }), signal, labels: { case: sample.name } });
  const rootId = result.runId;
  let unanswered: CaseOutcome['unanswered'];
  for (let answered = 0; result.status === 'waiting'; answered++) {
    const found = await firstWait(options.store, result);
    if (!found) break;
    const given = answerFor(found.wait, sample.answers ?? {});
    if (!given || answered >= MAX_ANSWERS) {
      unanswered = { nodeId: found.wait.nodeId, kind: found.wait.kind, message: found.wait.message };
      break;
    }
    result = await engine.resume(found.runId, { answer: answerOf(found.wait, given), signal });
    if (found.runId !== rootId) result = await engine.settled(rootId);
  }
  const durationMs = performance.now() - began;
  const events = await options.events(rootId);
  if (signal.aborted && result.status !== 'succeeded') {
    return { runId: rootId, status: 'failed', error: { code: 'timeout', message: `the case took longer than ${options.timeoutMs} ms` }, events, usage: result.usage, durationMs };
  }
  return {
    runId: rootId,
    status: result.status,
    ...(result.output === undefined ? {} : { output: result.output }),
    ...(result.error ? { error: result.error } : {}),
    events,
    usage: result.usage,
    durationMs,
    ...(unanswered ? { unanswered } : {}),
  };
}

/** The case's answer for a wait: by the wait's id, then the agent that asked, then the waiting step. */
function answerFor(wait: PendingWait, answers: Record<string, CaseAnswer>): { key: string; answer: CaseAnswer } | undefined {
  const key = [wait.waitId, askingAgent(wait), wait.nodeId].find((k) => k !== undefined && Object.hasOwn(answers, k));
  return key === undefined ? undefined : { key, answer: answers[key]! };
}

/** A case's answer as the engine takes it; a question's answer must fit its form, or the case fails here saying how. */
function answerOf(wait: PendingWait, { key, answer }: { key: string; answer: CaseAnswer }): Answer {
  const base = { waitId: wait.waitId, by: 'test case', ...(answer.comment ? { comment: answer.comment } : {}) };
  if (wait.kind !== 'question') {
    return { ...base, approved: answer.approved ?? true, ...(answer.payload === undefined ? {} : { payload: answer.payload }) };
  }
  const problems = schemaProblems(answer.answer, wait.schema ?? {}, 'the answer');
  if (problems.length) throw new CaseError(`the case's answer for "${key}" does not fit its question's form: ${problems.map((p) => p.message).join('; ')}`);
  return { ...base, approved: true, answer: answer.answer };
}

export interface FlowCasesOptions {
  /** Library prompts; sub-flows by id and version. */
  prompts?: PromptResolver;
  flows: FlowSource;
  live?: boolean;
  /** What the flow's tools may reach (the runner's policy). */
  network?: NetworkPolicy;
  timeoutMs: number;
  /** The models of a live run (the runner's, with its stored keys); the configured providers when absent. */
  models?: ModelResolver;
  /** Where the cases' runs are kept while they run (a store of their own by default). */
  store?: MemoryCheckpointStore;
}

/**
 * Runs cases of one flow, in a checkpoint store of their own (nothing is stored where runs are):
 * offline, every model is the test provider answering from the case's mock script; live, the
 * configured providers answer.
 */
export function flowCaseRunner(flow: Flow, options: FlowCasesOptions): (sample: Sample) => Promise<CaseResult> {
  const store = options.store ?? new MemoryCheckpointStore();
  const engine = new Engine({
    store,
    models: options.live ? (options.models ?? createModelResolver({ fallbackToTest: false })) : createModelResolver({ offline: true }),
    ...(options.prompts ? { prompts: options.prompts } : {}),
    flows: options.flows,
    network: options.network ?? { allowPrivateNetwork: false },
    // Nobody follows a case's run as it is written: its model calls are made whole, not streamed.
    watched: () => false,
  });
  // A long-lived runner keeps nothing of a case once it is checked: its run, nor the sub-flow runs it started.
  const forget = async (runId: string, depth: number): Promise<void> => {
    const snapshot = await store.load(runId);
    store.forget(runId);
    if (!snapshot || depth >= MAX_SUBFLOW_DEPTH) return;
    for (const state of Object.values(snapshot.nodes)) for (const child of Object.values(state.children ?? {})) await forget(child, depth + 1);
  };
  return async (sample) => {
    const result = await runCase(flow, sample, { engine, store, events: (runId) => store.events(runId), timeoutMs: options.timeoutMs, ...(options.live ? { live: true } : {}) });
    if (result.outcome.runId) await forget(result.outcome.runId, 0);
    return result;
  };
}

/**
 * Runs `work` over the items, at most `limit` at once. Each item starts on a turn of the event
 * loop of its own: offline runs (the test provider, a store in memory) never wait for I/O, and
 * back to back in microtasks they would keep the runner from answering anything until the last.
 */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      await new Promise((resolve) => setImmediate(resolve));
      if (next < items.length) await work(items[next++]!);
    }
  });
  await Promise.all(lanes);
}

/** A case that cannot be run as written (not a failed assertion): the report shows its message. */
export class CaseError extends Error {}
