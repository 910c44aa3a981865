/**
 * The words expression and template errors are told in, shared by the CEL and Liquid messages so
 * a person reads the same sentence whichever language tripped: what is missing and how to test
 * for it, or which side of an operator is which type.
 */

/** A CEL or JSON type in plain words: `dyn<string>` is "text", `int` and `double` are "a number". */
export function typeWord(type: string): string {
  const bare = type.trim().replace(/^dyn<(.*)>$/, '$1');
  if (bare === 'string') return 'text';
  if (bare === 'int' || bare === 'uint' || bare === 'double' || bare === 'number') return 'a number';
  if (bare === 'bool' || bare === 'boolean') return 'true/false';
  if (bare === 'null' || bare === 'null_type') return 'null';
  if (bare.startsWith('list') || bare === 'array') return 'a list';
  if (bare.startsWith('map') || bare === 'object') return 'an object';
  if (bare.startsWith('optional')) return 'an optional value';
  if (bare === 'google.protobuf.Timestamp' || bare === 'timestamp') return 'a timestamp';
  if (bare === 'google.protobuf.Duration' || bare === 'duration') return 'a duration';
  if (bare === 'bytes') return 'bytes';
  if (bare === 'type') return 'a type';
  return bare;
}

/** The JSON type of a value in the same words (for Liquid, where values rather than types are at hand). */
export function valueWord(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return 'text';
  if (typeof value === 'number' || typeof value === 'bigint') return 'a number';
  if (typeof value === 'boolean') return 'true/false';
  return typeof value;
}

const VERBS: Record<string, string> = {
  '+': 'add',
  '-': 'subtract',
  '*': 'multiply',
  '/': 'divide',
  '%': 'take the remainder of',
  '<': 'compare',
  '<=': 'compare',
  '>': 'compare',
  '>=': 'compare',
  '==': 'compare',
  '!=': 'compare',
};

/**
 * `cannot add text and a number: input.name is text, 1 is a number`. `left` and `right` are the
 * source of each side as written, the types in plain words (see typeWord and valueWord).
 */
export function clashMessage(
  op: string,
  left: { source: string; type: string },
  right: { source: string; type: string },
  testNull: (source: string) => string = (source) => `${source} != null`,
): string {
  const head =
    op === 'in' ? `cannot look for ${left.type} in ${right.type}` : `cannot ${VERBS[op] ?? `use ${op} on`} ${left.type} and ${right.type}`;
  const sides = `${left.source} is ${left.type}, ${right.source} is ${right.type}`;
  const nullSide = [left, right].find((side) => side.type === 'null');
  const hint = nullSide ? `; test it first, e.g. ${testNull(nullSide.source)}` : '';
  return `${head}: ${sides}${hint}`;
}

/** The dotted path's root and how to tell a person to test for it, per language. */
export function notSetMessage(path: string, test: { has: string; input: string }): string {
  const [root, id] = path.split(/[.[]/);
  if (root === 'input') return `${path} is not set — it is optional; ${test.input}`;
  if (root === 'nodes' && id && path.replace(/^nodes[.[]/, '').split(/[.[]/).length === 1) {
    return `${path} has no output here: that step did not run before this one (it was skipped, or it is not upstream); ${test.has}`;
  }
  if (root === 'vars' && id) return `${path} is not set: the flow has no var "${id.replace(/["'\]]/g, '')}"`;
  return `${path} is not set; ${test.has}`;
}
