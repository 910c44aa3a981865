/**
 * An approval's payload as a form, so the approver reads and edits a drafted reply as text
 * rather than as one long JSON line with "\n" in it. The schema is inferred from the payload
 * itself (a step's payload has none): strings, numbers and booleans get their own field; nested
 * values are edited as JSON. A payload that is not an object stays a JSON textarea.
 */
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Strings this long, or with a line break, are read in a textarea. */
const LONG = 60;

export function payloadSchema(payload: unknown): Record<string, unknown> | undefined {
  if (!isObject(payload) || Object.keys(payload).length === 0) return undefined;
  const properties = Object.fromEntries(
    Object.entries(payload).map(([name, value]) => {
      if (typeof value === 'string') return [name, { type: 'string', ...(value.length > LONG || value.includes('\n') ? { format: 'textarea' } : {}) }];
      if (typeof value === 'number') return [name, { type: Number.isInteger(value) ? 'integer' : 'number' }];
      if (typeof value === 'boolean') return [name, { type: 'boolean' }];
      return [name, {}];
    }),
  );
  return { type: 'object', properties };
}
