import { guardrailRules } from '@trellis/nodes/server';
import type { PromptPin, RunEvent, Usage } from '@trellis/schema';
import { stylist } from './style.js';

const MAX_VALUE_CHARS = 400;
const MAX_PAYLOAD_LINES = 40;

export function formatUsage(usage: Usage): string {
  const parts: string[] = [];
  if (usage.modelCalls) parts.push(`${usage.modelCalls} model call${usage.modelCalls === 1 ? '' : 's'}`);
  if (usage.totalTokens) parts.push(`${usage.totalTokens} tokens (${usage.inputTokens} in, ${usage.outputTokens} out)`);
  if (usage.modelCalls) parts.push(usage.costUsd === null ? 'cost unknown' : `$${usage.costUsd.toFixed(4)}`);
  return parts.join(' · ');
}

export function formatMs(ms: number): string {
  return ms < 1 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

function brief(value: unknown): string {
  const raw = typeof value === 'string' ? value : JSON.stringify(value);
  if (raw === undefined) return '';
  const text = raw.replace(/\s*\n\s*/g, ' ⏎ ');
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)` : text;
}

/** A payload as the person will read it: pretty-printed, indented, the first lines of a long one. */
function pretty(value: unknown, indent: string): string {
  const lines = (JSON.stringify(value, null, 2) ?? String(value)).split('\n');
  const shown = lines.length > MAX_PAYLOAD_LINES ? [...lines.slice(0, MAX_PAYLOAD_LINES), `… (${lines.length - MAX_PAYLOAD_LINES} more lines)`] : lines;
  return shown.map((line) => `${indent}${line}`).join('\n');
}

/** When a wait's deadline falls, absolute and relative: `answer by 2026-12-07 14:00:00Z (in 2 h 5 min)`. */
export function describeDeadline(deadline: string, now: number): string {
  const at = Date.parse(deadline);
  if (Number.isNaN(at)) return `answer by ${deadline}`;
  const left = at - now;
  const when = new Date(at).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return `answer by ${when} (${left <= 0 ? 'passed' : `in ${formatDuration(left)}`})`;
}

export function formatDuration(ms: number): string {
  const minutes = Math.ceil(ms / 60_000);
  if (minutes < 60) return ms < 60_000 ? `${Math.ceil(ms / 1000)} s` : `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d${hours % 24 ? ` ${hours % 24} h` : ''}`;
}

/** The nodes of a flow as the trace names them: a unique name alone, a repeated name with its id, the id when unnamed. */
export function nodeLabels(flow: { nodes: readonly { id: string; name?: string | undefined }[] } | undefined): Map<string, string> {
  const counts = new Map<string, number>();
  for (const node of flow?.nodes ?? []) {
    const name = node.name?.trim();
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const labels = new Map<string, string>();
  for (const node of flow?.nodes ?? []) {
    const name = node.name?.trim();
    labels.set(node.id, !name || name === node.id ? node.id : counts.get(name)! > 1 ? `${name} [${node.id}]` : name);
  }
  return labels;
}

/**
 * A readable live trace: each step as it starts and ends, streamed text as it arrives, tool
 * calls and results, durations, tokens and cost. Steps of parallel branches interleave; each
 * line names its node.
 */
export class TracePrinter {
  private readonly s: ReturnType<typeof stylist>;
  /** The node whose streamed text the current line holds, if any. */
  private streaming: string | undefined;
  readonly testProviderNodes = new Map<string, string>();
  private readonly streamedNodes = new Set<string>();

  private readonly labels: Map<string, string>;
  /** What an approval node does when its deadline passes, by node id. */
  private readonly onTimeout = new Map<string, string>();
  /** The run the trace is of: events of its sub-flows' runs are indented under it. */
  private mainRun: string | undefined;
  /** The margin of the event being printed: a sub-flow's run is set off from its parent's. */
  private margin = '';
  /** Containers by id, with what one round of each is called (`item` for a map, `round` for a loop). */
  private readonly rounds = new Map<string, string>();

  constructor(
    private readonly out: NodeJS.WriteStream,
    flow?: { nodes: readonly { id: string; name?: string | undefined; type: string; config?: Record<string, unknown> }[] },
    private readonly now: () => number = Date.now,
  ) {
    this.s = stylist(out);
    this.labels = nodeLabels(flow);
    for (const node of flow?.nodes ?? []) {
      if (node.type === 'approval') this.onTimeout.set(node.id, node.config?.onTimeout === 'approve' ? 'approved' : 'rejected');
      if (node.type === 'map') this.rounds.set(node.id, 'item');
      if (node.type === 'loop') this.rounds.set(node.id, 'round');
      if (node.type === 'human-input') this.onTimeout.set(node.id, ({ default: 'answered with its default', fail: 'failed' } as Record<string, string>)[String(node.config?.onTimeout)] ?? 'routed to timeout');
    }
  }

  /** How the trace names a node: its name from the flow (with the id when names repeat), else its id. */
  label(nodeId: string): string {
    return this.labels.get(nodeId) ?? nodeId;
  }

  /**
   * A step as the trace names it: inside a body, with its containers and rounds from the outside
   * in (`Draft, review, revise › round 2 › Review`).
   */
  private where(event: RunEvent): string {
    if (!('nodeId' in event) || !event.nodeId) return '';
    const path = 'path' in event ? event.path : undefined;
    const parts: string[] = [];
    for (let i = 0; path && i + 1 < path.length - 1; i += 2) {
      const container = String(path[i]);
      parts.push(`${this.label(container)} › ${this.rounds.get(container) ?? 'round'} ${String(path[i + 1])}`);
    }
    return [...parts, this.s('bold', this.label(event.nodeId))].join(' › ');
  }

  /** Who took a turn: the step, or the attached agents down to the one that did (`triage › billing`). */
  private who(nodeId: string, nesting: { path?: string[] | undefined }): string {
    return [nodeId, ...(nesting.path ?? [])].map((id) => this.label(id)).join(' › ');
  }

  private line(text: string): void {
    if (this.streaming) {
      this.out.write('\n');
      this.streaming = undefined;
    }
    this.out.write(`${this.margin}${text.replace(/\n/g, `\n${this.margin}`)}\n`);
  }

  print(event: RunEvent): void {
    const s = this.s;
    this.mainRun ??= event.runId;
    this.margin = event.runId === this.mainRun ? '' : s('dim', '    ┊ ');
    const node = this.where(event);
    switch (event.type) {
      case 'run.started':
        this.line(s('cyan', `▶ ${this.margin ? 'sub-flow ' : ''}run ${event.runId} of flow "${event.data.flowId}"`) + s('dim', `  input ${brief(event.data.input)}`));
        if (event.data.mocked?.length) this.line(s('dim', `  mock script for: ${event.data.mocked.map((id) => this.label(id)).join(', ')}`));
        if (event.data.prompts?.length) this.line(s('dim', `  library prompts: ${describePins(event.data.prompts, (id) => this.label(id))}`));
        break;
      case 'node.started':
        this.line(
          `${s('blue', '●')} ${node} ${s('dim', event.data.kind)}` +
            (event.data.resumed ? s('dim', ' (resumed)') : event.data.attempt > 1 ? s('yellow', ` (attempt ${event.data.attempt})`) : ''),
        );
        break;
      case 'node.delta': {
        this.streamedNodes.add(event.nodeId);
        // An attached agent's text (a worker, a handoff target) streams under its own heading.
        // So does each round of a body (items of a map run side by side).
        const key = `${event.nodeId} ${JSON.stringify([event.data.path, event.data.call, event.path])}`;
        const indent = '  '.repeat(event.data.path?.length ?? 0);
        if (this.streaming !== key) {
          this.line(s('dim', `  ${indent}${event.path ? node : this.who(event.nodeId, event.data)} │`));
          this.streaming = key;
          this.out.write(`    ${indent}`);
        }
        this.out.write(event.data.text.replace(/\n/g, `\n    ${indent}`));
        break;
      }
      case 'node.tool_call':
        this.line(`  ${nest(event.data)}${s('magenta', '⚙')} ${event.data.agent ? s('bold', this.who(event.nodeId, event.data)) : node} calls ${s('bold', event.data.tool)} ${brief(event.data.args)}`);
        break;
      case 'node.tool_result':
        this.line(
          `  ${nest(event.data)}` +
            (event.data.error
              ? `${s('red', '↳')} ${event.data.tool} failed: ${event.data.error}`
              : `${s('magenta', '↳')} ${event.data.tool} ${s('dim', brief(event.data.result))}${event.data.durationMs === undefined ? '' : s('dim', `  ${formatMs(event.data.durationMs)}`)}`),
        );
        break;
      case 'node.handoff': {
        const d = event.data;
        this.line(
          `  ${nest(d)}${s('cyan', '⇄')} ${s('bold', this.label(d.from))} hands over to ${s('bold', this.label(d.to))}${d.reason ? `: ${d.reason}` : ''}` +
            s('dim', ` (handoff ${d.count}${d.history === 'summary' ? ', history summarised' : ''})`),
        );
        break;
      }
      case 'node.guardrail': {
        // An agent's guardrail check: the guardrail node's verdicts (masked), and what came of it.
        const d = event.data;
        const what = d.stage === 'input' ? 'input guardrail' : `output guardrail (answer ${d.attempt})`;
        const then = { continue: '', retry: s('yellow', ' → asked to answer again'), fail: s('red', ' → the step fails') }[d.then];
        this.line(`  ${nest(d)}${d.passed ? s('green', '⛨') : s('red', '⛨')} ${what}: ${guardrailRules.describeGuardrailDecision(d) ?? ''}${then}`);
        break;
      }
      case 'node.completed': {
        const usage = formatUsage(event.data.usage);
        const waited = event.data.waitedMs === undefined ? '' : `, waited ${formatMs(event.data.waitedMs)}`;
        this.line(`${s('green', '✓')} ${node} ${s('dim', formatMs(event.data.durationMs) + waited)}${usage ? s('dim', ` · ${usage}`) : ''}`);
        for (const model of event.data.models ?? []) {
          if (model.provider === 'test' && model.testReason) {
            this.testProviderNodes.set(event.nodeId, model.testReason);
            this.line(s('yellow', `  ⚠ ${model.requested} was answered by the test provider: ${model.testReason}`));
          } else if (model.provider === 'test') {
            this.testProviderNodes.set(event.nodeId, 'the flow asks for the test provider');
          }
        }
        const decision = event.data.decision as { branch?: string; evaluated?: { when: string; value: unknown }[] } | undefined;
        if (decision?.branch) {
          const why = decision.evaluated?.map((e) => `${e.when} → ${JSON.stringify(e.value)}`).join('; ');
          this.line(s('dim', `  branch ${s('bold', decision.branch)}${why ? ` (${why})` : ''}`));
        }
        const rounds = describeRounds(event.data.decision);
        if (rounds) this.line(s('dim', `  ${rounds}`));
        // A guardrail's verdicts, masked as the trace keeps them: which rule failed and what it found.
        const verdict = guardrailRules.describeGuardrailDecision(event.data.decision);
        if (verdict) this.line(`  ${verdict.startsWith('Failed') ? s('red', '⛨') : s('green', '⛨')} ${verdict}`);
        // Streamed text was shown as it arrived; other outputs are shown once here.
        const streamed = this.streamedNodes.has(event.nodeId) && typeof event.data.output === 'string';
        if (!decision?.branch && !streamed) this.line(s('dim', `  → ${brief(event.data.output)}`));
        break;
      }
      case 'node.failed':
        this.line(
          `${s('red', '✗')} ${node} ${event.data.error.message}` +
            s('dim', ` [${event.data.error.code}]`) +
            (event.data.willRetry ? s('yellow', ` — retrying in ${formatMs(event.data.retryInMs ?? 0)}`) : ''),
        );
        break;
      case 'node.subflow':
        this.line(
          `  ${s('cyan', '↪')} ${node} ${event.data.resumed ? 'goes back to' : 'runs'} flow "${event.data.flowId}" version ${event.data.flowVersion}` +
            s('dim', ` as run ${event.data.childRunId}${event.data.key ? ` (item ${event.data.key})` : ''}`),
        );
        break;
      case 'node.skipped':
        this.line(`${s('dim', '○')} ${s('dim', `${this.where(event)} skipped: ${event.data.reason}`)}`);
        break;
      case 'run.waiting': {
        const [question, ...more] = event.data.message.split('\n');
        const what = { approval: 'waits for approval', tool_approval: 'waits for approval of a tool call', question: 'asks' }[event.data.kind];
        this.line(`${s('yellow', '⏸')} ${node} ${what}: ${question}`);
        for (const line of more) this.line(`  ${line}`);
        if (event.data.payload !== undefined) this.line(s('dim', `  payload:\n${pretty(event.data.payload, '    ')}`));
        if (event.data.deadline) {
          const then = event.data.kind === 'tool_approval' ? undefined : this.onTimeout.get(event.nodeId);
          this.line(s('yellow', `  ${describeDeadline(event.data.deadline, this.now())}${then ? `; with no answer by then it is ${then}` : ''}`));
        }
        break;
      }
      case 'run.resumed':
        if (event.data.decision) {
          const d = event.data.decision;
          this.line(
            `${s('yellow', '▶')} ${event.data.reason === 'timeout' ? 'no answer in time' : d.answer !== undefined ? s('green', 'answered') : d.approved ? s('green', 'approved') : s('red', 'rejected')}` +
              `${d.by ? ` by ${d.by}` : ''}${d.comment ? `: "${d.comment}"` : ''}${d.payload === undefined ? '' : s('dim', ` payload ${brief(d.payload)}`)}` +
              `${d.answer === undefined ? '' : `: ${brief(d.answer)}`}`,
          );
        } else if (event.data.reason === 'subflow') {
          this.line(s('yellow', `▶ the sub-flow ${node} waited on has ended`));
        } else {
          this.line(s('yellow', '▶ resumed from the last checkpoint'));
        }
        break;
      case 'run.completed':
        this.line(s('green', `✔ run succeeded in ${formatMs(event.data.durationMs)}`) + s('dim', formatUsage(event.data.usage) ? ` · ${formatUsage(event.data.usage)}` : ''));
        break;
      case 'run.failed':
        this.line(s('red', `✘ run failed: ${event.data.error.message}`) + s('dim', ` [${event.data.error.code}${event.data.error.nodeId ? ` at ${event.data.error.nodeId}` : ''}]`));
        break;
      case 'run.cancelled':
        this.line(s('yellow', `■ run cancelled${event.data.reason ? `: ${event.data.reason}` : ''}`));
        break;
    }
  }

  /** Node ids named as the trace names them. */
  labelsOf(nodeIds: Iterable<string>): string[] {
    return [...nodeIds].map((id) => this.label(id));
  }

  finish(): void {
    if (this.streaming) this.out.write('\n');
    this.streaming = undefined;
  }
}

/** A run's pins on one line: `triage@latest → v3 (classify)`, each reference once. */
function describePins(pins: readonly PromptPin[], label: (nodeId: string) => string): string {
  const byRef = new Map<string, { version: number; nodes: string[] }>();
  for (const pin of pins) {
    const entry = byRef.get(pin.ref) ?? { version: pin.version, nodes: [] };
    entry.nodes.push(label(pin.nodeId));
    byRef.set(pin.ref, entry);
  }
  return [...byRef].map(([ref, { version, nodes }]) => `${ref} → version ${version} (${nodes.join(', ')})`).join('; ');
}

/** How a map or a loop ended, from its decision: `3 items, 2 succeeded, 1 failed (skipped)`, `ended by its condition after 2 rounds`. */
function describeRounds(decision: unknown): string | undefined {
  const d = (decision ?? {}) as { items?: number; succeeded?: number; failed?: number; onError?: string; endedBy?: string; iterations?: number };
  if (d.endedBy === 'condition') return `ended by its condition after ${d.iterations} round${d.iterations === 1 ? '' : 's'}`;
  if (d.endedBy === 'maxIterations') return `reached its limit of ${d.iterations} round${d.iterations === 1 ? '' : 's'} without its condition holding`;
  if (typeof d.items === 'number' && typeof d.succeeded === 'number') {
    return `${d.items} item${d.items === 1 ? '' : 's'}, ${d.succeeded} succeeded${d.failed ? `, ${d.failed} failed (${d.onError === 'skip' ? 'left out' : 'errors kept in place'})` : ''}`;
  }
  return undefined;
}

/** Indents the turns of attached agents by how deep they are nested. */
function nest(nesting: { path?: string[] | undefined }): string {
  return '  '.repeat(nesting.path?.length ?? 0);
}
