import { describe, expect, it } from 'vitest';
import { newRow, rowsToSchema, schemaToRows, withType, type FieldRow } from '../src/inspector/schema-fields.js';

const ticket = {
  type: 'object',
  title: 'Support ticket',
  properties: {
    message: { type: 'string', minLength: 1, description: "The customer's message" },
    urgent: { type: 'boolean' },
  },
  required: ['message'],
  additionalProperties: false,
};

function rowsOf(schema: unknown): FieldRow[] {
  const result = schemaToRows(schema);
  if (!result.ok) throw new Error(result.reason);
  return result.rows;
}

describe('the Fields table of a JSON Schema', () => {
  it('shows a flat object schema as rows', () => {
    const rows = rowsOf(ticket);
    expect(rows.map(({ name, type, required, description }) => ({ name, type, required, description }))).toEqual([
      { name: 'message', type: 'string', required: true, description: "The customer's message" },
      { name: 'urgent', type: 'boolean', required: false, description: '' },
    ]);
  });

  it('gives the same schema back when nothing was edited', () => {
    expect(rowsToSchema(ticket, rowsOf(ticket))).toEqual({ ok: true, schema: ticket });
  });

  it('keeps keywords it does not show when a row is renamed, described or made required', () => {
    const [message, urgent] = rowsOf(ticket);
    const result = rowsToSchema(ticket, [{ ...message!, name: 'text', description: '' }, { ...urgent!, required: true }]);
    expect(result).toEqual({
      ok: true,
      schema: {
        type: 'object',
        title: 'Support ticket',
        properties: { text: { type: 'string', minLength: 1 }, urgent: { type: 'boolean' } },
        required: ['text', 'urgent'],
        additionalProperties: false,
      },
    });
  });

  it('drops the keywords of the old type when a row changes type', () => {
    const [message] = rowsOf(ticket);
    const result = rowsToSchema(ticket, [withType(message!, 'integer')]);
    expect(result.ok && result.schema.properties).toEqual({ message: { type: 'integer', description: "The customer's message" } });
  });

  it('removes "required" when no row is required, and adds rows with a free name', () => {
    const rows = rowsOf({ type: 'object', properties: { field: { type: 'string' } }, required: ['field'] });
    const added = newRow(rows);
    expect(added.name).toBe('field2');
    const result = rowsToSchema({ type: 'object' }, [{ ...rows[0]!, required: false }, added]);
    expect(result).toEqual({ ok: true, schema: { type: 'object', properties: { field: { type: 'string' }, field2: { type: 'string' } } } });
  });

  it('refuses rows with an empty or repeated name instead of losing one', () => {
    const [a, b] = rowsOf(ticket);
    expect(rowsToSchema(ticket, [{ ...a!, name: '' }, b!])).toEqual({ ok: false, reason: 'every field needs a name' });
    expect(rowsToSchema(ticket, [a!, { ...b!, name: 'message' }])).toEqual({ ok: false, reason: 'two fields are named "message"' });
  });

  it('starts from no schema with no rows, and says why a schema it cannot show is JSON only', () => {
    expect(rowsOf(undefined)).toEqual([]);
    const notObject = schemaToRows({ type: 'array', items: { type: 'string' } });
    expect(notObject).toEqual({ ok: false, reason: 'the schema describes type "array", not an object with fields' });
    const union = schemaToRows({ type: 'object', properties: { id: { type: ['string', 'number'] } } });
    expect(union.ok).toBe(false);
    if (!union.ok) expect(union.reason).toMatch(/field "id" has no single type/);
  });
});
