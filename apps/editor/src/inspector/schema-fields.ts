/**
 * The "Fields" table of a JSON Schema field: the common case of an object with flat properties,
 * as rows a person edits without writing JSON. Rows and schema convert both ways; keywords the
 * table does not show (a property's `enum`, the schema's `additionalProperties`) are kept.
 */
import { isRecord } from './paths';

export const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FieldRow {
  /** Stable across renames, for React keys. */
  key: string;
  name: string;
  type: FieldType;
  required: boolean;
  description: string;
  /** The property's schema as it was, so keywords the table does not show survive an edit. */
  extra: Record<string, unknown>;
}

export type RowsResult = { ok: true; rows: FieldRow[] } | { ok: false; reason: string };

let nextKey = 0;
export const rowKey = () => `row-${++nextKey}`;

const isFieldType = (t: unknown): t is FieldType => typeof t === 'string' && (FIELD_TYPES as readonly string[]).includes(t);

/** The rows of a flat object schema, or why the table cannot show it (then it is edited as JSON). */
export function schemaToRows(schema: unknown): RowsResult {
  if (schema === undefined) return { ok: true, rows: [] };
  if (!isRecord(schema)) return { ok: false, reason: 'the schema is not a JSON object' };
  if (schema.type !== 'object' && !(schema.type === undefined && isRecord(schema.properties))) {
    return { ok: false, reason: `the schema describes ${schema.type === undefined ? 'no type' : `type ${JSON.stringify(schema.type)}`}, not an object with fields` };
  }
  const properties = schema.properties ?? {};
  if (!isRecord(properties)) return { ok: false, reason: '"properties" is not an object' };
  const required = new Set(Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : []);
  const rows: FieldRow[] = [];
  for (const [name, property] of Object.entries(properties)) {
    if (!isRecord(property) || !isFieldType(property.type)) {
      return { ok: false, reason: `field "${name}" has no single type the table knows (${FIELD_TYPES.join(', ')})` };
    }
    rows.push({
      key: rowKey(),
      name,
      type: property.type,
      required: required.has(name),
      description: typeof property.description === 'string' ? property.description : '',
      extra: property,
    });
  }
  return { ok: true, rows };
}

export type SchemaResult = { ok: true; schema: Record<string, unknown> } | { ok: false; reason: string };

/** The schema for these rows, built on `base` (its other keywords kept). */
export function rowsToSchema(base: unknown, rows: readonly FieldRow[]): SchemaResult {
  const seen = new Set<string>();
  for (const row of rows) {
    if (row.name.trim() === '') return { ok: false, reason: 'every field needs a name' };
    if (seen.has(row.name)) return { ok: false, reason: `two fields are named "${row.name}"` };
    seen.add(row.name);
  }
  const properties: Record<string, unknown> = {};
  for (const row of rows) {
    const property: Record<string, unknown> = { ...row.extra, type: row.type };
    if (row.description) property.description = row.description;
    else delete property.description;
    properties[row.name] = property;
  }
  const schema: Record<string, unknown> = { ...(isRecord(base) ? base : {}), type: 'object', properties };
  const required = rows.filter((r) => r.required).map((r) => r.name);
  if (required.length) schema.required = required;
  else delete schema.required;
  return { ok: true, schema };
}

/** A row's type changed: keywords of the old type (`enum`, `minLength`, `items`) would now be wrong. */
export function withType(row: FieldRow, type: FieldType): FieldRow {
  return { ...row, type, extra: row.type === type ? row.extra : {} };
}

/** A new row with a name no other row has: `field`, `field2`, … */
export function newRow(rows: readonly FieldRow[]): FieldRow {
  const taken = new Set(rows.map((r) => r.name));
  let name = 'field';
  for (let n = 2; taken.has(name); n++) name = `field${n}`;
  return { key: rowKey(), name, type: 'string', required: false, description: '', extra: {} };
}
