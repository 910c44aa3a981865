import { Liquid, type Template } from 'liquidjs';
import type { KindProblem } from '@trellis/schema';
import type { CheckContext } from '@trellis/schema';
import { boundedMemo } from './cache.js';

/**
 * Prompt and value templates are Liquid: `{{ input.message }}`, filters, `{% if %}`.
 * Liquid never runs JavaScript; `ownPropertyOnly` keeps prototypes out of reach, strict
 * variables turn a typo into an error naming it, strict filters make a misspelt filter
 * (`{{ x | upcsae }}`) a parse error rather than a silent no-op, and the limits bound every render.
 */
export const liquid = new Liquid({
  strictVariables: true,
  strictFilters: true,
  // `{% if input.optional %}` tests for a value that may be absent; only output stays strict.
  lenientIf: true,
  ownPropertyOnly: true,
  parseLimit: 100_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
  // Objects render as JSON, so `{{ nodes.x.output }}` gives something a model can read.
  outputEscape: (value: unknown) =>
    typeof value === 'object' && value !== null ? JSON.stringify(value) : value == null ? '' : String(value),
});

const parse = boundedMemo<string, Template[]>(1000, (source) => liquid.parse(source));

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Renders a template to text. Throws TemplateError with Liquid's message (it names the variable). */
export async function renderTemplate(source: string, scope: object): Promise<string> {
  if (!source.includes('{')) return source;
  try {
    return String(await liquid.render(parse(source), scope));
  } catch (error) {
    throw new TemplateError(`template: ${explainParseError((error as Error).message)}`);
  }
}

const SINGLE = /^\s*\{\{\s*([^{}|]+?)\s*\}\}\s*$/;

/**
 * Renders every string leaf of a value as a template. A leaf that is exactly one `{{ path }}`
 * keeps the type of what it names (an object stays an object, a number a number).
 */
export async function renderValue(value: unknown, scope: object, depth = 0): Promise<unknown> {
  if (depth > 32) throw new TemplateError('template: value nests deeper than 32 levels');
  if (typeof value === 'string') {
    const single = SINGLE.exec(value);
    if (single) {
      try {
        return await liquid.evalValue(single[1]!, scope);
      } catch (error) {
        throw new TemplateError(`template: ${(error as Error).message}`);
      }
    }
    return renderTemplate(value, scope);
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => renderValue(v, scope, depth + 1)));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await renderValue(v, scope, depth + 1)] as const),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

const readVariables = boundedMemo<string, string[]>(1000, (source) => liquid.globalFullVariablesSync(source));

/**
 * The variables a template reads, as dotted paths (`input.message`, `nodes.classify.output`).
 * Throws TemplateError when the template does not parse, naming an unknown filter or tag.
 */
export function templateVariables(source: string): string[] {
  try {
    return readVariables(source);
  } catch (error) {
    throw new TemplateError(explainParseError((error as Error).message));
  }
}

/**
 * Liquid's parse message, with an unknown filter or tag said plainly and the nearest known
 * name offered: `undefined filter: upcsae, line:1, col:1` becomes
 * `unknown filter "upcsae" (did you mean "upcase"?), line:1, col:1`.
 */
function explainParseError(message: string): string {
  const unknown = /^undefined filter: ([^,\s]+)(.*)$/s.exec(message) ?? /^tag "([^"]+)" not found(.*)$/s.exec(message);
  if (!unknown) return message;
  const what = message.startsWith('undefined filter') ? 'filter' : 'tag';
  const name = unknown[1]!;
  const near = nearest(name, Object.keys(what === 'filter' ? liquid.filters : liquid.tags));
  return `unknown ${what} "${name}"${near ? ` (did you mean "${near}"?)` : ''}${unknown[2]}`;
}

/** The known name closest to `name` by edit distance, when it is close enough to be a typo. */
function nearest(name: string, known: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** Syntax errors, and variables that will not exist when the node runs, as problems. */
export function checkTemplate(source: string, ctx: CheckContext, path: (string | number)[]): KindProblem[] {
  let variables: string[];
  try {
    variables = templateVariables(source);
  } catch (error) {
    return [{ code: 'invalid_template', message: `template does not parse: ${(error as Error).message}`, path }];
  }
  const problems: KindProblem[] = [];
  for (const variable of new Set(variables)) {
    const message = unknownVariable(variable, ctx);
    if (message) problems.push({ code: 'unknown_variable', severity: 'warning', message, path });
  }
  return problems;
}

/** Why a dotted variable will not resolve in a node's scope, or undefined when it will. */
export function unknownVariable(variable: string, ctx: CheckContext): string | undefined {
  const [root, second] = variable.replace(/\[["']?([^\]"']+)["']?\]/g, '.$1').split('.');
  if (root === 'input') return undefined;
  if (root === 'nodes') {
    if (!second) return undefined;
    if (second === ctx.nodeId) return `{{${variable}}} refers to this node's own output`;
    if (!ctx.upstream.has(second)) return `{{${variable}}}: "${second}" is not a step that runs before this node`;
    return undefined;
  }
  if (root === 'vars') {
    return !second || ctx.vars.has(second) ? undefined : `{{${variable}}}: the flow has no var "${second}"`;
  }
  if (root && ctx.extraRoots.has(root)) return undefined;
  return `{{${variable}}}: unknown name "${root}" (use input, nodes.<id>.output or vars)`;
}

/** Every template string inside a value (for checks of output mappings and HTTP bodies). */
export function templateLeaves(value: unknown, path: (string | number)[] = []): [string, (string | number)[]][] {
  if (typeof value === 'string') return value.includes('{') ? [[value, path]] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => templateLeaves(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => templateLeaves(v, [...path, k]));
  }
  return [];
}
