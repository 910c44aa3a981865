/**
 * Where a run stands, as the canvas draws it: each node's status, the rounds of body nodes, and
 * for each step that ran its duration, tokens and a preview of its output. Plain values only, so
 * a node whose facts did not change keeps its identity (see use-canvas-elements).
 */
import { statusByNode, type RoundTally, type Trace } from '../run/trace';

/** What a node shows of its step beside the status. */
export interface StepFacts {
  durationMs?: number;
  tokens?: number;
  /** The output as JSON, cut to what a popover can show. */
  output?: string;
}

export interface RunOnCanvas {
  status: ReadonlyMap<string, string>;
  rounds?: ReadonlyMap<string, RoundTally>;
  /** By node id, for the flow's own steps (a body node's rounds are summed up in `rounds`). */
  steps?: ReadonlyMap<string, StepFacts>;
}

/** The longest output preview, in characters. */
export const OUTPUT_PREVIEW_MAX = 2_000;

/** A step's output as indented JSON, cut with an ellipsis; undefined when it has none. */
export function outputPreview(output: unknown, max = OUTPUT_PREVIEW_MAX): string | undefined {
  if (output === undefined) return undefined;
  let text: string;
  try {
    text = typeof output === 'string' ? output : (JSON.stringify(output, null, 2) ?? String(output));
  } catch {
    text = String(output);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The canvas's view of a trace: the one call the editor makes per trace update. */
export function runOnCanvasOf(trace: Trace): RunOnCanvas {
  const rounds = new Map<string, RoundTally>();
  const status = statusByNode(trace, rounds);
  const steps = new Map<string, StepFacts>();
  for (const step of trace.steps) {
    const facts: StepFacts = {};
    if (step.durationMs !== undefined) facts.durationMs = step.durationMs;
    if (step.usage && step.usage.totalTokens > 0) facts.tokens = step.usage.totalTokens;
    const output = outputPreview(step.output);
    if (output !== undefined) facts.output = output;
    steps.set(step.nodeId, facts);
  }
  return { status, rounds, steps };
}

/** "840 ms", "1.2 s", "2 min 5 s": a step's duration as a person reads it. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const min = Math.floor(ms / 60_000);
  return `${min} min ${Math.round((ms % 60_000) / 1_000)} s`;
}

/** "340 tokens", "12.4k tokens"; short, "340 tok", where a card has little room. */
export function formatTokens(tokens: number, short = false): string {
  const unit = short ? 'tok' : 'tokens';
  return tokens < 1_000 ? `${tokens} ${unit}` : `${(tokens / 1_000).toFixed(1)}k ${unit}`;
}
