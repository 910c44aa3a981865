import { Liquid, type FilterImplOptions, type Template } from 'liquidjs';
import type { KindProblem } from '@trellis/schema';
import type { CheckContext } from '@trellis/schema';
import { boundedMemo } from './cache.js';
import { clashMessage, notSetMessage, valueWord } from './explain.js';

/** What a filter handler sees as `this` (liquidjs does not export the type by name). */
type FilterThis = ThisParameterType<Extract<FilterImplOptions, (...args: never[]) => unknown>>;

/** A math filter given something that is not a number; its message is the one shown. */
class FilterClash extends Error {}

/** `"3"` counts as a number (Liquid reads numeric text as numbers); `"Ada"`, lists, objects and null do not. */
const numeric = (value: unknown): boolean =>
  typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)));

/** The source of what a filter is applied to: `input.name` in `{{ input.name | plus: 1 }}`. */
function filterSubject(token: { input: string; begin: number }): string {
  const before = token.input.slice(0, token.begin);
  const start = Math.max(before.lastIndexOf('{{'), before.lastIndexOf('{%'));
  return before
    .slice(start + 2)
    .replace(/^-/, '')
    .replace(/^\s*(assign\s+[\w.]+\s*=|echo)\s*/, '')
    .replace(/\|\s*$/, '')
    .trim();
}

/**
 * Prompt and value templates are Liquid: `{{ input.message }}`, filters, `{% if %}`.
 * Liquid never runs JavaScript; `ownPropertyOnly` keeps prototypes out of reach, strict
 * variables turn a typo into an error naming it, strict filters make a misspelt filter
 * (`{{ x | upcsae }}`) a parse error rather than a silent no-op, and the limits bound every render.
 */
function createLiquid(): Liquid {
  const liquid = new Liquid({
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
  // Liquid's math filters turn text into 0 silently (`{{ "Ada" | plus: 1 }}` is 1); here they refuse,
  // naming which side is which type, as CEL does for `input.name + 1`.
  for (const [name, op] of [['plus', '+'], ['minus', '-'], ['times', '*'], ['divided_by', '/'], ['modulo', '%']] as const) {
    const original = liquid.filters[name] as (this: unknown, ...args: unknown[]) => unknown;
    liquid.registerFilter(name, function (this: FilterThis, value: unknown, arg: unknown, ...rest: unknown[]) {
      if (!numeric(value) || !numeric(arg)) {
        const written = this.token.args[0];
        const left = { source: filterSubject(this.token) || JSON.stringify(value), type: valueWord(value) };
        const right = { source: written && 'getText' in written ? written.getText() : JSON.stringify(arg), type: valueWord(arg) };
        throw new FilterClash(`${name}: ${clashMessage(op, left, right, (source) => `{% if ${source} %}`)}`);
      }
      if ((op === '/' || op === '%') && Number(arg) === 0) throw new FilterClash(`${name}: cannot divide by zero`);
      return original.call(this, value, arg, ...rest);
    });
  }
  return liquid;
}

/**
 * The one Liquid engine, made when first used: making it takes tens of milliseconds, which an
 * editor opening a flow (whose problems come from the runner) need not spend.
 */
let engine: Liquid | undefined;
const liquid = (): Liquid => (engine ??= createLiquid());

const parse = boundedMemo<string, Template[]>(1000, (source) => liquid().parse(source));

export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateError';
  }
}

/** Renders a template to text. Throws TemplateError with Liquid's message (it names the variable). */
export async function renderTemplate(source: string, scope: object): Promise<string> {
  if (!source.includes('{')) return source;
  const syntax = templateSyntaxError(source);
  if (syntax) throw new TemplateError(syntax);
  try {
    return String(await liquid().render(parse(source), scope));
  } catch (error) {
    throw new TemplateError(`template: ${explainTemplateError(error)}`);
  }
}

/**
 * A Liquid error as a person would want to read it, naming the field: a missing field says it is
 * optional and how to test for it, a math filter on text says which side is which type, an
 * unknown filter or tag offers the nearest known name. The runner records it; the editor shows
 * the same words for a template that does not parse (templateSyntaxError).
 */
export function explainTemplateError(error: unknown): string {
  const message = String((error as Error)?.message ?? error);
  const original = (error as { originalError?: unknown })?.originalError;
  const at = /(, line:\d+, col:\d+)$/.exec(message.split('\n')[0]!)?.[1] ?? '';
  if (original instanceof FilterClash) return `${original.message}${at}`;
  const undef = /^undefined variable: ([^,\s]+)/.exec(message);
  if (undef) {
    const path = undef[1]!;
    return (
      notSetMessage(path, {
        has: `test it with {% if ${path} %} or use {{ ${path} | default: "…" }}`,
        input: `use {{ ${path} | default: "…" }}, test it with {% if ${path} %}, or give it a default in the input schema`,
      }) + at
    );
  }
  return explainParseError(message.split('\n')[0]!);
}

/** Why a template does not parse, or undefined when it does: the message the editor and the runner both show. */
export function templateSyntaxError(source: string): string | undefined {
  try {
    templateVariables(source);
    return undefined;
  } catch (error) {
    return `template does not parse: ${(error as Error).message}`;
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
        return await liquid().evalValue(single[1]!, scope);
      } catch (error) {
        throw new TemplateError(`template: ${explainTemplateError(error)}`);
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

const readVariables = boundedMemo<string, string[]>(1000, (source) => liquid().globalFullVariablesSync(source));

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
  const near = nearest(name, Object.keys(what === 'filter' ? liquid().filters : liquid().tags));
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
  const syntax = templateSyntaxError(source);
  if (syntax) return [{ code: 'invalid_template', message: syntax, path }];
  const variables = templateVariables(source);
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
  if (root === 'input') {
    if (!second || !ctx.inputFields || ctx.inputFields.has(second)) return undefined;
    const near = nearest(second, [...ctx.inputFields]);
    const fields = [...ctx.inputFields];
    const hint = near ? `did you mean input.${near}?` : fields.length ? `its fields: ${fields.join(', ')}` : 'it declares no fields';
    return `{{${variable}}}: the input schema has no field "${second}" (${hint})`;
  }
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
