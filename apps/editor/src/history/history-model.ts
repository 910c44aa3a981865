/**
 * What the History tab says about versions and their differences, as plain functions: which two
 * versions to compare first, how a changed field is named (the form's label, not a config path),
 * how a value reads, and the one-line summary of a diff.
 */
import { kinds } from '@trellis/nodes';
import type { FieldChange, FlowDiff, FlowVersionSummary } from '@trellis/schema';
import { diffWordsWithSpace } from 'diff';

/** The two versions compared first: the one before the latest, and the latest. */
export function defaultPair(versions: readonly FlowVersionSummary[]): { from: number; to: number } | undefined {
  const numbers = versions.map((v) => v.version).sort((a, b) => b - a);
  const [latest, previous] = numbers;
  if (latest === undefined || previous === undefined) return undefined;
  return { from: previous, to: latest };
}

/** Newest first, whatever order the runner answered in. */
export const newestFirst = (versions: readonly FlowVersionSummary[]) => [...versions].sort((a, b) => b.version - a.version);

/**
 * A config path as the Inspector names it: the kind's field label (`prompt.template` → "Prompt"),
 * with what lies below it (`output.schema.properties.x` → "Structured output › properties › x").
 * A list item reads by its name when `items` gives one (`branches.1.when` → "branch “Billing” ›
 * when"), else by its place counted from 1 ("branch 2 › when"), never by its array index.
 * A path no field claims reads as the path itself, its items named the same way.
 */
export function fieldLabel(type: string, path: string, items: Readonly<Record<string, string>> = {}): string {
  const hints = kinds.get(type)?.fields ?? [];
  // The longest hint path that is the path or a prefix of it; a library reference (`prompt.ref`)
  // belongs to the field whose text it replaces.
  let best: { label: string; base: string } | undefined;
  for (const hint of hints) {
    for (const base of [hint.path, hint.promptRef?.path].filter((p): p is string => p !== undefined)) {
      if ((path === base || path.startsWith(`${base}.`)) && base.length > (best?.base.length ?? -1)) best = { label: hint.label, base };
    }
  }
  const base = best?.base ?? '';
  const rest = path === base ? [] : (base ? path.slice(base.length + 1) : path).split('.');
  // `prompt.ref` under the `prompt` reference path of the "Prompt" field reads "Prompt › library prompt".
  if (best && rest.length === 1 && rest[0] === 'ref') return `${best.label} › library prompt`;
  if (!best && !rest.some((part) => /^\d+$/.test(part))) return path;
  const words = best ? [best.label] : [];
  let at = base;
  for (const [i, part] of rest.entries()) {
    at = at ? `${at}.${part}` : part;
    if (!/^\d+$/.test(part)) {
      words.push(part);
      continue;
    }
    // An item replaces the list's own word: "Branches › 1" reads "branch “Billing”".
    const list = i > 0 ? rest[i - 1]! : (base.split('.').pop() ?? '');
    const name = items[at];
    if (i > 0 || best) words.pop();
    words.push(name === undefined ? `${singular(list)} ${Number(part) + 1}` : `${singular(list)} “${name}”`);
  }
  return words.join(' › ');
}

/** "branches" → "branch", "entries" → "entry", "rules" → "rule"; "item" when it cannot tell. */
function singular(list: string): string {
  const word = list.toLowerCase();
  if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (/(ch|sh|ss|x)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && word.length > 1) return word.slice(0, -1);
  return 'item';
}

/** A flow-level path (`vars.company`, `samples.Billing.input.message`) in words. */
export function flowFieldLabel(path: string): string {
  const [head, ...rest] = path.split('.');
  switch (head) {
    case 'name':
      return 'Flow name';
    case 'description':
      return 'Description';
    case 'tags':
      return 'Tags';
    case 'vars':
      return rest.length ? `Variable ${rest.join(' › ')}` : 'Variables';
    case 'settings':
      return ['Settings', ...rest].join(' › ');
    case 'samples': {
      const [sample, ...below] = rest;
      return sample === undefined ? 'Samples' : [`Sample "${sample}"`, ...below].join(' › ');
    }
    default:
      return path;
  }
}

export const POLICY_LABELS: Record<string, string> = { timeoutMs: 'Timeout (ms)', retries: 'Retries', backoffMs: 'Retry backoff (ms)' };

const MAX_SHOWN = 4000;

/** A value as the diff shows it: text as it is, anything else as indented JSON; cut short past a few thousand characters. */
export function formatValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}… (${text.length - MAX_SHOWN} more characters)` : text;
}

export type ChangeKind = 'added' | 'removed' | 'changed';
/** A value's two sides; a side is absent where the value did not exist. */
export type ValueChange = Pick<FieldChange, 'before' | 'after'>;
export const changeKind = (change: ValueChange): ChangeKind => (!('before' in change) ? 'added' : !('after' in change) ? 'removed' : 'changed');

export interface TextPart {
  text: string;
  kind: 'same' | 'added' | 'removed';
}

/** Edits beyond this many are not worth marking word by word: the two texts are shown whole. */
const MAX_EDIT = 400;

/**
 * Two texts as one, the removed words and the added words marked, when both sides are text and
 * the edit is small enough to read that way; undefined otherwise.
 */
export function wordChanges(change: ValueChange): TextPart[] | undefined {
  const { before, after } = change;
  if (typeof before !== 'string' || typeof after !== 'string') return undefined;
  if (before.length + after.length > 2 * MAX_SHOWN) return undefined;
  const parts = diffWordsWithSpace(before, after, { maxEditLength: MAX_EDIT });
  if (!parts) return undefined;
  return parts.map((p) => ({ text: p.value, kind: p.added ? 'added' : p.removed ? 'removed' : 'same' }));
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "2 nodes changed, 1 node added · 1 wire added · 3 nodes moved", or that nothing changed. */
export function summarize(diff: FlowDiff): string {
  const count = (change: ChangeKind) => diff.nodes.filter((n) => n.change === change).length;
  const parts: string[] = [];
  const nodeParts = (['changed', 'added', 'removed'] as const).flatMap((c) => (count(c) ? [`${plural(count(c), 'node')} ${c}`] : []));
  if (nodeParts.length) parts.push(nodeParts.join(', '));
  const added = diff.edges.filter((e) => e.change === 'added').length;
  const removed = diff.edges.length - added;
  if (added || removed) parts.push([added ? `${plural(added, 'wire')} added` : '', removed ? `${plural(removed, 'wire')} removed` : ''].filter(Boolean).join(', '));
  if (diff.flow.length) parts.push(`${plural(diff.flow.length, 'flow setting')} changed`);
  if (diff.moved.length) parts.push(`${plural(diff.moved.length, 'node')} moved`);
  return parts.length ? parts.join(' · ') : 'No differences';
}

/** "3 Jun 2025, 14:02": the local date and time of a version. */
export function formatWhen(iso: string, locale?: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  // One formatter a locale: `toLocaleString` with options builds one per call (a list of versions calls this per row).
  let format = whenFormats.get(locale);
  if (!format) whenFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })));
  return format.format(time);
}
const whenFormats = new Map<string | undefined, Intl.DateTimeFormat>();
