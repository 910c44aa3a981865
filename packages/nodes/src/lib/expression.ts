import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import { boundedMemo } from './cache.js';
import { clashMessage, notSetMessage, typeWord } from './explain.js';

/**
 * Condition expressions are CEL (`nodes.classify.output.category == 'billing'`): no loops,
 * always terminates, no access to JavaScript. JSON numbers are CEL doubles and literals such as
 * `1` are CEL ints; CEL has no arithmetic across the two, so the environment registers the mixed
 * overloads (`input.n + 1`, `1.5 * size(items)`) and a remainder on doubles (`input.n % 2`), all
 * computed as doubles, and equality of a double and an int literal. Integers CEL
 * returns come back as BigInt and are turned into numbers here.
 */
const env = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2_000, maxDepth: 64, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 16 },
});

const ARITHMETIC: Record<'+' | '-' | '*' | '/' | '%', (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};
for (const [op, fn] of Object.entries(ARITHMETIC)) {
  env.registerOperator(`double ${op} int: double`, (a: number, b: bigint) => fn(a, Number(b)));
  env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
}
env.registerOperator('double % double: double', ARITHMETIC['%']);
// Dynamic values already compare across int and double; these make literals agree (`2.0 == 2`).
env.registerOperator('double == int: bool', (a: number, b: bigint) => a === Number(b));

export const MAX_EXPRESSION_LENGTH = 4_000;

type Compiled = (context: Record<string, unknown>) => unknown;

export class ExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpressionError';
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

const compile = boundedMemo<string, Compiled>(1000, (source) => {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new ExpressionError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  try {
    return env.parse(source) as unknown as Compiled;
  } catch (error) {
    throw new ExpressionError(firstLine(error));
  }
});

/** Why an expression does not parse, or undefined when it does. */
export function expressionSyntaxError(source: string): string | undefined {
  try {
    compile(source);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function evaluateExpression(source: string, scope: object): unknown {
  const fn = compile(source);
  try {
    return normalize(fn(scope as Record<string, unknown>));
  } catch (error) {
    throw new ExpressionError(explainExpressionError(error));
  }
}

/** What CEL's errors carry: a code and the node they are about (cel-js's CelError). */
interface CelFailure {
  code?: string;
  summary?: string;
  node?: ASTNode;
}

const text = (node: unknown): string => {
  const n = node as ASTNode | undefined;
  return n?.input && n.range ? n.input.slice(n.range.start, n.range.end) : '';
};

/**
 * An evaluation error as a person would want to read it, naming the field: a missing field says
 * it is optional and how to test for it; a type clash says which side is which type. The one
 * message the runner records and the editor shows; CEL's own first line when there is nothing
 * better to say.
 */
export function explainExpressionError(error: unknown): string {
  const { code, summary, node } = (error ?? {}) as CelFailure;
  if (!node || !summary) return firstLine(error);
  const where = text(node);
  if (code === 'no_such_key' && (node.op === '.' || node.op === '[]')) {
    const [object, key] = node.args as [ASTNode, ASTNode | string];
    const test = node.op === '.' ? `has(${where})` : `${text(key)} in ${text(object)}`;
    return notSetMessage(where, {
      has: `test it with ${test}`,
      input: `test it with ${test} or give it a default in the input schema`,
    });
  }
  if (code === 'index_out_of_bounds' && node.op === '[]') {
    const [list, index] = node.args as [ASTNode, ASTNode];
    const size = /size (\d+)/.exec(summary)?.[1];
    if (!size) return `${where} is outside the list: positions start at 0`;
    return `${where} is past the end of the list (${text(list)} has ${size} item${size === '1' ? '' : 's'}); test it with size(${text(list)}) > ${text(index)}`;
  }
  if (code === 'no_such_overload' && Array.isArray(node.args) && node.args.length === 2 && typeof node.op === 'string') {
    const [left, right] = node.args as [ASTNode, ASTNode];
    const types = summary.replace(/^no such overload: /, '').split(` ${node.op} `);
    if (types.length === 2) {
      return clashMessage(node.op, { source: text(left), type: typeWord(types[0]!) }, { source: text(right), type: typeWord(types[1]!) });
    }
  }
  if (code === 'no_such_overload' && (node.op === '!_' || node.op === '-_')) {
    const type = typeWord(summary.replace(/^no such overload: [-!]/, ''));
    return node.op === '!_'
      ? `! needs true or false: ${text(node.args)} is ${type}`
      : `cannot make ${type} negative: ${text(node.args)} is ${type}`;
  }
  if (code === 'no_matching_overload' && (node.op === 'call' || node.op === 'rcall')) {
    const name = node.args[0];
    if (!functionNames().has(name)) return `there is no function ${name}()`;
    const args = (node.op === 'call' ? node.args[1] : node.args[2]) as ASTNode[];
    const types = splitTypes(/\((.*)\)'?$/.exec(summary)?.[1] ?? '');
    const receiver = node.op === 'rcall' ? /for '([^'(]+)\./.exec(summary)?.[1] : undefined;
    if (types.length === args.length && args.length > 0) {
      const sides = args.map((arg, i) => `${text(arg)} is ${typeWord(types[i]!)}`).join(', ');
      return `${name}()${receiver ? ` on ${typeWord(receiver)}` : ''} does not take ${types.map(typeWord).join(' and ')}: ${sides}`;
    }
    return `${name}() cannot be called like this: ${where}`;
  }
  if (code === 'invalid_logical_operand') {
    return `&& and || need true or false on both sides: ${where} is ${typeWord(/got '([^']+)'/.exec(summary)?.[1] ?? '')}`;
  }
  if (code === 'invalid_condition_type') {
    return `the test before ? must be true or false: ${where} is ${typeWord(/got '([^']+)'/.exec(summary)?.[1] ?? '')}`;
  }
  if (code === 'unknown_variable') return `unknown name "${where}" (use input, nodes.<id>.output or vars)`;
  return summary;
}

let known: Set<string> | undefined;
const functionNames = () => (known ??= new Set(env.getDefinitions().functions.map((f) => f.name)));

/** `map<string, int>, double` → the two types, commas inside <> kept. */
function splitTypes(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const c = list[i];
    if (c === '<') depth++;
    else if (c === '>') depth--;
    else if (c === ',' && depth === 0) {
      out.push(list.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (list.trim()) out.push(list.slice(start).trim());
  return out;
}

function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normalize);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), normalize(v)]));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
  }
  return value;
}
