/**
 * The words and numbers the run panel shows: durations, cost, a condition's decision, a
 * person's answer. Pure, so they are tested without a browser.
 */
import { describeGuardrailDecision } from '@trellis/nodes/describe-guardrail';
import type { Flow, Usage } from '@trellis/schema';
import type { Answer, Step } from './trace';

export const pretty = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** `$0.0012`; undefined when the price is unknown (a model without a price) or nothing was spent. */
export function formatCost(usage: Usage | undefined): string | undefined {
  if (!usage || usage.costUsd === null || usage.costUsd === 0) return undefined;
  return usage.costUsd < 0.0001 ? '< $0.0001' : `$${usage.costUsd.toFixed(4)}`;
}

export const formatTokens = (usage: Usage | undefined) => (usage && usage.totalTokens > 0 ? `${usage.totalTokens} tokens` : undefined);

/**
 * The last 8 hex digits of a run id: enough to tell runs apart in a list. Run ids are uuid v7,
 * whose first digits are a millisecond timestamp (the same for runs started together); the
 * tail is random. Ids that are not uuids (tests, old data) keep their last 8 characters too.
 */
export const shortRunId = (id: string) => {
  const hex = id.replace(/-/g, '');
  return hex.length > 8 ? hex.slice(-8) : id;
};

export const formatTime = (iso: string) => {
  const time = Date.parse(iso);
  return Number.isNaN(time) ? iso : (dateTime ??= new Intl.DateTimeFormat(undefined, DATE_TIME)).format(time);
};
// What `toLocaleString()` shows, with one formatter made once rather than one per call (lists call this per row).
const DATE_TIME: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' };
let dateTime: Intl.DateTimeFormat | undefined;

/** The node's name in the flow being edited, else the name it had in the run, else its id. */
export function stepName(flow: Flow, step: Pick<Step, 'nodeId' | 'name'>): string {
  return flow.nodes.find((n) => n.id === step.nodeId)?.name ?? step.name ?? step.nodeId;
}

interface Evaluated {
  branch: string;
  when: string;
  value: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A condition's decision in words: which branch fired and the expression that made it, or that
 * no branch held so `else` fired. Undefined when the decision is not a condition's.
 */
export function describeCondition(decision: unknown, flow: Flow, nodeId: string): string | undefined {
  if (!isRecord(decision) || typeof decision.branch !== 'string' || !Array.isArray(decision.evaluated)) return undefined;
  const evaluated = decision.evaluated.filter((e): e is Evaluated => isRecord(e) && typeof e.branch === 'string' && typeof e.when === 'string');
  const config = flow.nodes.find((n) => n.id === nodeId)?.config as { branches?: Array<{ id?: unknown; label?: unknown }> } | undefined;
  const label = (id: string) => {
    const branch = config?.branches?.find((b) => b.id === id);
    return typeof branch?.label === 'string' && branch.label ? `"${branch.label}"` : `"${id}"`;
  };
  const fired = evaluated.find((e) => e.branch === decision.branch);
  if (fired) return `Took ${label(fired.branch)}: ${fired.when} is ${JSON.stringify(fired.value)}.`;
  const checked = evaluated.map((e) => `${e.when} is ${JSON.stringify(e.value)}`).join('; ');
  return `Took "${decision.branch}": no branch held${checked ? ` (${checked})` : ''}.`;
}

/** A person's answer in words: "Approved by editor: “looks right” (payload edited)". */
export function describeAnswer(answer: Answer): string {
  if (answer.answer !== undefined) return `Answered${answer.by ? ` by ${answer.by}` : ''}: ${JSON.stringify(answer.answer)}`;
  if (answer.question) return 'Not answered in time';
  const verdict = answer.approved ? 'Approved' : 'Rejected';
  const who = answer.timedOut ? ' (no answer in time)' : answer.by ? ` by ${answer.by}` : '';
  const comment = answer.comment ? `: “${answer.comment}”` : '';
  return `${verdict}${who}${comment}${answer.edited ? ' (payload edited)' : ''}`;
}

/** "in 2 h", "in 3 days", or "passed" for a deadline. */
export function timeLeft(deadline: string, now = Date.now()): string {
  const ms = Date.parse(deadline) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'passed';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `in ${Math.max(1, minutes)} min`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `in ${hours} h`;
  return `in ${Math.round(hours / 24)} days`;
}

/**
 * A guardrail's decision in words: passed or where it failed, then each rule's verdict with what
 * it found (already masked by the runner), its score or its reason. Undefined for other decisions.
 */
export function describeGuardrail(decision: unknown): string | undefined {
  return describeGuardrailDecision(decision);
}

/**
 * An agent's guardrail check in words: "Output guardrail (answer 1): Failed at "…". … → asked to
 * answer again." The verdicts read as a guardrail node's do.
 */
export function describeAgentGuardrail(check: { stage: string; attempt: number; passed: boolean; redactions: number; verdicts: unknown[]; then: string }): string {
  const what = check.stage === 'input' ? 'Input guardrail' : `Output guardrail (answer ${check.attempt})`;
  const then = { continue: '', retry: ' → asked to answer again.', fail: ' → the step failed.' }[check.then] ?? '';
  return `${what}: ${describeGuardrail(check) ?? (check.passed ? 'Passed.' : 'Failed.')}${then}`;
}
