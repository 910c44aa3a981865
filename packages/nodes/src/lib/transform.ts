import jsonata from 'jsonata';
import { boundedMemo } from './cache.js';

/**
 * JSON transforms are JSONata (`{ 'total': $sum(items.price) }`): no JavaScript. Every
 * evaluation is bounded in time and recursion depth, and the result's size is capped.
 */
export interface TransformLimits {
  timeoutMs: number;
  maxDepth: number;
  maxResultBytes: number;
}

export const DEFAULT_TRANSFORM_LIMITS: TransformLimits = { timeoutMs: 1_000, maxDepth: 200, maxResultBytes: 5_000_000 };

export class TransformError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransformError';
  }
}

/** Why an expression does not parse, or undefined when it does. */
export function transformSyntaxError(source: string): string | undefined {
  try {
    jsonata(source);
    return undefined;
  } catch (error) {
    return describe(error);
  }
}

/**
 * Parsed once per source and limits: an expression keeps its per-evaluation state (guards,
 * depth, bindings) in a frame of its own, so one parse serves concurrent runs.
 */
const compile = boundedMemo<string, jsonata.Expression>(1000, (key) => {
  const { source, timeoutMs, maxDepth } = JSON.parse(key) as { source: string; timeoutMs: number; maxDepth: number };
  // JSONata's own guards: a wall-clock timeout and a bound on recursion depth.
  return jsonata(source, { timeout: timeoutMs, stack: maxDepth });
});

export async function evaluateTransform(
  source: string,
  data: unknown,
  limits: TransformLimits = DEFAULT_TRANSFORM_LIMITS,
): Promise<unknown> {
  let expression: jsonata.Expression;
  try {
    expression = compile(JSON.stringify({ source, timeoutMs: limits.timeoutMs, maxDepth: limits.maxDepth }));
  } catch (error) {
    throw new TransformError(`transform does not parse: ${describe(error)}`);
  }
  let result: unknown;
  try {
    result = await expression.evaluate(data);
  } catch (error) {
    throw new TransformError(`transform failed: ${describe(error)}`);
  }
  // JSONata marks sequences with extra properties; a JSON round trip gives plain data.
  const json = result === undefined ? undefined : JSON.stringify(result);
  if (json !== undefined && json.length > limits.maxResultBytes) {
    throw new TransformError(`transform result is larger than ${limits.maxResultBytes} bytes`);
  }
  return json === undefined ? null : JSON.parse(json);
}

function describe(error: unknown): string {
  const e = error as { message?: string; position?: number; token?: string };
  const at = typeof e.position === 'number' ? ` (at character ${e.position})` : '';
  return `${e.message ?? String(error)}${at}`;
}
