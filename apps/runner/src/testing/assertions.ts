// The checks of a test case (a flow's sample with `expect`) against how its run went: one result
// per assertion, each saying in a sentence what was expected and what happened.
import { isDeepStrictEqual } from 'node:util';
import { METRIC_LABEL, caseWords, describeAssertion, type Assertion, type ErrorInfo, type RunEvent, type RunStatus, type Sample, type Usage } from '@trellis/schema';
import { evaluateExpression, schemaProblems } from '@trellis/nodes/server';
import { valueAt } from './value-at.js';

/** How a case's run went: what the assertions are checked against. */
export interface CaseOutcome {
  runId: string;
  status: RunStatus;
  output?: unknown;
  error?: ErrorInfo;
  /** The run's trace (its own events; a sub-flow's are under the child's run id). */
  events: readonly RunEvent[];
  usage: Usage;
  durationMs: number;
  /** The wait the case had no answer for, when the run stopped at one. */
  unanswered?: { nodeId: string; kind: string; message: string };
}

/** The check a case makes without saying: its run succeeds (unless it has a `status` assertion). */
export const IMPLICIT_SUCCESS: Assertion = { type: 'status', status: 'succeeded' };

export interface AssertionResult {
  assertion: Assertion;
  /** Its place in the case's `expect`; undefined for the implicit "the run succeeds". */
  index?: number;
  passed: boolean;
  /** What was checked (passed) or what went wrong (failed), in a sentence. */
  message: string;
  /** For a failure that compares values: both, for a diff. */
  expected?: unknown;
  actual?: unknown;
}

/** Every assertion of the case, checked; the implicit success check first when the case sets no status. */
export function checkCase(sample: Sample, outcome: CaseOutcome): AssertionResult[] {
  const expect = sample.expect ?? [];
  const results: AssertionResult[] = [];
  if (!expect.some((a) => a.type === 'status')) results.push({ assertion: IMPLICIT_SUCCESS, ...checkOne(IMPLICIT_SUCCESS, outcome) });
  expect.forEach((assertion, index) => results.push({ assertion, index, ...checkOne(assertion, outcome) }));
  return results;
}

type Verdict = Omit<AssertionResult, 'assertion' | 'index'>;

const pass = (message: string): Verdict => ({ passed: true, message });
const fail = (message: string, compared?: { expected: unknown; actual: unknown }): Verdict => ({ passed: false, message, ...compared });

export { describeAssertion };

function checkOne(assertion: Assertion, outcome: CaseOutcome): Verdict {
  try {
    return CHECKS[assertion.type](assertion as never, outcome);
  } catch (error) {
    // A check that cannot be made (a CEL expression that does not parse) fails, saying why.
    return fail(`${describeAssertion(assertion)}: ${(error as Error).message}`);
  }
}

type Check<T extends Assertion['type']> = (assertion: Extract<Assertion, { type: T }>, outcome: CaseOutcome) => Verdict;

const CHECKS: { [T in Assertion['type']]: Check<T> } = {
  equals: (a, o) => {
    const at = outputAt(o, a.path);
    if (!at.found) return fail(at.why);
    return isDeepStrictEqual(at.value, a.value) ? pass(`${where(a.path)} equals the expected value`) : fail(`${where(a.path)} is not the expected value`, { expected: a.value, actual: at.value });
  },
  contains: (a, o) => {
    const at = outputAt(o, a.path);
    if (!at.found) return fail(at.why);
    if (typeof at.value === 'string') {
      if (typeof a.value !== 'string') return fail(`${where(a.path)} is text, so it can only contain text, not ${JSON.stringify(a.value)}`);
      return at.value.includes(a.value) ? pass(`${where(a.path)} contains ${JSON.stringify(a.value)}`) : fail(`${where(a.path)} does not contain ${JSON.stringify(a.value)}`, { expected: a.value, actual: at.value });
    }
    if (Array.isArray(at.value)) {
      return at.value.some((item) => isDeepStrictEqual(item, a.value)) ? pass(`${where(a.path)} has the item ${short(a.value)}`) : fail(`${where(a.path)} has no item equal to ${short(a.value)}`, { expected: a.value, actual: at.value });
    }
    return fail(`${where(a.path)} is ${kindOf(at.value)}, neither text nor a list, so it contains nothing`, { expected: a.value, actual: at.value });
  },
  json_subset: (a, o) => {
    const at = outputAt(o, a.path);
    if (!at.found) return fail(at.why);
    const mismatch = subsetMismatch(at.value, a.value, a.path ?? '');
    return mismatch === undefined ? pass(`${where(a.path)} has every expected field`) : fail(`${where(a.path)} differs: ${mismatch}`, { expected: a.value, actual: at.value });
  },
  json_schema: (a, o) => {
    const at = outputAt(o, a.path);
    if (!at.found) return fail(at.why);
    const problems = schemaProblems(at.value, a.schema, where(a.path));
    if (!problems.length) return pass(`${where(a.path)} matches the schema`);
    const listed = problems.slice(0, 5).map((p) => p.message).join('; ');
    return fail(`${where(a.path)} does not match the schema: ${listed}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  },
  cel: (a, o) => {
    const value = evaluateExpression(a.expression, celScope(o));
    if (value === true) return pass(`${a.expression} is true`);
    if (value === false) return fail(`${a.expression} is false`);
    return fail(`${a.expression} gave ${short(value)}, not true or false`);
  },
  status: (a, o) => {
    if (o.status !== a.status) return fail(`expected the run to ${STATUS_VERB[a.status]}, but ${statusPhrase(o)}`);
    if (a.error !== undefined && !(o.error?.message ?? '').includes(a.error)) {
      return fail(`the run failed, but its error does not say "${a.error}": ${o.error?.message ?? 'it has no message'}`, { expected: a.error, actual: o.error?.message });
    }
    return pass(`the run ${a.status === 'failed' && a.error ? `failed saying "${a.error}"` : a.status}`);
  },
  ran: (a, o) => {
    const missing = a.nodes.filter((id) => !completed(o).has(id));
    if (!missing.length) return pass(`${list(a.nodes)} ran`);
    return fail(missing.map((id) => `step "${id}" did not run (${whyNotRun(o, id)})`).join('; '));
  },
  skipped: (a, o) => {
    const ran = a.nodes.filter((id) => started(o).has(id));
    if (!ran.length) return pass(`${list(a.nodes)} did not run`);
    return fail(`${ran.map((id) => `step "${id}"`).join(', ')} ran, though the case expects ${ran.length === 1 ? 'it' : 'them'} skipped`);
  },
  branch: (a, o) => {
    const done = o.events.find((e): e is Extract<RunEvent, { type: 'node.completed' }> => e.type === 'node.completed' && e.nodeId === a.node);
    if (!done) return fail(`step "${a.node}" did not run (${whyNotRun(o, a.node)}), so it took no branch`);
    if (done.data.ports.includes(a.port)) return pass(`step "${a.node}" took "${a.port}"`);
    return fail(`step "${a.node}" took ${list(done.data.ports) || 'no output'}, not "${a.port}"`, { expected: a.port, actual: done.data.ports });
  },
  handoff: (a, o) => {
    const handoffs = o.events.filter((e): e is Extract<RunEvent, { type: 'node.handoff' }> => e.type === 'node.handoff');
    if (handoffs.some((e) => e.data.from === a.from && e.data.to === a.to)) return pass(`"${a.from}" handed off to "${a.to}"`);
    const made = handoffs.map((e) => `${e.data.from} → ${e.data.to}`);
    return fail(`"${a.from}" never handed off to "${a.to}" (${made.length ? `handoffs made: ${made.join(', ')}` : 'no handoff was made'})`);
  },
  tool_called: (a, o) => {
    const calls = toolCalls(o).filter((c) => (c.tool === a.tool || c.toolNodeId === a.tool) && (a.node === undefined || c.nodeId === a.node));
    const matching = a.args === undefined ? calls : calls.filter((c) => subsetMismatch(c.args, a.args, 'args') === undefined);
    const what = `${a.tool}${a.args === undefined ? '' : ` with ${short(a.args)}`}${a.node ? ` by "${a.node}"` : ''}`;
    if (a.count === undefined ? matching.length > 0 : matching.length === a.count) return pass(`${what} was called ${times(matching.length)}`);
    const seen = calls.length && a.args !== undefined ? `; its calls had: ${calls.slice(0, 3).map((c) => short(c.args)).join(', ')}` : '';
    return fail(`${what} was called ${times(matching.length)}, ${a.count === undefined ? 'not at least once' : `not ${times(a.count)}`}${seen}`, { expected: a.count ?? '≥ 1', actual: matching.length });
  },
  waited: (a, o) => {
    const waits = o.events.filter((e): e is Extract<RunEvent, { type: 'run.waiting' }> => e.type === 'run.waiting');
    const found = waits.find((e) => e.nodeId === a.node && (a.kind === undefined || e.data.kind === a.kind));
    if (found) return pass(`the run waited at "${a.node}" for ${found.data.kind === 'question' ? 'an answer' : 'approval'}`);
    const elsewhere = waits.map((e) => `"${e.nodeId}"`);
    return fail(`the run never waited at "${a.node}"${a.kind ? ` for ${a.kind === 'question' ? 'an answer' : 'approval'}` : ''}${elsewhere.length ? ` (it waited at ${elsewhere.join(', ')})` : ''}`);
  },
  max: (a, o) => {
    const value = metric(o, a.metric);
    const label = METRIC_LABEL[a.metric];
    if (value === null) return fail(`the ${label} is not known: a model the run used has no price`);
    return value <= a.value ? pass(`${label} ${format(value)} ≤ ${format(a.value)}`) : fail(`${label} was ${format(value)}, more than ${format(a.value)}`, { expected: `≤ ${a.value}`, actual: value });
  },
};


function metric(o: CaseOutcome, name: keyof typeof METRIC_LABEL): number | null {
  switch (name) {
    case 'model_calls':
      return o.usage.modelCalls;
    case 'tokens':
      return o.usage.totalTokens;
    case 'cost_usd':
      return o.usage.costUsd;
    case 'duration_ms':
      return Math.round(o.durationMs);
  }
}

/** The value at a dot path of the output (`reply.items.0`), or why there is none. */
function outputAt(o: CaseOutcome, path: string | undefined): { found: true; value: unknown } | { found: false; why: string } {
  if (o.status !== 'succeeded') return { found: false, why: `there is no output to check: ${statusPhrase(o)}` };
  if (path === undefined) return { found: true, value: o.output };
  const at = valueAt(o.output, path);
  return at.found ? at : { found: false, why: `the output has nothing at "${at.missing}"` };
}

/** Where in `actual` it differs from the fields given in `expected` (undefined: it has them all). */
function subsetMismatch(actual: unknown, expected: unknown, at: string): string | undefined {
  const here = at || 'the output';
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `at ${here}: expected a list, got ${kindOf(actual)}`;
    if (actual.length !== expected.length) return `at ${here}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const found = subsetMismatch(actual[i], expected[i], at ? `${at}.${i}` : String(i));
      if (found) return found;
    }
    return undefined;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return `at ${here}: expected an object, got ${kindOf(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const path = at ? `${at}.${key}` : key;
      if (!Object.hasOwn(actual, key)) return `${path} is missing`;
      const found = subsetMismatch((actual as Record<string, unknown>)[key], value, path);
      if (found) return found;
    }
    return undefined;
  }
  return isDeepStrictEqual(actual, expected) ? undefined : `at ${here}: expected ${short(expected)}, got ${short(actual)}`;
}

/** What a CEL assertion sees. */
function celScope(o: CaseOutcome): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (const e of o.events) {
    if (e.type === 'node.completed' && !('path' in e && e.path)) nodes[e.nodeId] = { status: 'succeeded', output: e.data.output ?? null, ports: e.data.ports };
    else if (e.type === 'node.failed' && !e.data.willRetry) nodes[e.nodeId] = { status: 'failed', error: e.data.error.message };
    else if (e.type === 'node.skipped') nodes[e.nodeId] ??= { status: 'skipped' };
  }
  return {
    output: o.output ?? null,
    status: o.status,
    error: o.error?.message ?? null,
    nodes,
    trace: JSON.parse(JSON.stringify(o.events)) as unknown,
    toolCalls: toolCalls(o).map((c) => ({ tool: c.tool, node: c.nodeId, args: c.args ?? null })),
    usage: { modelCalls: o.usage.modelCalls, tokens: o.usage.totalTokens, costUsd: o.usage.costUsd },
    durationMs: Math.round(o.durationMs),
  };
}

function toolCalls(o: CaseOutcome): { tool: string; toolNodeId?: string; nodeId: string; args: unknown }[] {
  return o.events.flatMap((e) => (e.type === 'node.tool_call' ? [{ tool: e.data.tool, ...(e.data.toolNodeId ? { toolNodeId: e.data.toolNodeId } : {}), nodeId: e.nodeId, args: e.data.args }] : []));
}

const completed = (o: CaseOutcome) => new Set(o.events.flatMap((e) => (e.type === 'node.completed' ? [e.nodeId] : [])));
const started = (o: CaseOutcome) => new Set(o.events.flatMap((e) => (e.type === 'node.started' ? [e.nodeId] : [])));

function whyNotRun(o: CaseOutcome, id: string): string {
  const skipped = o.events.find((e): e is Extract<RunEvent, { type: 'node.skipped' }> => e.type === 'node.skipped' && e.nodeId === id);
  if (skipped) return `skipped: ${skipped.data.reason}`;
  const failed = o.events.findLast((e): e is Extract<RunEvent, { type: 'node.failed' }> => e.type === 'node.failed' && e.nodeId === id);
  if (failed) return `it failed: ${failed.data.error.message}`;
  if (started(o).has(id)) return 'it started but did not finish';
  return `the run stopped before it: ${statusPhrase(o)}`;
}

/** How the run ended, as a clause: "it failed at "x": …". */
function statusPhrase(o: CaseOutcome): string {
  if (o.status === 'failed') return `it failed${o.error?.nodeId ? ` at "${o.error.nodeId}"` : ''}: ${o.error?.message ?? 'no reason given'}`;
  if (o.status === 'waiting') {
    if (!o.unanswered) return 'it waits for a person';
    return `it waits at "${o.unanswered.nodeId}" for ${o.unanswered.kind === 'question' ? 'an answer' : 'approval'}, and the case gives none (add one to its answers, under "${o.unanswered.nodeId}")`;
  }
  return `it ${o.status}`;
}

const STATUS_VERB = { succeeded: 'succeed', failed: 'fail', waiting: 'wait for a person', cancelled: 'be cancelled' } as const;

const { where, list, times, format, short } = caseWords;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  return `${typeof value} ${String(value)}`;
}
