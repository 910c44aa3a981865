import { Environment } from '@marcbachmann/cel-js';
import { boundedMemo } from './cache.js';

/**
 * Condition expressions are CEL (`nodes.classify.output.category == 'billing'`): no loops,
 * always terminates, no access to JavaScript. JSON numbers are CEL doubles; integers CEL
 * returns come back as BigInt and are turned into numbers here.
 */
const env = new Environment({
  unlistedVariablesAreDyn: true,
  enableOptionalTypes: true,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: 2_000, maxDepth: 64, maxListElements: 1_000, maxMapEntries: 1_000, maxCallArguments: 16 },
});

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
    throw new ExpressionError(firstLine(error));
  }
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
